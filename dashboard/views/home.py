from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dashboard.access import get_membership
from dashboard.hooks import organization_cards
from dashboard.notification_selectors import notification_attention
from dashboard.selectors import (
    attention_list,
    credential_list_for_organization,
    home_attention,
    membership_list_for_organization,
    membership_list_for_user,
)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Problems first: the attention list across the user's organizations, worst first; then one
    card per organization with every app's summary in it. The same queries for any number of
    organizations; ``?partial=1`` is the part that refreshes in place (static/live.js), and
    ``?attention=all`` lists every entry instead of the worst."""
    memberships = list(membership_list_for_user(user=request.user))
    organizations = [m.organization for m in memberships]
    cards = organization_cards([m.organization_id for m in memberships])
    attention = home_attention(organizations=organizations) + notification_attention(
        user=request.user, organizations=organizations
    )
    context = {
        "rows": [(m, cards[m.organization_id]) for m in memberships],
        "attention": attention_list(attention, show_all=request.GET.get("attention") == "all"),
    }
    if request.GET.get("partial"):
        return render(request, "dashboard/_home_live.html", context)
    return render(request, "dashboard/home.html", context)


@require_GET
def organization(request: HttpRequest, org_code: UUID) -> HttpResponse:
    membership = get_membership(request, org_code)
    org_id = membership.organization_id
    return render(
        request,
        "dashboard/organization.html",
        {
            "membership": membership,
            "organization": membership.organization,
            "cards": organization_cards([org_id])[org_id],
            "team": membership_list_for_organization(organization_id=org_id),
            "credentials": credential_list_for_organization(organization_id=org_id),
        },
    )

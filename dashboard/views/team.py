"""The team page: organization admins add members, change roles and remove members."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from dashboard.access import get_for_member, get_membership
from dashboard.forms.team import MemberAddForm, MemberRoleForm
from dashboard.models import Membership
from dashboard.selectors import membership_list_for_organization
from dashboard.services.organizations import (
    membership_add,
    membership_remove,
    membership_set_role,
)


def _render_team(request: HttpRequest, membership: Membership, *, form=None, status=200):
    team = membership_list_for_organization(organization_id=membership.organization_id)
    context = {
        "membership": membership,
        "organization": membership.organization,
        "team": team,
        "add_form": form or MemberAddForm(),
        "roles": Membership.Role.choices,
    }
    return render(request, "dashboard/team.html", context, status=status)


@require_GET
def team(request: HttpRequest, org_code: UUID) -> HttpResponse:
    return _render_team(request, get_membership(request, org_code))


@require_POST
def member_add(request: HttpRequest, org_code: UUID) -> HttpResponse:
    membership = get_membership(request, org_code, admin=True)
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            added = membership_add(organization=membership.organization, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("user", exc)
        else:
            messages.success(request, f"{added.user} joined as {added.get_role_display()}.")
            return redirect("dashboard:team", org_code)
    return _render_team(request, membership, form=form, status=400)


@require_POST
def member_role(request: HttpRequest, membership_code: UUID) -> HttpResponse:
    target, _ = get_for_member(request, Membership.objects.all(), admin=True, code=membership_code)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the roles: admin, member or viewer.")
        return redirect("dashboard:team", target.organization.code)
    try:
        membership_set_role(membership=target, role=form.cleaned_data["role"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{target.user} is now {target.get_role_display()}.")
    return redirect("dashboard:team", target.organization.code)


@require_POST
def member_remove(request: HttpRequest, membership_code: UUID) -> HttpResponse:
    target, _ = get_for_member(request, Membership.objects.all(), admin=True, code=membership_code)
    org_code = target.organization.code
    try:
        membership_remove(membership=target)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{target.user} no longer has access.")
    return redirect("dashboard:team", org_code)

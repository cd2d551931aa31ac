"""Choosing the products an organization depends on (members and admins)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.access import get_membership
from dashboard.background import enqueue, not_queued_notice, queued_notice
from status.forms import WatchedProductsForm
from status.selectors import product_list_by_cloud, watched_product_ids
from status.services.watching import watched_products_set


@require_http_methods(["GET", "POST"])
def watched_products(request: HttpRequest, org_code: UUID) -> HttpResponse:
    membership = get_membership(request, org_code, write=True)
    groups = product_list_by_cloud()
    choices = [(p.adobe_id, p.name) for _cloud, products in groups for p in products]
    watched = watched_product_ids(organization_id=membership.organization_id)
    form = WatchedProductsForm(
        request.POST or None, product_choices=choices, initial={"products": sorted(watched)}
    )
    if request.method == "POST" and form.is_valid():
        count = watched_products_set(
            organization=membership.organization,
            product_ids=form.cleaned_data["products"],
            actor=request.user,
        )
        watches = ngettext("now watches %(n)d product", "now watches %(n)d products", count)
        messages.success(request, f"{membership.organization.name} {watches % {'n': count}}.")
        return redirect("status:status_page", org_code)
    context = {
        "membership": membership,
        "organization": membership.organization,
        "form": form,
        "groups": groups,
        "watched": watched,
    }
    return render(
        request,
        "status/watched_products.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def sync_now(request: HttpRequest, org_code: UUID) -> HttpResponse:
    """Queue a poll now; the claim makes it a no-op if one is running or a failure's backoff
    (Adobe's Retry-After included) is not over."""
    get_membership(request, org_code, write=True)
    from status.tasks import status_events_poll_task

    if enqueue(status_events_poll_task, scheduled=False):
        messages.add_message(request, *queued_notice("Lookout will read Adobe Status in a moment."))
    else:
        messages.warning(request, not_queued_notice())
    return redirect("status:status_page", org_code)

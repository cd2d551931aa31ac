"""The read pages. Every one is organization-scoped (get_membership): events are Adobe-wide, but
whether they affect us depends on the organization's watched products."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from dashboard.access import get_membership
from dashboard.paging import page_number, page_of
from status.filters import HistoryFilterSet, StatusFilterSet
from status.models import Incident, Maintenance
from status.selectors import (
    incident_counts_by_product,
    incident_list_history,
    incident_list_open,
    incident_timeline,
    maintenance_list_current,
    maintenance_list_history,
    sync_overview,
    watched_product_ids,
)

HISTORY_PAGE_SIZE = 50


@require_GET
def status_page(request: HttpRequest, org_code: UUID) -> HttpResponse:
    membership = get_membership(request, org_code)
    org_id = membership.organization_id
    filters = StatusFilterSet(request.GET)
    context = {
        "membership": membership,
        "organization": membership.organization,
        "form": filters.form,
        "incidents": incident_list_open(organization_id=org_id, filters=filters),
        "in_progress": maintenance_list_current(
            organization_id=org_id, filters=filters, phase=Maintenance.Phase.IN_PROGRESS
        ),
        "scheduled": maintenance_list_current(
            organization_id=org_id, filters=filters, phase=Maintenance.Phase.SCHEDULED
        ),
        "sync": sync_overview(organization_id=org_id, is_admin=membership.is_admin),
        "watch_count": len(watched_product_ids(organization_id=org_id)),
    }
    partial = request.GET.get("partial")
    return render(
        request, "status/_current.html" if partial else "status/status_page.html", context
    )


@require_GET
def incident_detail(request: HttpRequest, org_code: UUID, incident_code: UUID) -> HttpResponse:
    membership = get_membership(request, org_code)
    incident = get_object_or_404(
        Incident.objects.prefetch_related("products", "regions", "services", "clouds"),
        code=incident_code,
    )
    watched = watched_product_ids(organization_id=membership.organization_id)
    context = {
        "membership": membership,
        "organization": membership.organization,
        "incident": incident,
        "affects_us": any(p.adobe_id in watched for p in incident.products.all()),
        "timeline": incident_timeline(incident=incident),
        "watched": watched,
    }
    return render(request, "status/incident_detail.html", context)


@require_GET
def history(request: HttpRequest, org_code: UUID) -> HttpResponse:
    membership = get_membership(request, org_code)
    org_id = membership.organization_id
    filters = HistoryFilterSet(request.GET)
    incidents = page_of(
        incident_list_history(organization_id=org_id, filters=filters),
        number=page_number(request.GET),
        per_page=HISTORY_PAGE_SIZE,
    )
    context = {
        "membership": membership,
        "organization": membership.organization,
        "form": filters.form,
        "incidents": incidents,
        "maintenances": maintenance_list_history(organization_id=org_id, filters=filters)[:50],
        "chart": incident_counts_by_product(organization_id=org_id),
    }
    return render(request, "status/history.html", context)

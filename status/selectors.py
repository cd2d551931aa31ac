"""Reads for the status pages. Events are Adobe-wide; what affects an organization is computed
from the products it watches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from dashboard.models import Credential
from status.models import (
    SEVERITY_RANK,
    Cloud,
    Incident,
    IncidentUpdate,
    Maintenance,
    Product,
    Region,
    StatusSyncState,
    WatchedProduct,
)

if TYPE_CHECKING:
    from status.filters import HistoryFilterSet, StatusFilterSet

CHART_DAYS = 90


def _affects(model, organization_id: int) -> Exists:
    through = model.products.through
    own = f"{model._meta.model_name}_id"
    return Exists(
        through.objects.filter(
            **{own: OuterRef("pk")},
            product__watchers__organization_id=organization_id,
        )
    )


def _for_page(qs: QuerySet, filters: StatusFilterSet, organization_id: int) -> QuerySet:
    """Narrowed by the page's filters, marked when they touch a watched product, with the
    products and regions the rows show."""
    return (
        filters.apply(qs)
        .annotate(affects_us=_affects(qs.model, organization_id))
        .prefetch_related(
            Prefetch("products", queryset=Product.objects.order_by("name")),
            Prefetch("regions", queryset=Region.objects.order_by("name")),
        )
    )


def incident_list_open(*, organization_id: int, filters: StatusFilterSet) -> QuerySet[Incident]:
    """Open incidents, those on watched products first, then the most severe, then the newest."""
    qs = Incident.objects.filter(state=Incident.State.OPEN)
    return _for_page(qs, filters, organization_id).order_by(
        "-affects_us", "-severity_rank", "-started_at"
    )


def maintenance_list_current(
    *, organization_id: int, filters: StatusFilterSet, phase: str
) -> QuerySet[Maintenance]:
    qs = Maintenance.objects.filter(phase=phase)
    order = "scheduled_at" if phase == Maintenance.Phase.SCHEDULED else "-started_at"
    return _for_page(qs, filters, organization_id).order_by("-affects_us", order)


def incident_list_history(*, organization_id: int, filters: HistoryFilterSet) -> QuerySet[Incident]:
    qs = Incident.objects.filter(state=Incident.State.CLOSED)
    return _for_page(qs, filters, organization_id).order_by("-started_at", "-pk")


def maintenance_list_history(
    *, organization_id: int, filters: HistoryFilterSet
) -> QuerySet[Maintenance]:
    qs = Maintenance.objects.filter(phase__in=[Maintenance.Phase.DONE, Maintenance.Phase.CANCELED])
    return _for_page(qs, filters, organization_id).order_by("-scheduled_at", "-pk")


@dataclass(frozen=True)
class ProductCount:
    product_id: str
    name: str
    count: int
    watched: bool
    percent: int


def incident_counts_by_product(
    *, organization_id: int, now: datetime | None = None
) -> list[ProductCount]:
    """Incidents per product that started in the last 90 days (the history page's chart)."""
    since = (now or timezone.now()) - timedelta(days=CHART_DAYS)
    through = Incident.products.through
    counts = (
        through.objects.filter(incident__started_at__gte=since)
        .values("product__adobe_id", "product__name")
        .annotate(count=Count("incident_id", distinct=True))
        .order_by("-count", "product__name")
    )
    watched = set(
        WatchedProduct.objects.filter(organization_id=organization_id).values_list(
            "product__adobe_id", flat=True
        )
    )
    counts = list(counts)
    top = max((c["count"] for c in counts), default=1)
    return [
        ProductCount(
            product_id=c["product__adobe_id"],
            name=c["product__name"] or c["product__adobe_id"],
            count=c["count"],
            watched=c["product__adobe_id"] in watched,
            percent=max(2, round(100 * c["count"] / top)),
        )
        for c in counts
    ]


@dataclass
class TimelineEntry:
    """One moment of an incident: the same history entry repeated per product is shown once."""

    at: datetime | None
    status: str
    severity: str
    customer_impact: str
    operations_impact: str
    title: str
    message: str
    products: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    status_changed_from: str = ""
    severity_changed_from: str = ""


def incident_timeline(*, incident: Incident) -> list[TimelineEntry]:
    """The incident's updates in time order, with status and severity changes spelled out."""
    region_names = dict(Region.objects.values_list("adobe_id", "name"))
    entries: dict[tuple, TimelineEntry] = {}
    updates = (
        IncidentUpdate.objects.filter(incident=incident)
        .select_related("product")
        .order_by("message_time", "pk")
    )
    for u in updates:
        key = (u.message_time, u.status, u.severity, u.title_token, u.message_token)
        entry = entries.get(key)
        if entry is None:
            entry = entries[key] = TimelineEntry(
                at=u.message_time,
                status=u.status,
                severity=u.severity,
                customer_impact=u.customer_impact,
                operations_impact=u.operations_impact,
                title=u.title,
                message=u.message,
                regions=[region_names.get(r, r) for r in u.region_ids],
            )
        if u.product and str(u.product) not in entry.products:
            entry.products.append(str(u.product))
    timeline = list(entries.values())
    for previous, entry in pairwise(timeline):
        if entry.status != previous.status:
            entry.status_changed_from = previous.status
        if entry.severity != previous.severity:
            entry.severity_changed_from = previous.severity
    return timeline


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    return {
        "clouds": list(Cloud.objects.order_by("name").values_list("adobe_id", "name")),
        "products": list(
            Product.objects.filter(gone_at__isnull=True)
            .order_by("name")
            .values_list("adobe_id", "name")
        ),
        "regions": list(Region.objects.order_by("name").values_list("adobe_id", "name")),
        "severities": [(s, s) for s in sorted(SEVERITY_RANK, key=SEVERITY_RANK.get, reverse=True)],
    }


def watched_product_ids(*, organization_id: int) -> set[str]:
    return set(
        WatchedProduct.objects.filter(organization_id=organization_id).values_list(
            "product__adobe_id", flat=True
        )
    )


def product_list_by_cloud() -> list[tuple[str, list[Product]]]:
    products = Product.objects.filter(gone_at__isnull=True).select_related("cloud")
    grouped: dict[str, list[Product]] = {}
    for product in products.order_by("cloud__name", "name"):
        grouped.setdefault(product.cloud.name if product.cloud else "Other", []).append(product)
    return list(grouped.items())


def status_org_cards(organization_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The status card of the home and organization pages (a ``dashboard.hooks`` card): per
    organization, the open incidents touching a product it watches, most severe first, and how
    many products it watches. At most three queries, whatever the number of organizations."""
    watched: dict[int, set[int]] = {pk: set() for pk in organization_ids}
    rows = WatchedProduct.objects.filter(organization_id__in=organization_ids)
    for organization_id, product_id in rows.values_list("organization_id", "product_id"):
        watched[organization_id].add(product_id)
    on_watched = Incident.products.through.objects.filter(
        product__watchers__organization_id__in=organization_ids
    )
    incidents = list(
        Incident.objects.filter(state=Incident.State.OPEN, pk__in=on_watched.values("incident_id"))
        .prefetch_related("products")
        .order_by("-severity_rank", "-started_at")
    )
    return {
        pk: {
            "incidents": [i for i in incidents if watched[pk] & {p.pk for p in i.products.all()}],
            "watch_count": len(watched[pk]),
        }
        for pk in organization_ids
    }


@dataclass(frozen=True)
class SyncView:
    """The installation-wide polls as one organization's page shows them: the outcome in words
    (which never names an organization), and the credential read with only when it is this
    organization's own and the reader is one of its admins."""

    events: StatusSyncState | None
    registry: StatusSyncState | None
    has_credential: bool
    own_credential: Credential | None

    @property
    def shows_error_detail(self) -> bool:
        """A failure's words may concern the credential read with: only its own organization's
        admins read them; everyone else reads that the installation could not read Status."""
        return self.own_credential is not None or (
            self.events is not None and self.events.credential_id is None
        )


def sync_overview(*, organization_id: int, is_admin: bool) -> SyncView:
    states = {s.kind: s for s in StatusSyncState.objects.select_related("credential")}
    events = states.get(StatusSyncState.Kind.EVENTS)
    used = events.credential if events is not None else None
    return SyncView(
        events=events,
        registry=states.get(StatusSyncState.Kind.REGISTRY),
        has_credential=Credential.objects.filter(
            usage__in=[Credential.Usage.STATUS, Credential.Usage.BOTH]
        ).exists(),
        own_credential=used
        if used is not None and is_admin and used.organization_id == organization_id
        else None,
    )

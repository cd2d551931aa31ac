"""Reads for the status pages. Events are Adobe-wide; what affects an organization is computed
from the products it watches."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from dashboard.models import Credential
from dashboard.selectors import credential_for_usage
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

CHART_DAYS = 90


@dataclass(frozen=True)
class StatusFilters:
    cloud: str = ""
    product: str = ""
    region: str = ""
    severity: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _affects(model, organization_id: int) -> Exists:
    through = model.products.through
    own = f"{model._meta.model_name}_id"
    return Exists(
        through.objects.filter(
            **{own: OuterRef("pk")},
            product__watchers__organization_id=organization_id,
        )
    )


def _scoped(qs: QuerySet, filters: StatusFilters, organization_id: int) -> QuerySet:
    if filters.cloud:
        qs = qs.filter(
            pk__in=qs.model.clouds.through.objects.filter(cloud__adobe_id=filters.cloud).values(
                f"{qs.model._meta.model_name}_id"
            )
        )
    if filters.product:
        qs = qs.filter(products__adobe_id=filters.product)
    if filters.region:
        qs = qs.filter(regions__adobe_id=filters.region)
    return qs.annotate(affects_us=_affects(qs.model, organization_id)).prefetch_related(
        Prefetch("products", queryset=Product.objects.order_by("name")),
        Prefetch("regions", queryset=Region.objects.order_by("name")),
    )


def incident_list_open(*, organization_id: int, filters: StatusFilters) -> QuerySet[Incident]:
    """Open incidents, those on watched products first, then the most severe, then the newest."""
    qs = Incident.objects.filter(state=Incident.State.OPEN)
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    return _scoped(qs, filters, organization_id).order_by(
        "-affects_us", "-severity_rank", "-started_at"
    )


def maintenance_list_current(
    *, organization_id: int, filters: StatusFilters, phase: str
) -> QuerySet[Maintenance]:
    qs = Maintenance.objects.filter(phase=phase)
    order = "scheduled_at" if phase == Maintenance.Phase.SCHEDULED else "-started_at"
    return _scoped(qs, filters, organization_id).order_by("-affects_us", order)


def incident_list_history(*, organization_id: int, filters: StatusFilters) -> QuerySet[Incident]:
    qs = Incident.objects.filter(state=Incident.State.CLOSED)
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    qs = _dated(qs, "started_at", filters)
    return _scoped(qs, filters, organization_id).order_by("-started_at", "-pk")


def maintenance_list_history(
    *, organization_id: int, filters: StatusFilters
) -> QuerySet[Maintenance]:
    qs = Maintenance.objects.filter(phase__in=[Maintenance.Phase.DONE, Maintenance.Phase.CANCELED])
    qs = _dated(qs, "scheduled_at", filters)
    return _scoped(qs, filters, organization_id).order_by("-scheduled_at", "-pk")


def _dated(qs: QuerySet, field_name: str, filters: StatusFilters) -> QuerySet:
    tz = timezone.get_current_timezone()
    if filters.date_from:
        qs = qs.filter(**{f"{field_name}__gte": datetime.combine(filters.date_from, time.min, tz)})
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time.min, tz)
        qs = qs.filter(**{f"{field_name}__lt": end})
    return qs


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


def open_incidents_on_watched(*, organization_id: int) -> QuerySet[Incident]:
    """The home card: open incidents touching a product the organization watches."""
    return (
        Incident.objects.filter(state=Incident.State.OPEN)
        .filter(_affects(Incident, organization_id))
        .prefetch_related("products")
        .order_by("-severity_rank", "-started_at")
    )


@dataclass(frozen=True)
class SyncView:
    events: StatusSyncState | None
    registry: StatusSyncState | None
    credential: Credential | None


def sync_overview() -> SyncView:
    states = {s.kind: s for s in StatusSyncState.objects.select_related("credential__organization")}
    return SyncView(
        events=states.get(StatusSyncState.Kind.EVENTS),
        registry=states.get(StatusSyncState.Kind.REGISTRY),
        credential=credential_for_usage(usage=Credential.Usage.STATUS),
    )

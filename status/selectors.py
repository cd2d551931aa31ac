"""Reads for the status pages. Events are Adobe-wide; what affects an organization is computed
from the products it watches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from dashboard.hooks import AttentionEntry
from dashboard.models import Credential, Organization
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
    incidents = [
        (incident, {product.pk for product in incident.products.all()})
        for incident in Incident.objects.filter(
            state=Incident.State.OPEN, pk__in=on_watched.values("incident_id")
        )
        .prefetch_related("products")
        .order_by("-severity_rank", "-started_at")
    ]
    # Each incident's products as a set once, not once per organization: built per pair, they
    # took 85 ms of a profiled fifty-organization home page (34 ms once per incident).
    return {
        pk: {
            "incidents": [incident for incident, products in incidents if watched[pk] & products],
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


# The home page: when the polls last succeeded, and the attention list.

# A poll whose last success is older than this many intervals has stalled.
STALLED_AFTER_INTERVALS = 3
# Scheduled maintenance on a watched product shows on the attention list this long before it.
MAINTENANCE_AHEAD = timedelta(hours=24)


def status_poll_list() -> list[StatusSyncState]:
    """The installation-wide polls, events first: one query."""
    return list(StatusSyncState.objects.order_by("kind"))


def status_home_cards(organization_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The status card (a ``dashboard.hooks`` card): :func:`status_org_cards` and when each
    installation-wide poll last succeeded. Four queries for any number of organizations."""
    cards = status_org_cards(organization_ids)
    polls = status_poll_list()
    for card in cards.values():
        card["polls"] = polls
    return cards


def status_attention(organizations: Sequence[Organization]) -> list[AttentionEntry]:
    """The Status entries of the home page's attention list (a ``dashboard.hooks`` source): each
    open incident and each maintenance under way (or starting within a day) on a product an
    organization watches, one entry per organization; and the events poll failing or stalled,
    once for the installation. At most four queries, whatever the number of organizations."""
    now = timezone.now()
    by_id = {o.pk: o for o in organizations}
    watchers: dict[int, list[int]] = {}
    rows = WatchedProduct.objects.filter(organization_id__in=by_id)
    for organization_id, product_id in rows.values_list("organization_id", "product_id"):
        watchers.setdefault(product_id, []).append(organization_id)
    entries: list[AttentionEntry] = []
    if watchers:
        entries += _incident_entries(by_id, watchers)
        entries += _maintenance_entries(by_id, watchers, now=now)
    poll = StatusSyncState.objects.filter(kind=StatusSyncState.Kind.EVENTS).first()
    if poll is not None and organizations:
        entries += _poll_entries(poll, organizations[0], now=now)
    return entries


def _affected(rows, watchers: dict[int, list[int]], event: str) -> dict[tuple[int, int], dict]:
    """(organization id, event id) -> the event's fields and the watched products it touches."""
    found: dict[tuple[int, int], dict] = {}
    for row in rows:
        for organization_id in watchers[row["product_id"]]:
            item = found.setdefault((organization_id, row[f"{event}_id"]), {**row, "products": []})
            item["products"].append(row["product__name"] or "a product")
    return found


def _incident_entries(by_id: dict, watchers: dict[int, list[int]]) -> list[AttentionEntry]:
    rows = (
        Incident.products.through.objects.filter(
            incident__state=Incident.State.OPEN, product_id__in=watchers
        )
        .values(
            "incident_id",
            "product_id",
            "product__name",
            "incident__code",
            "incident__title",
            "incident__severity",
            "incident__severity_rank",
            "incident__started_at",
        )
        .order_by("product__name")
    )
    entries = []
    for (organization_id, _), item in _affected(rows, watchers, "incident").items():
        organization = by_id[organization_id]
        major = item["incident__severity_rank"] >= SEVERITY_RANK["Major"]
        entries.append(
            AttentionEntry(
                severity=AttentionEntry.CRITICAL if major else AttentionEntry.WARNING,
                kind="status-incident",
                organization=organization,
                title=f"{item['incident__severity'] or 'Open'} incident on "
                f"{', '.join(item['products'])}: {item['incident__title'] or 'Incident'}",
                url=reverse(
                    "status:incident_detail", args=[organization.code, item["incident__code"]]
                ),
                since=item["incident__started_at"],
            )
        )
    return entries


def _maintenance_entries(
    by_id: dict, watchers: dict[int, list[int]], *, now: datetime
) -> list[AttentionEntry]:
    rows = (
        Maintenance.products.through.objects.filter(
            Q(maintenance__phase=Maintenance.Phase.IN_PROGRESS)
            | Q(
                maintenance__phase=Maintenance.Phase.SCHEDULED,
                maintenance__scheduled_at__lt=now + MAINTENANCE_AHEAD,
            ),
            product_id__in=watchers,
        )
        .values(
            "maintenance_id",
            "product_id",
            "product__name",
            "maintenance__title",
            "maintenance__phase",
            "maintenance__scheduled_at",
            "maintenance__started_at",
        )
        .order_by("product__name")
    )
    entries = []
    for (organization_id, _), item in _affected(rows, watchers, "maintenance").items():
        organization = by_id[organization_id]
        under_way = item["maintenance__phase"] == Maintenance.Phase.IN_PROGRESS
        at = item["maintenance__started_at"] if under_way else item["maintenance__scheduled_at"]
        when = "under way" if under_way else f"at {at:%Y-%m-%d %H:%M} UTC" if at else "soon"
        entries.append(
            AttentionEntry(
                severity=AttentionEntry.NOTICE,
                kind="status-maintenance",
                organization=organization,
                title=f"Maintenance {when} on {', '.join(item['products'])}: "
                f"{item['maintenance__title'] or 'Maintenance'}",
                url=reverse("status:status_page", args=[organization.code]),
                since=at,
            )
        )
    return entries


def _poll_entries(
    poll: StatusSyncState, organization: Organization, *, now: datetime
) -> list[AttentionEntry]:
    """The events poll failing or stalled, once: it is the installation's, never an
    organization's, and its error in words is not shown here (it may concern another
    organization's credential; the status page shows it to those who may read it)."""
    interval = timedelta(seconds=settings.LOOKOUT_STATUS_POLL_INTERVAL)
    stalled = (
        poll.last_success_at and poll.last_success_at < now - STALLED_AFTER_INTERVALS * interval
    )
    if not poll.consecutive_failures and not stalled:
        return []
    if poll.consecutive_failures:
        n = poll.consecutive_failures
        title = f"Adobe Status could not be read {n} time{'s' if n != 1 else ''} in a row"
        since = poll.last_error_at
    else:
        title = "Adobe Status has not been read for a while"
        since = poll.last_success_at
    detail = (
        f"Last read at {poll.last_success_at:%Y-%m-%d %H:%M} UTC."
        if poll.last_success_at
        else "Not read yet."
    )
    return [
        AttentionEntry(
            severity=AttentionEntry.WARNING,
            kind="status-poll",
            organization=None,
            title=title,
            detail=detail,
            url=reverse("status:status_page", args=[organization.code]),
            since=since,
        )
    ]

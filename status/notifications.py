"""Status's notification sources: incidents opened, updated and closed, and maintenance starting
and ending, on the products each organization watches; and the Status poll failing repeatedly.

Adobe's own times say when each change happened (an update's message time, the maintenance
window), so a change from before someone subscribed is never sent to them. Keys name the change
("incident:<adobe id>:update:<update key>"): finding it again, in the next poll's scan or a second
worker's, adds nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from dashboard.hooks import NotificationDraft, NotificationSource
from dashboard.models import NotificationTopic, Organization
from dashboard.services.notifications import failure_streak, lookback_start
from status.models import Incident, Maintenance, StatusSyncState, WatchedProduct
from status.services.storing import CLOSED_STATUSES


def _watchers(listeners: dict[int, datetime]) -> dict[int, list[int]]:
    """Product id -> the listening organizations that watch it."""
    watchers: dict[int, list[int]] = defaultdict(list)
    for org_id, product_id in WatchedProduct.objects.filter(
        organization_id__in=listeners
    ).values_list("organization_id", "product_id"):
        watchers[product_id].append(org_id)
    return watchers


def _org_codes(org_ids) -> dict[int, object]:
    return dict(Organization.objects.filter(pk__in=set(org_ids)).values_list("pk", "code"))


def _affected(event, watchers: dict[int, list[int]]) -> dict[int, list[str]]:
    """Organization id -> names of its watched products the event is on."""
    found: dict[int, list[str]] = defaultdict(list)
    for product in event.products.all():
        for org_id in watchers.get(product.pk, ()):
            found[org_id].append(product.name or product.adobe_id)
    return found


def incident_changes(listeners: dict[int, datetime], now: datetime) -> list[NotificationDraft]:
    watchers = _watchers(listeners)
    if not watchers:
        return []
    since = lookback_start(now)
    incidents = (
        Incident.objects.filter(products__in=list(watchers))
        .filter(Q(started_at__gte=since) | Q(last_update_at__gte=since) | Q(closed_at__gte=since))
        .distinct()
        .prefetch_related("products", "updates")
    )
    found = []
    for incident in incidents:
        updates = sorted(
            (u for u in incident.updates.all() if u.message_time is not None),
            key=lambda u: u.message_time,
        )
        changes: list[tuple[str, str, str, datetime]] = []
        opened_at = incident.started_at or (updates[0].message_time if updates else None)
        if opened_at is not None and opened_at >= since:
            changes.append(("opened", "Incident opened", incident.message, opened_at))
        # The first history entry is the opening itself, a closing one is told as "closed".
        for update in updates[1:]:
            if update.message_time >= since and update.status not in CLOSED_STATUSES:
                changes.append(
                    (
                        f"update:{update.key}",
                        "Incident updated",
                        update.message,
                        update.message_time,
                    )
                )
        closed_at = incident.ended_at or incident.closed_at
        if not incident.is_open and closed_at is not None and closed_at >= since:
            changes.append(("closed", "Incident closed", "", closed_at))
        for org_id, products in _affected(incident, watchers).items():
            for suffix, what, body, at in changes:
                found.append((org_id, incident, suffix, what, body, at, ", ".join(products)))
    codes = _org_codes(org_id for org_id, *_ in found)
    return [
        NotificationDraft(
            organization_id=org_id,
            topic=NotificationTopic.INCIDENT,
            key=f"incident:{incident.adobe_id}:{suffix}",
            title=f"{what} on {products}: {incident.title or incident.adobe_id}",
            body=body,
            link=reverse("status:incident_detail", args=[codes[org_id], incident.code]),
            occurred_at=at,
        )
        for org_id, incident, suffix, what, body, at, products in found
    ]


def maintenance_changes(listeners: dict[int, datetime], now: datetime) -> list[NotificationDraft]:
    watchers = _watchers(listeners)
    if not watchers:
        return []
    since = lookback_start(now)
    maintenances = (
        Maintenance.objects.filter(products__in=list(watchers))
        .filter(Q(started_at__gte=since, started_at__lte=now) | Q(completed_at__gte=since))
        .exclude(phase=Maintenance.Phase.CANCELED)
        .distinct()
        .prefetch_related("products")
    )
    found = []
    for maintenance in maintenances:
        changes = []
        if maintenance.started_at and since <= maintenance.started_at <= now:
            changes.append(("started", "Maintenance started", maintenance.started_at))
        ended = maintenance.completed_at
        if ended and since <= ended <= now and maintenance.phase == Maintenance.Phase.DONE:
            changes.append(("ended", "Maintenance ended", ended))
        for org_id, products in _affected(maintenance, watchers).items():
            for suffix, what, at in changes:
                found.append((org_id, maintenance, suffix, what, at, ", ".join(products)))
    codes = _org_codes(org_id for org_id, *_ in found)
    return [
        NotificationDraft(
            organization_id=org_id,
            topic=NotificationTopic.MAINTENANCE,
            key=f"maintenance:{maintenance.adobe_id}:{suffix}",
            title=f"{what} on {products}: {maintenance.title or maintenance.adobe_id}",
            body=maintenance.message if suffix == "started" else "",
            link=reverse("status:status_page", args=[codes[org_id]]),
            occurred_at=at,
        )
        for org_id, maintenance, suffix, what, at, products in found
    ]


def poll_failures(listeners: dict[int, datetime], now: datetime) -> list[NotificationDraft]:
    """The Status polls are the installation's: each listening organization is told."""
    failing = StatusSyncState.objects.filter(
        consecutive_failures__gte=settings.LOOKOUT_NOTIFICATION_SYNC_FAILURES,
        last_error_at__gte=lookback_start(now),
    )
    codes = _org_codes(listeners)
    return [
        NotificationDraft(
            organization_id=org_id,
            topic=NotificationTopic.SYNC,
            key=f"sync:status-{state.pk}:{failure_streak(state)}",
            title=f"Adobe Status poll failed {state.consecutive_failures} times in a row",
            body=state.last_error,
            link=reverse("status:status_page", args=[codes[org_id]]),
            occurred_at=state.last_error_at,
        )
        for state in failing
        for org_id in listeners
    ]


SOURCES = (
    NotificationSource("status-incidents", NotificationTopic.INCIDENT, incident_changes),
    NotificationSource("status-maintenance", NotificationTopic.MAINTENANCE, maintenance_changes),
    NotificationSource("status-sync", NotificationTopic.SYNC, poll_failures),
)

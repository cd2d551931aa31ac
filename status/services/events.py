"""Incidents and maintenances: one poll reads the ongoing and scheduled lists and, only when needed,
the 40-day window (the first time, and when an event left the ongoing list, to get its end).

Everything is upserted on Adobe's ids in a handful of bulk statements, so a poll costs about the
same at 5 or 500 events. An incident that leaves the ongoing list is closed and keeps its history.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from adobe import StatusClient
from adobe.models.events import Events
from adobe.models.events import Incident as AdobeIncident
from adobe.models.events import Maintenance as AdobeMaintenance
from status.models import Incident, Maintenance
from status.services.messages import MessageBook
from status.services.storing import store_incidents, store_maintenances

logger = logging.getLogger(__name__)

HISTORY_DAYS = 40  # how far back Adobe answers


@dataclass(frozen=True)
class EventsSummary:
    open_incidents: int
    closed_incidents: int
    maintenances: int
    read_window: bool

    def __str__(self) -> str:
        window = "; read the 40-day window" if self.read_window else ""
        return (
            f"{self.open_incidents} open incidents, {self.closed_incidents} closed since the last "
            f"poll, {self.maintenances} maintenances in progress or scheduled{window}"
        )


def _window_start(now: datetime, backfill: bool, left_since: datetime | None) -> datetime | None:
    oldest = now - timedelta(days=HISTORY_DAYS)
    if backfill:
        return oldest
    if left_since is None:
        return None
    return max(oldest, left_since - timedelta(days=1))


def _left_since(incident_ids: set[str], maintenance_ids: set[str]) -> datetime | bool | None:
    """When the earliest event that left the ongoing lists began; False when none left."""
    left_incidents = Incident.objects.filter(state=Incident.State.OPEN).exclude(
        adobe_id__in=incident_ids
    )
    left_maintenances = Maintenance.objects.filter(
        phase__in=[Maintenance.Phase.SCHEDULED, Maintenance.Phase.IN_PROGRESS]
    ).exclude(adobe_id__in=maintenance_ids)
    if not left_incidents.exists() and not left_maintenances.exists():
        return False
    starts = [
        left_incidents.aggregate(at=Min("started_at"))["at"],
        left_maintenances.aggregate(at=Min("scheduled_at"))["at"],
    ]
    known = [s for s in starts if s is not None]
    return min(known) if known else None


def status_events_sync(
    *, client: StatusClient, backfill: bool = False, now: datetime | None = None
) -> EventsSummary:
    """Read Adobe's events and store them: 2 requests, 3 when something ended, +1 for messages."""
    now = now or timezone.now()
    ongoing = client.events()
    scheduled = client.scheduled()
    open_ids = {i.id for i in ongoing.incidents}
    active_maintenance_ids = {m.id for m in (*ongoing.maintenances, *scheduled)}

    left = _left_since(open_ids, active_maintenance_ids)
    window_from = _window_start(now, backfill, None if left is False else (left or now))
    past = Events((), ())
    if window_from is not None:
        # "to" one day ahead: Adobe's clock and ours may straddle midnight.
        past = client.events(from_date=window_from.date(), to_date=(now + timedelta(days=1)).date())

    incidents: dict[str, AdobeIncident] = {i.id: i for i in past.incidents}
    incidents.update({i.id: i for i in ongoing.incidents})
    maintenances: dict[str, AdobeMaintenance] = {m.id: m for m in past.maintenances}
    maintenances.update({m.id: m for m in (*ongoing.maintenances, *scheduled)})

    book = MessageBook.for_events(
        client=client,
        events=[*incidents.values(), *maintenances.values()],
        now=now,
    )
    with transaction.atomic():
        was_open = set(
            Incident.objects.filter(state=Incident.State.OPEN).values_list("adobe_id", flat=True)
        )
        store_incidents(incidents=incidents.values(), open_ids=open_ids, book=book, now=now)
        store_maintenances(maintenances=maintenances.values(), book=book, now=now)
        _close_missing_incidents(open_ids, now)
        _finish_missing_maintenances(active_maintenance_ids, set(maintenances), now)
    return EventsSummary(
        open_incidents=len(open_ids),
        closed_incidents=len(was_open - open_ids),
        maintenances=len(active_maintenance_ids),
        read_window=window_from is not None,
    )


def _close_missing_incidents(open_ids: Iterable[str], now: datetime) -> int:
    """Incidents gone from the ongoing list and not found in the window either: closed now."""
    return (
        Incident.objects.filter(state=Incident.State.OPEN)
        .exclude(adobe_id__in=list(open_ids))
        .update(state=Incident.State.CLOSED, closed_at=now, updated_at=now)
    )


def _finish_missing_maintenances(active: set[str], seen: set[str], now: datetime) -> None:
    """Maintenances Adobe no longer lists at all: done if their time came, else canceled."""
    missing = Maintenance.objects.filter(
        phase__in=[Maintenance.Phase.SCHEDULED, Maintenance.Phase.IN_PROGRESS]
    ).exclude(adobe_id__in=list(active | seen))
    missing.filter(phase=Maintenance.Phase.IN_PROGRESS).update(
        phase=Maintenance.Phase.DONE, completed_at=now, updated_at=now
    )
    missing.filter(scheduled_at__lte=now).update(
        phase=Maintenance.Phase.DONE, completed_at=now, updated_at=now
    )
    missing.update(phase=Maintenance.Phase.CANCELED, updated_at=now)

"""The installation-wide polls: one background run per kind, with any credential that may read.

Status data is Adobe-wide, so one poll serves every organization, read with whichever credential
has Status access (:func:`~dashboard.services.clients.credential_for`). A poll is a background run
on its :class:`~status.models.StatusSyncState` row (:mod:`dashboard.runs`): overlapping ticks,
a second beat and manual syncs cost one set of requests, and a failure — a 429's Retry-After
included — sets when the next poll may call Adobe. A Status failure is recorded here only: it
never flags the credential, which other organizations' pages and syncs rely on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import ngettext

from adobe import StatusClient
from dashboard.describe import EXPECTED_FAILURES, describe_status_error
from dashboard.models import Credential
from dashboard.runs import Wait, run_claim
from dashboard.services.clients import credential_for, status_client
from status.models import StatusSyncState
from status.services.events import status_events_sync
from status.services.registry import status_registry_sync

logger = logging.getLogger(__name__)

# A poll is a few requests, each with a timeout; the heartbeat renews the lease while it runs.
LEASE = timedelta(seconds=60)
# A poll is due again a little before its interval is over, so beat's next tick always finds it
# due (ticks drift by a few seconds) while a second beat, or a redelivered message, in between
# finds it not due.
MAX_SLACK = timedelta(minutes=5)


@dataclass(frozen=True)
class PollOutcome:
    ran: bool
    ok: bool = False
    message: str = ""
    requests: int = 0
    next_attempt_at: datetime | None = None

    def __str__(self) -> str:
        if not self.ran:
            return "Skipped: another poll is running, or the next one is not due yet."
        requests = ngettext("%(n)d request", "%(n)d requests", self.requests) % {"n": self.requests}
        return f"{'OK' if self.ok else 'Failed'}: {self.message} ({requests})"


def sync_state_get(*, kind: str) -> StatusSyncState:
    state, _ = StatusSyncState.objects.get_or_create(kind=kind)
    return state


def _interval(kind: str) -> timedelta:
    if kind == StatusSyncState.Kind.REGISTRY:
        return timedelta(seconds=settings.LOOKOUT_STATUS_REGISTRY_INTERVAL)
    return timedelta(seconds=settings.LOOKOUT_STATUS_POLL_INTERVAL)


def _poll(
    kind: str,
    work: Callable[[StatusClient], tuple[object, bool]],
    *,
    scheduled: bool,
    now: datetime | None,
) -> PollOutcome:
    state = sync_state_get(kind=kind)
    # A scheduled poll waits for its interval; a person asking waits only for a backoff.
    wait = Wait.SCHEDULE if scheduled else Wait.BACKOFF
    run = run_claim(StatusSyncState, pk=state.pk, lease=LEASE, wait=wait, now=now)
    if run is None:
        logger.info("Status %s poll skipped: another poll runs or the next is not due", kind)
        return PollOutcome(ran=False)
    requests_sent, started = 0, time.monotonic()

    def count(_response) -> None:
        nonlocal requests_sent
        requests_sent += 1

    credential: Credential | None = None
    with run:
        try:
            credential = credential_for(usage=Credential.Usage.STATUS)
            summary, backfilled = work(status_client(credential=credential, on_response=count))
        except EXPECTED_FAILURES as exc:
            message = describe_status_error(exc)
            next_attempt_at = run.fail(
                exc,
                message=message,
                credential=credential,
                last_request_count=requests_sent,
            )
            logger.warning("Status %s poll failed: %s", kind, message)
            return PollOutcome(
                ran=True, message=message, requests=requests_sent, next_attempt_at=next_attempt_at
            )
        interval = _interval(kind)
        next_attempt_at = run.started_at + interval - min(interval / 10, MAX_SLACK)
        run.succeed(
            next_attempt_at=next_attempt_at,
            credential=credential,
            last_summary=str(summary)[:300],
            last_request_count=requests_sent,
            last_duration_ms=int((time.monotonic() - started) * 1000),
            **({"backfilled_at": timezone.now()} if backfilled else {}),
        )
    return PollOutcome(
        ran=True,
        ok=True,
        message=str(summary),
        requests=requests_sent,
        next_attempt_at=next_attempt_at,
    )


def status_registry_poll(*, scheduled: bool = False, now: datetime | None = None) -> PollOutcome:
    """Products, clouds, regions and messages (daily)."""
    return _poll(
        StatusSyncState.Kind.REGISTRY,
        lambda client: (status_registry_sync(client=client), False),
        scheduled=scheduled,
        now=now,
    )


def status_events_poll(*, scheduled: bool = False, now: datetime | None = None) -> PollOutcome:
    """Incidents and maintenances (every LOOKOUT_STATUS_POLL_INTERVAL seconds). The registry is
    read first if it never was, so the first poll leaves the pages complete."""
    if sync_state_get(kind=StatusSyncState.Kind.REGISTRY).last_success_at is None:
        status_registry_poll(scheduled=scheduled, now=now)
    backfill = sync_state_get(kind=StatusSyncState.Kind.EVENTS).backfilled_at is None

    def work(client: StatusClient) -> tuple[object, bool]:
        return status_events_sync(client=client, backfill=backfill, now=timezone.now()), backfill

    return _poll(StatusSyncState.Kind.EVENTS, work, scheduled=scheduled, now=now)

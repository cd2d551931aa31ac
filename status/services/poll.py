"""The installation-wide polls: claim, pick the credential, call Adobe, record the outcome.

Status data is Adobe-wide, so one poll serves every organization, with whichever organization's
credential has Status access. Outcomes are data (style B.13): the page shows the last attempt,
success and error in plain words.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from adobe.errors import AdobeAuthError, AdobeError, AdobeRateLimited
from dashboard.services.tokens import CredentialNeedsAttention, credential_flag
from status.models import StatusSyncState
from status.services.client import (
    NoStatusCredential,
    describe_status_error,
    status_client,
    status_credential,
    status_session,
)
from status.services.events import status_events_sync
from status.services.registry import status_registry_sync
from status.services.sync_state import (
    sync_state_claim,
    sync_state_fail,
    sync_state_get,
    sync_state_succeed,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PollOutcome:
    ran: bool
    ok: bool = False
    message: str = ""
    requests: int = 0
    retry_after: float | None = None

    def __str__(self) -> str:
        if not self.ran:
            return "Skipped: another poll is running, or Adobe asked Lookout to wait."
        return f"{'OK' if self.ok else 'Failed'}: {self.message} ({self.requests} requests)"


def _run(kind: str, work, *, now: datetime | None) -> PollOutcome:
    claim = sync_state_claim(kind=kind, now=now)
    if claim is None:
        return PollOutcome(ran=False)
    session = status_session()
    sent_before, started = session.sent_total, time.monotonic()
    credential_id = None
    try:
        credential = status_credential()
        credential_id = credential.pk
        summary, backfilled = work(status_client(credential=credential, session=session))
    except (AdobeError, NoStatusCredential) as exc:
        if isinstance(exc, AdobeAuthError) and not isinstance(exc, CredentialNeedsAttention):
            # Refused even after the client's forced token refresh: the credential needs an admin.
            credential_flag(credential_id=credential_id, error=exc)
        retry_after = exc.retry_after if isinstance(exc, AdobeRateLimited) else None
        message = describe_status_error(exc)
        sync_state_fail(
            claim=claim,
            error=message,
            credential_id=credential_id,
            retry_after=retry_after,
            request_count=session.sent_total - sent_before,
        )
        logger.warning("Status %s poll failed: %s", kind, message)
        return PollOutcome(
            ran=True,
            message=message,
            requests=session.sent_total - sent_before,
            retry_after=retry_after,
        )
    except BaseException:
        sync_state_fail(
            claim=claim, error="Unexpected error; see the worker log.", credential_id=credential_id
        )
        raise
    count = session.sent_total - sent_before
    sync_state_succeed(
        claim=claim,
        summary=str(summary),
        credential_id=credential_id,
        request_count=count,
        duration_ms=int((time.monotonic() - started) * 1000),
        backfilled=backfilled,
    )
    return PollOutcome(ran=True, ok=True, message=str(summary), requests=count)


def status_registry_poll(*, now: datetime | None = None) -> PollOutcome:
    """Products, clouds, regions and messages (daily)."""
    return _run(
        StatusSyncState.Kind.REGISTRY,
        lambda client: (status_registry_sync(client=client), False),
        now=now,
    )


def status_events_poll(*, now: datetime | None = None) -> PollOutcome:
    """Incidents and maintenances (every LOOKOUT_STATUS_POLL_INTERVAL seconds). The registry is
    read first if it never was, so the first poll leaves the pages complete."""
    if sync_state_get(kind=StatusSyncState.Kind.REGISTRY).last_success_at is None:
        status_registry_poll(now=now)
    backfill = sync_state_get(kind=StatusSyncState.Kind.EVENTS).backfilled_at is None

    def work(client):
        return status_events_sync(client=client, backfill=backfill, now=timezone.now()), backfill

    return _run(StatusSyncState.Kind.EVENTS, work, now=now)

"""Claiming and recording the installation-wide polls (styles B.12 and B.13).

A poll claims its singleton row with a conditional update; a second poll that overlaps finds the
lease held (or Adobe's Retry-After not yet over) and returns without calling Adobe.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, Q
from django.utils import timezone

from status.models import StatusSyncState

logger = logging.getLogger(__name__)

# Longer than any poll can take (a few requests, each with a timeout); a killed poll frees it.
LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Claim:
    kind: str
    owner: str
    started_at: datetime


def sync_state_get(*, kind: str) -> StatusSyncState:
    state, _ = StatusSyncState.objects.get_or_create(kind=kind)
    return state


def sync_state_claim(*, kind: str, now: datetime | None = None) -> Claim | None:
    """Take the poll's lease, or None when another poll holds it or Retry-After is not over."""
    now = now or timezone.now()
    sync_state_get(kind=kind)
    owner = str(uuid.uuid4())
    claimed = (
        StatusSyncState.objects.filter(kind=kind)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(lease_until=now + LEASE, lease_owner=owner, last_attempt_at=now)
    )
    if claimed != 1:
        logger.info("Status %s poll skipped: another poll runs or Adobe asked to wait", kind)
        return None
    return Claim(kind=kind, owner=owner, started_at=now)


def sync_state_succeed(
    *,
    claim: Claim,
    summary: str,
    credential_id: int | None,
    request_count: int,
    duration_ms: int,
    backfilled: bool = False,
) -> None:
    now = timezone.now()
    fields = {
        "lease_until": None,
        "lease_owner": "",
        "last_success_at": now,
        "last_error": "",
        "consecutive_failures": 0,
        "next_attempt_at": None,
        "credential_id": credential_id,
        "last_summary": summary[:300],
        "last_request_count": request_count,
        "last_duration_ms": duration_ms,
    }
    if backfilled:
        fields["backfilled_at"] = now
    StatusSyncState.objects.filter(kind=claim.kind, lease_owner=claim.owner).update(**fields)


def sync_state_fail(
    *,
    claim: Claim,
    error: str,
    credential_id: int | None,
    retry_after: float | None = None,
    request_count: int = 0,
) -> None:
    now = timezone.now()
    StatusSyncState.objects.filter(kind=claim.kind, lease_owner=claim.owner).update(
        lease_until=None,
        lease_owner="",
        last_error=error[:500],
        last_error_at=now,
        consecutive_failures=F("consecutive_failures") + 1,
        next_attempt_at=now + timedelta(seconds=retry_after) if retry_after else None,
        credential_id=credential_id,
        last_request_count=request_count,
    )

"""The bookkeeping of a sync run: its result, the organization's lease, and the recorded outcome.

The lease is claimed with a conditional update whose row count is checked (style B.12) and
freed, with the outcome, by ``.update()`` in the run's ``finally`` (B.13): only the run that holds
it (``lease_owner``) may renew or free it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from adobe.errors import (
    AdobeAuthError,
    AdobeBadResponse,
    AdobeError,
    AdobeInvalidRequest,
    AdobeRateLimited,
    AdobeUnavailable,
)
from privacy.models import PrivacyJob, PrivacySyncState
from privacy.services.sync_store import PageCounts

logger = logging.getLogger(__name__)


class NoCredential(Exception):
    """The organization has no usable credential for Privacy Service."""


class LeaseLost(Exception):
    """Another run took the organization's lease (ours had expired): stop writing."""


@dataclass
class SyncResult:
    """What one run did; ``ran`` is False when another run held the organization's lease."""

    organization_id: int
    ran: bool = True
    full_listing: bool = False
    jobs_seen: int = 0
    created: int = 0
    updated: int = 0
    details: int = 0
    gone: int = 0
    requests: int = 0
    error: str = ""
    skipped_regulations: list[str] = field(default_factory=list)

    def add(self, counts: PageCounts) -> None:
        self.created += counts.created
        self.updated += counts.updated
        self.details += counts.details
        self.gone += counts.gone

    @property
    def summary(self) -> str:
        kind = "Full listing" if self.full_listing else "Poll"
        text = (
            f"{kind}: {self.jobs_seen:,} jobs listed, {self.created:,} new, "
            f"{self.updated:,} updated, {self.gone:,} gone; "
            f"{self.details:,} job details read in {self.requests:,} requests"
        )
        if self.skipped_regulations:
            text += f"; Adobe refused {', '.join(self.skipped_regulations)}"
        return text


def describe_sync_error(exc: BaseException) -> str:
    """The failure in plain words for the sync state (never a token, body or personal data)."""
    if isinstance(exc, NoCredential):
        return str(exc)
    if isinstance(exc, AdobeRateLimited):
        return (
            "Adobe Privacy Service is rate limiting requests (429); "
            f"Lookout retries in {exc.retry_after:.0f} s."
        )
    if isinstance(exc, AdobeUnavailable):
        return f"Adobe Privacy Service did not answer properly ({exc.message}); Lookout will retry."
    if isinstance(exc, AdobeBadResponse):
        return (
            f"Adobe Privacy Service sent an answer Lookout could not read ({exc.field}); "
            "Lookout will retry."
        )
    if isinstance(exc, AdobeAuthError):
        return (
            f"Adobe refused the credential ({exc.message}). Syncing stops until an admin fixes "
            "it under Credentials & tokens."
        )
    if isinstance(exc, AdobeInvalidRequest):
        return f"Adobe Privacy Service refused the request: {exc.message}."
    if isinstance(exc, SoftTimeLimitExceeded):
        return "The sync ran out of time and was stopped; the next run carries on from there."
    if isinstance(exc, LeaseLost):
        return "The sync took too long and another run took over."
    if isinstance(exc, AdobeError):
        return exc.message
    return f"Unexpected error ({type(exc).__name__}); see the worker log."


def lease_claim(organization_id: int, owner: str, now: datetime) -> bool:
    """Take the organization's lease with a conditional update; False if another run holds it."""
    try:
        with transaction.atomic():
            PrivacySyncState.objects.get_or_create(organization_id=organization_id)
    except IntegrityError:
        pass  # a concurrent run created it first
    lease = timedelta(seconds=settings.LOOKOUT_PRIVACY_SYNC_LEASE)
    claimed = (
        PrivacySyncState.objects.filter(organization_id=organization_id)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + lease, lease_owner=owner, last_attempt_at=now)
    )
    return claimed == 1


def outcome_record(
    organization_id: int,
    owner: str,
    started: datetime,
    result: SyncResult,
    failure: BaseException | None,
) -> None:
    """Write the outcome and free the lease; only our own lease, with .update() (B.13)."""
    now = timezone.now()
    values: dict = {"lease_until": None, "lease_owner": "", "last_summary": result.summary[:200]}
    if failure is None:
        values.update(
            last_success_at=started,
            last_error="",
            consecutive_failures=0,
            next_attempt_at=None,
            jobs_seen=PrivacyJob.objects.filter(
                organization_id=organization_id, gone_at__isnull=True
            ).count(),
        )
    else:
        values.update(
            last_error=result.error[:500],
            last_error_at=now,
            consecutive_failures=F("consecutive_failures") + 1,
        )
    updated = PrivacySyncState.objects.filter(
        organization_id=organization_id, lease_owner=owner
    ).update(**values)
    log = logger.info if failure is None else logger.warning
    log(
        "Privacy sync of organization %s: %s%s",
        organization_id,
        result.summary,
        f" — failed: {result.error}" if failure is not None else "",
    )
    if not updated:
        logger.warning("Privacy sync of %s finished after losing its lease", organization_id)

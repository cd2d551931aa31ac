"""Privacy job sync: a beat task that only fans out, and one idempotent task per organization."""

from __future__ import annotations

import logging
import math

from celery import shared_task
from django.conf import settings

from adobe.errors import AdobeBadResponse, AdobeRateLimited, AdobeUnavailable

logger = logging.getLogger(__name__)

# A first backfill of a large organization reads every job's detail once: give it time. The
# lease is renewed as it goes, and a run cut short is continued by the next one.
SYNC_SOFT_TIME_LIMIT = 30 * 60


@shared_task(name="privacy.jobs_sync_all", ignore_result=True)
def privacy_sync_all_task() -> int:
    from privacy.services.sync import privacy_sync_organization_ids

    organization_ids = privacy_sync_organization_ids()
    for organization_id in organization_ids:
        # Expires before the next tick: a backlog never piles up syncs of one organization.
        privacy_sync_task.apply_async(
            kwargs={"organization_id": organization_id},
            expires=settings.LOOKOUT_PRIVACY_SYNC_INTERVAL * 0.8,
        )
    return len(organization_ids)


# acks_late is safe: the run claims the organization's lease and upserts on natural keys, so a
# redelivered message repeats no work that matters.
@shared_task(
    name="privacy.jobs_sync",
    bind=True,
    acks_late=True,
    max_retries=5,
    soft_time_limit=SYNC_SOFT_TIME_LIMIT,
    time_limit=SYNC_SOFT_TIME_LIMIT + 120,
)
def privacy_sync_task(self, *, organization_id: int, backfill: bool = False) -> None:
    from privacy.services.sync import privacy_sync

    try:
        privacy_sync(organization_id=organization_id, backfill=backfill)
    except AdobeRateLimited as exc:
        raise self.retry(exc=exc, countdown=max(1, math.ceil(exc.retry_after))) from None
    except (AdobeUnavailable, AdobeBadResponse) as exc:
        raise self.retry(exc=exc, countdown=min(600, 30 * 2**self.request.retries)) from None


@shared_task(name="privacy.submissions_reconcile", ignore_result=True)
def submissions_reconcile_task() -> int:
    """Find the jobs of submissions whose answer from Adobe was lost (never resends them)."""
    from privacy.services.submissions import submissions_reconcile_uncertain

    return submissions_reconcile_uncertain()

"""Privacy job sync: a beat task that only fans out, and one idempotent task per organization.

Retries are the data's business, not Celery's: a failed sync records when it may run again
(dashboard.runs), and the fan-out, every LOOKOUT_PRIVACY_DUE_CHECK_INTERVAL, queues the
organizations that are due — a killed sync's included, as soon as its lease runs out.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

logger = logging.getLogger(__name__)

# A first backfill of a large organization reads every job's detail once: give it time. The
# lease is renewed as it goes, and a run cut short is continued by the next one.
SYNC_SOFT_TIME_LIMIT = 30 * 60


@shared_task(name="privacy.jobs_sync_due", ignore_result=True)
def privacy_sync_due_task() -> int:
    from privacy.services.sync import privacy_sync_due_organization_ids

    organization_ids = privacy_sync_due_organization_ids()
    for organization_id in organization_ids:
        # Expires before the next fan-out: a backlog never piles up syncs of one organization.
        privacy_sync_task.apply_async(
            kwargs={"organization_id": organization_id, "scheduled": True},
            expires=settings.LOOKOUT_PRIVACY_DUE_CHECK_INTERVAL,
        )
    return len(organization_ids)


# acks_late is safe: the run claims the organization's row and upserts on natural keys, and a
# redelivered scheduled message finds the sync not due.
@shared_task(
    name="privacy.jobs_sync",
    acks_late=True,
    soft_time_limit=SYNC_SOFT_TIME_LIMIT,
    time_limit=SYNC_SOFT_TIME_LIMIT + 120,
)
def privacy_sync_task(
    *, organization_id: int, backfill: bool = False, scheduled: bool = False
) -> str:
    from privacy.services.sync import privacy_sync

    result = privacy_sync(organization_id=organization_id, backfill=backfill, scheduled=scheduled)
    return result.error or result.summary


@shared_task(name="privacy.submissions_reconcile", ignore_result=True)
def submissions_reconcile_task() -> int:
    """Find the jobs of submissions whose answer from Adobe was lost (never resends them)."""
    from privacy.services.submissions import submissions_reconcile_uncertain

    return submissions_reconcile_uncertain()


def privacy_first_sync(organization_id: int) -> None:
    """An organization is ready (dashboard.hooks): sync its jobs now rather than at beat's next
    due check."""
    privacy_sync_task.delay(organization_id=organization_id)

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
    from dashboard.services.notifications import notifications_scan_soon
    from privacy.notifications import SOURCES
    from privacy.services.sync import privacy_sync

    result = privacy_sync(organization_id=organization_id, backfill=backfill, scheduled=scheduled)
    # Only a sync that changed jobs or failed can have news; deadlines passing are found by
    # beat's scan every minute. (A scan per quiet sync nearly doubled the tasks of a fleet.)
    if result.created or result.updated or result.error:
        notifications_scan_soon(source.name for source in SOURCES)
    return result.error or result.summary


@shared_task(name="privacy.submissions_reconcile", ignore_result=True)
def submissions_reconcile_due_task() -> int:
    """Beat: queue a check for each organization with an uncertain submission due one."""
    from privacy.services.submission_checks import submission_check_due_organization_ids

    organization_ids = submission_check_due_organization_ids()
    for organization_id in organization_ids:
        # Expires before the next tick, which queues it again if it is still due.
        submissions_reconcile_task.apply_async(
            kwargs={"organization_id": organization_id},
            expires=settings.LOOKOUT_PRIVACY_DUE_CHECK_INTERVAL,
        )
    return len(organization_ids)


# acks_late is safe: each submission is claimed before it is checked, and a check only lists
# jobs (a submission is never sent again).
@shared_task(name="privacy.submissions_reconcile_org", acks_late=True, ignore_result=True)
def submissions_reconcile_task(*, organization_id: int) -> int:
    """Look for the jobs of an organization's uncertain submissions at Adobe, and decide them."""
    from privacy.services.submission_checks import submissions_reconcile

    return submissions_reconcile(organization_id=organization_id)


def privacy_first_sync(organization_id: int) -> None:
    """An organization is ready (dashboard.hooks): sync its jobs now rather than at beat's next
    due check. A broker that is down pauses it (dashboard.background); the due check catches up."""
    from dashboard.background import enqueue

    enqueue(privacy_sync_task, organization_id=organization_id)

"""Status polls: thin named tasks that call one service (style B.10).

A poll claims its singleton row, so overlapping ticks, retries and manual syncs cost one set of
requests. Adobe's Retry-After is recorded on that row (no poll calls Adobe before it is over) and,
when shorter than the beat interval, the task also retries itself after exactly that long.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings


@shared_task(
    name="status.poll", bind=True, acks_late=True, max_retries=3, soft_time_limit=90, time_limit=120
)
def status_events_poll_task(self) -> str:
    from status.services.poll import status_events_poll

    outcome = status_events_poll()
    if (
        outcome.retry_after is not None
        and outcome.retry_after < settings.LOOKOUT_STATUS_POLL_INTERVAL
    ):
        raise self.retry(countdown=outcome.retry_after + 1)
    return str(outcome)


@shared_task(
    name="status.registry_sync",
    bind=True,
    acks_late=True,
    max_retries=3,
    soft_time_limit=90,
    time_limit=120,
)
def status_registry_poll_task(self) -> str:
    from status.services.poll import status_registry_poll

    outcome = status_registry_poll()
    if outcome.retry_after is not None:
        raise self.retry(countdown=outcome.retry_after + 1)
    return str(outcome)

"""Status polls: thin named tasks that call one service (style B.10).

Each poll is a background run on its row (dashboard.runs): an overlapping tick, a second beat or a
redelivered message finds it running or not due and costs nothing. Failures are retried by the
data, not by Celery: the poll records when the next attempt may call Adobe (Adobe's Retry-After
included) and beat's next tick after that time runs it.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(name="status.poll", acks_late=True, soft_time_limit=90, time_limit=120)
def status_events_poll_task(*, scheduled: bool = True) -> str:
    from dashboard.services.notifications import notifications_scan_soon
    from status.notifications import SOURCES
    from status.services.poll import status_events_poll

    result = status_events_poll(scheduled=scheduled)
    notifications_scan_soon(source.name for source in SOURCES)
    return str(result)


@shared_task(name="status.registry_sync", acks_late=True, soft_time_limit=90, time_limit=120)
def status_registry_poll_task(*, scheduled: bool = True) -> str:
    from status.services.poll import status_registry_poll

    return str(status_registry_poll(scheduled=scheduled))


def status_first_polls(organization_id: int) -> None:
    """An organization is ready (dashboard.hooks): fill the status pages now rather than at beat's
    next tick. The feed is the installation's: a poll that is not due costs nothing. A broker that
    is down pauses them (dashboard.background), and then beat's next tick catches up."""
    from dashboard.background import enqueue

    if enqueue(status_registry_poll_task):
        enqueue(status_events_poll_task)

"""Queueing background work from a page, and knowing when it cannot be queued.

Every enqueue a request makes (a button, onboarding, an organization's first syncs) goes through
:func:`enqueue`. When the broker (Redis) is down it does not raise and does not hang: it gives up
within about ``LOOKOUT_ENQUEUE_TIMEOUT`` seconds, logs one line, records since when background work
is paused (in the database, which every process can read while Redis is down) and returns False,
so the page can say so and still answer. The first enqueue that works again, a worker receiving a
task, beat publishing one or ``/healthz`` reaching the broker clears the pause.

A queued task runs only when a worker takes it: :func:`queued_notice` is what a page says after
queueing, and says plainly when no worker is running (its heartbeat is stale, or none was ever seen
where one is expected) instead of promising the work.

Periodic fan-out inside workers (``*_due`` tasks) keeps using ``apply_async``: a worker that runs
a task has a broker, and a failed publish there is retried by beat's next tick.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from celery import Task
from django.conf import settings
from django.contrib import messages
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from dashboard.celery import app
from dashboard.models import TaskQueueState

logger = logging.getLogger(__name__)

# What an unreachable broker raises: kombu wraps most transport errors in OperationalError; the
# rest are socket errors (OSError covers refused, reset and timed-out connections).
BROKER_DOWN = (KombuOperationalError, RedisConnectionError, RedisTimeoutError, OSError)

# One reconnect covers a pooled connection that Redis closed when it restarted; a second failure
# means the broker is down.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}


def enqueue(task: Task, /, **kwargs: object) -> bool:
    """Queue ``task`` with ``kwargs`` now; True if it was queued.

    Never raises for an unreachable broker and never waits long for one. Inside a transaction,
    call it from ``transaction.on_commit`` so the worker finds the rows the caller is writing
    (style B.11).
    """
    timeout = settings.LOOKOUT_ENQUEUE_TIMEOUT
    # A connection of its own, with socket timeouts: without them a publish to a Redis that
    # vanished without closing the connection (a failover, a firewall) waits forever.
    connection = app.connection_for_write(
        transport_options={"socket_connect_timeout": timeout, "socket_timeout": timeout},
        connect_timeout=timeout,
    )
    try:
        with connection:
            task.apply_async(
                kwargs=kwargs,
                connection=connection,
                retry=True,
                retry_policy=PUBLISH_RETRY_POLICY,
            )
    except BROKER_DOWN as exc:
        since = pause_record(error=type(exc).__name__)
        logger.warning(
            "Background work paused since %s: could not queue %s (%s); nothing was queued",
            f"{since:%Y-%m-%d %H:%M:%S} UTC",
            task.name,
            type(exc).__name__,
        )
        return False
    pause_clear()
    return True


def queued_notice(done: str) -> tuple[int, str]:
    """What a page says after queueing work: ``done`` as a success while a worker is alive; a
    warning that it waits for a worker when the workers' heartbeat is stale (or, with
    ``LOOKOUT_HEALTHZ_EXPECT_PROCESSES``, was never seen). A database that has never seen a
    worker (a fresh install, the test suite) is trusted as before. Returns (level, message)."""
    from dashboard.selectors import process_health

    worker = next((p for p in process_health() if p.role == "worker"), None)
    if worker is None or worker.state in ("ok", ""):
        return messages.SUCCESS, done
    seen = (
        f"last worker seen {format_since(worker.last_seen_at)}"
        if worker.last_seen_at is not None
        else "no worker has been seen yet"
    )
    return (
        messages.WARNING,
        f"Queued, but no worker is running: it will run when a worker starts ({seen}).",
    )


def pause_record(*, error: str) -> datetime:
    """Record that the task queue is unreachable; return since when (the first failure's time)."""
    now = timezone.now()
    started = TaskQueueState.objects.filter(
        pk=TaskQueueState.SINGLETON_PK, paused_since__isnull=True
    ).update(paused_since=now, last_error=error[:200], updated_at=now)
    if started:
        return now
    # Already paused (keep its start), or the row does not exist yet.
    state, _ = TaskQueueState.objects.get_or_create(
        pk=TaskQueueState.SINGLETON_PK, defaults={"paused_since": now, "last_error": error[:200]}
    )
    return state.paused_since or now


def pause_clear() -> bool:
    """The task queue answered: background work is no longer paused. True if it was."""
    cleared = TaskQueueState.objects.filter(
        pk=TaskQueueState.SINGLETON_PK, paused_since__isnull=False
    ).update(paused_since=None, last_error="", updated_at=timezone.now())
    if cleared:
        logger.info("Background work resumed: the task queue answers again")
    return bool(cleared)


def paused_since() -> datetime | None:
    """Since when background work is paused, or None. One query by primary key; no broker call."""
    return (
        TaskQueueState.objects.filter(pk=TaskQueueState.SINGLETON_PK)
        .values_list("paused_since", flat=True)
        .first()
    )


def queue_name() -> str:
    """The broker in words, for people: "Redis" in production."""
    scheme = str(app.conf.broker_url or "").split("://", 1)[0]
    return {"redis": "Redis", "rediss": "Redis", "filesystem": "the filesystem broker"}.get(
        scheme, scheme or "the broker"
    )


def format_since(since: datetime) -> str:
    """HH:MM UTC today, with the date before that."""
    since = since.astimezone(UTC)
    if since.date() == timezone.now().date():
        return f"{since:%H:%M} UTC"
    return f"{since:%Y-%m-%d %H:%M} UTC"


def paused_notice() -> str:
    """What a page says after an action whose background work could not be queued; "" when
    background work is not paused."""
    since = paused_since()
    return "" if since is None else _notice(since)


def not_queued_notice() -> str:
    """:func:`paused_notice` for a caller that knows its enqueue just failed (a worker may have
    cleared the pause in between: the sentence is still true)."""
    return _notice(paused_since() or timezone.now())


def _notice(since: datetime) -> str:
    return (
        f"Background work is paused: Lookout cannot reach its task queue ({queue_name()}) since "
        f"{format_since(since)}. Pages show what was last read from Adobe; nothing was queued."
    )

"""The Celery app: configured from Django settings (the ``CELERY_`` namespace).

Workers and beat also tell the pages when the task queue answers again: a worker that receives a
task and beat that publishes one have reached the broker, so they clear the "background work is
paused" record (``dashboard.background``) that a page's failed enqueue left.

They also record that they are alive (``ProcessHeartbeat``) and how each task of the beat schedule
last ran (``PeriodicTaskRun``): /healthz and the staff operations page read both.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import datetime, timedelta

from celery import Celery
from celery.beat import PersistentScheduler
from celery.signals import (
    after_task_publish,
    beat_init,
    task_failure,
    task_postrun,
    task_prerun,
    worker_ready,
    worker_shutdown,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")

logger = logging.getLogger(__name__)

app = Celery("lookout")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# At most one database write per process this often: a busy worker need not touch the row per task.
QUEUE_REACHED_EVERY = 10.0
_queue_reached_at = -QUEUE_REACHED_EVERY


def _queue_reached() -> None:
    global _queue_reached_at
    now = time.monotonic()
    if now - _queue_reached_at < QUEUE_REACHED_EVERY:
        return
    _queue_reached_at = now
    try:
        from dashboard.background import pause_clear

        pause_clear()
    except Exception as exc:  # the database may be down too: the next task tries again
        logger.warning("Could not clear the background pause (%s)", type(exc).__name__)


@worker_ready.connect
def _worker_ready(**kwargs: object) -> None:
    _queue_reached()


@task_prerun.connect
def _task_received(task=None, **kwargs: object) -> None:
    if task is not None and not getattr(task.request, "is_eager", False):
        _queue_reached()


@beat_init.connect
def _beat_started(**kwargs: object) -> None:
    # Only beat: in the web process a successful enqueue clears the pause itself.
    after_task_publish.connect(_published, weak=False)


def _published(**kwargs: object) -> None:
    _queue_reached()


# --- Heartbeats and periodic-task runs (the operations page and /healthz read them) ---------
#
# A worker's main process writes its heartbeat row from a timer thread (not from tasks: an idle
# worker is alive too); beat writes its row from its scheduler's tick, so a beat that stopped
# ticking goes stale even if its process lingers. A task of the beat schedule run by a worker
# writes one row when it finishes. Every write is best effort: the database may be down too.

_heartbeat_stop = threading.Event()
_beat_seen_at = float("-inf")
_run_started: dict[str, tuple[datetime, float]] = {}
_run_errors: dict[str, str] = {}


def heartbeat_record(role: str, hostname: str, *, started_at: datetime | None = None) -> None:
    from django.utils import timezone

    from dashboard.models import ProcessHeartbeat

    now = timezone.now()
    try:
        ProcessHeartbeat.objects.update_or_create(
            role=role,
            hostname=hostname[:255],
            defaults={"pid": os.getpid(), "seen_at": now},
            create_defaults={"pid": os.getpid(), "seen_at": now, "started_at": started_at or now},
        )
    except Exception as exc:  # the next beat tries again
        logger.warning("Could not record the %s heartbeat (%s)", role, type(exc).__name__)


def _worker_heartbeats(hostname: str) -> None:
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    started_at = timezone.now()
    interval = settings.LOOKOUT_HEARTBEAT_INTERVAL
    while True:
        heartbeat_record("worker", hostname, started_at=started_at)
        connection.close()  # this thread's own connection: none held between beats
        if _heartbeat_stop.wait(interval):
            return


@worker_ready.connect
def _worker_heartbeat_start(sender=None, **kwargs: object) -> None:
    hostname = getattr(sender, "hostname", None) or socket.gethostname()
    _heartbeat_stop.clear()
    threading.Thread(
        target=_worker_heartbeats, args=(hostname,), name="lookout-heartbeat", daemon=True
    ).start()


@worker_shutdown.connect
def _worker_heartbeat_stop(**kwargs: object) -> None:
    _heartbeat_stop.set()


def beat_tick_seen() -> None:
    """Beat's tick: its heartbeat, at most once per interval."""
    global _beat_seen_at
    from django.conf import settings

    now = time.monotonic()
    if now - _beat_seen_at < settings.LOOKOUT_HEARTBEAT_INTERVAL / 3:
        return
    _beat_seen_at = now
    heartbeat_record("beat", f"beat@{socket.gethostname()}")


class HeartbeatScheduler(PersistentScheduler):
    """Celery's default scheduler, which also records beat's heartbeat on its tick (beat never
    sleeps longer than ``beat_max_loop_interval``, set to the heartbeat interval)."""

    def tick(self, *args, **kwargs):
        beat_tick_seen()
        return super().tick(*args, **kwargs)


def periodic_task_names() -> frozenset[str]:
    from django.conf import settings

    return frozenset(entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values())


def _is_periodic(task) -> bool:
    return (
        task is not None
        and not getattr(task.request, "is_eager", False)
        and task.name in periodic_task_names()
    )


@task_prerun.connect
def _periodic_started(task_id=None, task=None, **kwargs: object) -> None:
    if task_id and _is_periodic(task):
        from django.utils import timezone

        _run_started[task_id] = (timezone.now(), time.monotonic())


@task_failure.connect
def _periodic_failed(task_id=None, exception=None, sender=None, **kwargs: object) -> None:
    if task_id in _run_started:
        _run_errors[task_id] = type(exception).__name__


@task_postrun.connect
def _periodic_finished(task_id=None, task=None, state=None, **kwargs: object) -> None:
    started = _run_started.pop(task_id, None)
    error = _run_errors.pop(task_id, "")
    if started is None or task is None:
        return
    periodic_run_record(
        task.name,
        started_at=started[0],
        seconds=time.monotonic() - started[1],
        failed=bool(error) or state not in (None, "SUCCESS"),
        error=error or ("" if state in (None, "SUCCESS") else str(state)),
    )


def periodic_run_record(
    name: str, *, started_at: datetime, seconds: float, failed: bool, error: str = ""
) -> None:
    from django.utils import timezone

    from dashboard.models import PeriodicTaskRun

    outcome = PeriodicTaskRun.Outcome.FAILED if failed else PeriodicTaskRun.Outcome.OK
    try:
        PeriodicTaskRun.objects.update_or_create(
            task_name=name,
            defaults={
                "started_at": started_at,
                "finished_at": timezone.now(),
                "outcome": outcome,
                "duration": timedelta(seconds=max(seconds, 0.0)),
                "error": error[:200],
            },
        )
    except Exception as exc:
        logger.warning("Could not record the run of %s (%s)", name, type(exc).__name__)

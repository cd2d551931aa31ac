"""The Celery app: configured from Django settings (the ``CELERY_`` namespace).

Workers and beat also tell the pages when the task queue answers again: a worker that receives a
task and beat that publishes one have reached the broker, so they clear the "background work is
paused" record (``dashboard.background``) that a page's failed enqueue left.
"""

from __future__ import annotations

import logging
import os
import time

from celery import Celery
from celery.signals import after_task_publish, beat_init, task_prerun, worker_ready

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

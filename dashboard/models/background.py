"""Whether background work can be queued: one row every process reads, Redis or no Redis.

While the broker (Redis) is unreachable nothing can be queued, so the fact has to live where every
web process, worker and beat can read and write it without the broker: the database.
:mod:`dashboard.background` is the only code that writes it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class TaskQueueState(models.Model):
    """The one row (``pk=1``): since when the task queue has been unreachable, if it is."""

    SINGLETON_PK = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_PK, editable=False)
    # Set by the first enqueue that fails, kept by the next ones; cleared by the first that works.
    paused_since = models.DateTimeField(null=True, blank=True)
    # The kind of failure (an exception class name), never a broker URL or its password.
    last_error = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="task_queue_state_single_row"),
        ]

    def __str__(self) -> str:
        return f"paused since {self.paused_since:%Y-%m-%d %H:%M} UTC" if self.paused_since else "ok"

"""The fields every background run keeps: who holds it, how it last went, when it may run next.

A credential's token refresh, an organization's privacy sync and the installation's Status polls
all inherit :class:`BackgroundRun`; :mod:`dashboard.runs` is the only code that writes these fields
(styles B.12 and B.13).
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils import timezone


class BackgroundRun(models.Model):
    # The claim: the run holding the row renews ``lease_until`` while it lives; a run whose lease
    # ran out was killed, and the next claim takes over at once and records that.
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=36, blank=True)

    # The outcome, shown on pages in plain words.
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    # No scheduled run starts before this: the interval after a success, the backoff (or
    # Adobe's Retry-After) after a failure.
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def is_running(self, now: datetime | None = None) -> bool:
        return self.lease_until is not None and self.lease_until >= (now or timezone.now())

    @property
    def is_failing(self) -> bool:
        return self.consecutive_failures > 0

"""The one definition of a late job, for the SQL filter, the counts and each job's badge alike.

A job is *late* when it is unfinished and either

* *overdue*: older than its regulation's ``days_to_respond`` (legacy codes count as the regulation
  they were renamed to), or
* *stuck*: older than ``LOOKOUT_PRIVACY_STUCK_AFTER_HOURS``, whatever its regulation, known or not.

``LatenessRules`` holds the deadlines and ``now`` for one request, so the list filter, the counts
and the badges all judge every job against the same clock and the same table.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q

from privacy.models import PrivacyJob

LATE_STATES = frozenset({"overdue", "stuck"})


@dataclass(frozen=True)
class Lateness:
    state: str  # "done", "ok", "soon", "overdue", "stuck", "unknown"
    text: str

    @property
    def is_late(self) -> bool:
        return self.state in LATE_STATES


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


@dataclass(frozen=True)
class LatenessRules:
    """Deadlines per regulation code, the stuck threshold and the time they are judged at."""

    days_to_respond: Mapping[str, int]
    now: datetime
    stuck_after: timedelta

    def late_q(self) -> Q:
        """The SQL side of ``Lateness.is_late``: unfinished, and overdue or stuck."""
        stuck = Q(adobe_created_at__lt=self.now - self.stuck_after)
        overdue = [
            Q(regulation=code, adobe_created_at__lt=self.now - timedelta(days=days))
            for code, days in self.days_to_respond.items()
        ]
        return Q(status__in=PrivacyJob.UNFINISHED) & functools.reduce(operator.or_, overdue, stuck)

    def of(self, job: PrivacyJob) -> Lateness:
        """The badge for one job; late exactly when ``late_q`` selects it."""
        if job.is_finished:
            return Lateness("done", "")
        created = job.adobe_created_at
        if created is None:
            return Lateness("unknown", "No deadline known: Adobe gave no creation time.")
        deadline = job.deadline(self.days_to_respond.get(job.regulation))
        if deadline is not None and deadline < self.now:
            return Lateness("overdue", f"Overdue by {_plural((self.now - deadline).days, 'day')}")
        if created < self.now - self.stuck_after:
            hours = int((self.now - created).total_seconds() // 3600)
            left = (
                f"{_plural((deadline - self.now).days, 'day')} left"
                if deadline is not None
                else "no deadline known for this regulation"
            )
            return Lateness("stuck", f"Stuck: unfinished after {hours} hours; {left}")
        if deadline is None:
            return Lateness("unknown", "No deadline known for this regulation.")
        left = deadline - self.now
        state = "soon" if left < timedelta(days=7) else "ok"
        return Lateness(state, f"{_plural(left.days, 'day')} left")

    def badge(self, jobs: Iterable[PrivacyJob]) -> list[PrivacyJob]:
        """Set ``job.lateness`` on each job, for the templates; returns the jobs as a list."""
        jobs = list(jobs)
        for job in jobs:
            job.lateness = self.of(job)
        return jobs

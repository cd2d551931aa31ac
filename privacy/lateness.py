"""The one definition of a late job, for the SQL filter, the counts and each job's badge alike.

A job is *late* when it is unfinished, its regulation has a deadline in the Regulation table
(legacy codes count as the regulation they were renamed to), and it is either

* *overdue*: older than its regulation's ``days_to_respond``, or
* *stuck*: older than ``LOOKOUT_PRIVACY_STUCK_AFTER_HOURS`` while still inside its deadline.

A job whose regulation the table does not list has no deadline Lookout knows: it is never late or
stuck, in the counts, the filter or its badge, which says "No deadline known for this regulation"
(an admin adds the regulation to have it judged). Nor is a job Adobe gave no creation time.

``LatenessRules`` holds the deadlines and ``now`` for one request, so the list filter, the counts
and the badges all judge every job against the same clock and the same table.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Case, DateTimeField, ExpressionWrapper, F, Q, Value, When
from django.utils.translation import ngettext

from dashboard.paging import Keyset, Segment
from privacy.models import PrivacyJob

LATE_STATES = frozenset({"overdue", "stuck"})
NO_DEADLINE = "No deadline known for this regulation."
NO_CREATION_TIME = "No deadline known: Adobe gave no creation time."


@dataclass(frozen=True)
class Lateness:
    state: str  # "done", "ok", "soon", "overdue", "stuck", "unknown"
    text: str

    @property
    def is_late(self) -> bool:
        return self.state in LATE_STATES


def days_text(days: int) -> str:
    """Days in words: "1 day", "3 days"."""
    return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}


def hours_text(hours: int) -> str:
    """Hours in words: "1 hour", "100 hours"."""
    return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}


def age_text(since: datetime, now: datetime) -> str:
    """How long ago, in the units deadlines count in: "40 days", "5 hours", "under an hour"."""
    age = now - since
    if age >= timedelta(days=1):
        return days_text(age.days)
    if age >= timedelta(hours=1):
        return hours_text(int(age.total_seconds() // 3600))
    return "under an hour"


@dataclass(frozen=True)
class LatenessRules:
    """Deadlines per regulation code, the stuck threshold and the time they are judged at."""

    days_to_respond: Mapping[str, int]
    now: datetime
    stuck_after: timedelta

    def _codes_by_days(self) -> list[tuple[int, list[str]]]:
        # One SQL term per distinct deadline, not per code: a dozen codes share three or four.
        codes_by_days: dict[int, list[str]] = {}
        for code, days in sorted(self.days_to_respond.items()):
            codes_by_days.setdefault(days, []).append(code)
        return sorted(codes_by_days.items())

    def late_q(self) -> Q:
        """The SQL side of ``Lateness.is_late``: unfinished, listed, and overdue or stuck."""
        listed = sorted(self.days_to_respond)
        stuck = Q(regulation__in=listed, adobe_created_at__lt=self.now - self.stuck_after)
        overdue = [
            Q(regulation__in=codes, adobe_created_at__lt=self.now - timedelta(days=days))
            for days, codes in self._codes_by_days()
        ]
        return Q(status__in=PrivacyJob.UNFINISHED) & functools.reduce(operator.or_, overdue, stuck)

    def deadline(self) -> Case:
        """The deadline ``of`` shows, in SQL: created plus the regulation's days; null when no
        deadline is known."""
        return Case(
            *[
                When(
                    regulation__in=codes,
                    then=ExpressionWrapper(
                        F("adobe_created_at") + timedelta(days=days), output_field=DateTimeField()
                    ),
                )
                for days, codes in self._codes_by_days()
            ],
            default=Value(None),
            output_field=DateTimeField(),
        )

    def deadline_order(self) -> Keyset:
        """ "Deadline soonest": unfinished jobs first, by the deadline ``of`` shows (created plus
        the regulation's days), those with no deadline known after them; then the finished, newest
        first (their deadline no longer matters).

        As keyset segments (``dashboard.paging``): the open jobs with a deadline are few, and the
        partial index on unfinished jobs reads them; the finished go by the (created, id) index.
        """
        unfinished = Q(status__in=PrivacyJob.UNFINISHED)
        known = Q(regulation__in=sorted(self.days_to_respond), adobe_created_at__isnull=False)
        return Keyset(
            (
                Segment(unfinished & known, ((self.deadline(), False), (F("id"), False))),
                Segment(unfinished & ~known, ((F("id"), False),)),
            )
        ) + Keyset.of("-adobe_created_at", "-id", nullable="adobe_created_at", where=~unfinished)

    def of(self, job: PrivacyJob) -> Lateness:
        """The badge for one job; late exactly when ``late_q`` selects it."""
        if job.is_finished:
            return Lateness("done", "")
        created = job.adobe_created_at
        if created is None:
            return Lateness("unknown", NO_CREATION_TIME)
        deadline = job.deadline(self.days_to_respond.get(job.regulation))
        if deadline is None:
            return Lateness("unknown", NO_DEADLINE)
        if deadline < self.now:
            return Lateness("overdue", f"Overdue by {days_text((self.now - deadline).days)}")
        left = days_text((deadline - self.now).days)
        if created < self.now - self.stuck_after:
            hours = int((self.now - created).total_seconds() // 3600)
            return Lateness("stuck", f"Stuck: unfinished after {hours_text(hours)}; {left} left")
        state = "soon" if deadline - self.now < timedelta(days=7) else "ok"
        return Lateness(state, f"{left} left")

    def badge(self, jobs: Iterable[PrivacyJob]) -> list[PrivacyJob]:
        """Set ``job.lateness`` on each job, for the templates; returns the jobs as a list."""
        jobs = list(jobs)
        for job in jobs:
            job.lateness = self.of(job)
        return jobs

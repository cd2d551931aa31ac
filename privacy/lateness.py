"""How late a job is, in words: days left before the regulation's deadline, or overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from privacy.models import PrivacyJob


@dataclass(frozen=True)
class Lateness:
    state: str  # "done", "ok", "soon", "overdue", "stuck", "unknown"
    text: str


def job_lateness(
    job: PrivacyJob, *, days_to_respond: int | None, now: datetime, stuck_after: timedelta
) -> Lateness:
    if job.is_finished:
        return Lateness("done", "")
    deadline = job.deadline(days_to_respond)
    if deadline is None:
        return Lateness("unknown", "No deadline known for this regulation.")
    left = deadline - now
    if left < timedelta(0):
        days = (now - deadline).days
        return Lateness("overdue", f"Overdue by {days} day{'s' if days != 1 else ''}")
    if job.adobe_created_at and now - job.adobe_created_at > stuck_after:
        hours = int((now - job.adobe_created_at).total_seconds() // 3600)
        return Lateness("stuck", f"Stuck: unfinished after {hours} hours; {left.days} days left")
    state = "soon" if left < timedelta(days=7) else "ok"
    return Lateness(state, f"{left.days} day{'s' if left.days != 1 else ''} left")

"""Privacy jobs: the model, their lifecycle on the simulated clock, and the store.

A job's state is a pure function of its timeline and "now": it is `submitted` until
`processing_at`, `processing` until `finished_at`, then its `outcome` (`complete` or `error`).
So advancing the clock needs no background work, and the same seed and clock give the same
answers. Generated jobs keep only what listing needs in memory; their details (user ids, product
responses) are derived on demand from the job id, which keeps start-up fast with 100,000 jobs.
"""

from __future__ import annotations

import bisect
import logging
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

INF = float("inf")
DAY = 86400.0


@dataclass(frozen=True)
class ProductPlan:
    """How one product answers for a job: when it finishes (fraction of processing) and how."""

    product: str  # the product-response name, e.g. "Analytics"
    done_fraction: float
    code: str  # "6000-200", "1000-400", ...
    retry_count: int = 0
    detail: str | None = None  # overrides the code's description
    results: dict[str, list[str]] | None = None


@dataclass(frozen=True)
class JobSummary:
    """What a job's list entry needs beyond its timeline."""

    request_id: str
    user_key: str
    submitted_by: str


@dataclass(frozen=True)
class JobDetails:
    summary: JobSummary
    user_ids: tuple[dict[str, object], ...]
    products: tuple[ProductPlan, ...]


@dataclass(slots=True, eq=False)
class Job:
    job_id: str
    org: int
    regulation: str
    action: str
    created_at: float
    processing_at: float
    finished_at: float
    outcome: str  # what the job ends as: "complete" or "error"
    details: JobDetails | None = None  # None: derived from the job id on demand
    generated: bool = True

    def status_at(self, now: float) -> str:
        if now < self.processing_at:
            return "submitted"
        if now < self.finished_at:
            return "processing"
        return self.outcome

    def last_modified_at(self, now: float) -> float:
        if now < self.processing_at:
            return self.created_at
        if now < self.finished_at:
            return self.processing_at
        return self.finished_at

    def visible_at(self, now: float, retention_days: float | None) -> bool:
        """Adobe returns a job until `retention_days` after it finished."""
        if self.created_at > now:
            return False
        if retention_days is None or now < self.finished_at:
            return True
        return now - self.finished_at <= retention_days * DAY


@dataclass
class _OrgJobs:
    # Per regulation, newest first, as the list endpoint returns them.
    by_regulation: dict[str, list[Job]] = field(default_factory=dict)

    def add(self, job: Job) -> None:
        jobs = self.by_regulation.setdefault(job.regulation, [])
        bisect.insort(jobs, job, key=_newest_first)

    def all(self) -> Iterable[Job]:
        for jobs in self.by_regulation.values():
            yield from jobs


def _newest_first(job: Job) -> float:
    return -job.created_at


class JobStore:
    """Every job of every organization, with undo information for `reset`."""

    def __init__(self, org_count: int) -> None:
        self.lock = threading.RLock()
        self._orgs = [_OrgJobs() for _ in range(org_count)]
        self._by_id: dict[str, Job] = {}
        self._added: list[str] = []  # ids created after generation
        self._original_timelines: dict[str, tuple[float, float, str]] = {}
        self._created_per_day: Counter[tuple[int, int]] = Counter()

    def load_generated(self, jobs_per_org: list[list[Job]]) -> None:
        with self.lock:
            for org_index, jobs in enumerate(jobs_per_org):
                org_jobs = self._orgs[org_index]
                buckets: dict[str, list[Job]] = {}
                for job in jobs:
                    buckets.setdefault(job.regulation, []).append(job)
                    self._by_id[job.job_id] = job
                for regulation, bucket in buckets.items():
                    bucket.sort(key=_newest_first)
                    org_jobs.by_regulation[regulation] = bucket

    def add(self, job: Job, *, count_quota: bool = True) -> None:
        """Add a job after generation (`reset` removes it); `count_quota`: it counts against
        the daily limit."""
        with self.lock:
            self._orgs[job.org].add(job)
            self._by_id[job.job_id] = job
            self._added.append(job.job_id)
            if count_quota:
                self._created_per_day[(job.org, int(job.created_at // DAY))] += 1

    def created_today(self, org: int, now: float) -> int:
        """Jobs submitted through the API by this organization on the current (GMT) day."""
        with self.lock:
            return self._created_per_day[(org, int(now // DAY))]

    def get(self, job_id: str) -> Job | None:
        return self._by_id.get(job_id)

    def set_timeline(
        self, job: Job, *, processing_at: float, finished_at: float, outcome: str
    ) -> None:
        with self.lock:
            if job.generated and job.job_id not in self._original_timelines:
                self._original_timelines[job.job_id] = (
                    job.processing_at,
                    job.finished_at,
                    job.outcome,
                )
            job.processing_at, job.finished_at, job.outcome = processing_at, finished_at, outcome

    def reset(self) -> None:
        """Forget API-created jobs and undo every change to generated ones."""
        with self.lock:
            added = set(self._added)
            for job_id in self._added:
                job = self._by_id.pop(job_id)
                jobs = self._orgs[job.org].by_regulation[job.regulation]
                jobs[:] = [j for j in jobs if j.job_id not in added]
            for job_id, (processing_at, finished_at, outcome) in self._original_timelines.items():
                job = self._by_id[job_id]
                job.processing_at, job.finished_at, job.outcome = (
                    processing_at,
                    finished_at,
                    outcome,
                )
            self._added.clear()
            self._original_timelines.clear()
            self._created_per_day.clear()

    def query(
        self,
        *,
        org: int,
        regulation: str,
        now: float,
        since: float | None,
        until: float | None,
        status: str | None,
        retention_days: float | None,
    ) -> list[Job]:
        """Visible jobs of one org and regulation, newest first, created in [since, until]."""
        until = now if until is None else min(until, now)  # nothing created in the future
        with self.lock:
            jobs = self._orgs[org].by_regulation.get(regulation, [])
            lo = bisect.bisect_left(jobs, -until, key=_newest_first)
            hi = (
                len(jobs) if since is None else bisect.bisect_right(jobs, -since, key=_newest_first)
            )
            # Jobs created within the retention period are visible whatever their state (they
            # cannot have finished before they were created): only older ones need a check.
            recent_end = hi
            if retention_days is not None:
                cutoff = -(now - retention_days * DAY)
                recent_end = max(lo, min(hi, bisect.bisect_right(jobs, cutoff, key=_newest_first)))
            window = jobs[lo:recent_end]
            older = jobs[recent_end:hi]
        window += [job for job in older if job.visible_at(now, retention_days)]
        if status is None:
            return window
        return [job for job in window if job.status_at(now) == status]

    def org_jobs(self, org: int) -> list[Job]:
        with self.lock:
            return list(self._orgs[org].all())

    def counts(self, org: int, now: float, retention_days: float | None) -> dict[str, object]:
        by_status: Counter[str] = Counter()
        by_regulation: Counter[str] = Counter()
        hidden = upcoming = 0
        for job in self.org_jobs(org):
            if job.created_at > now:
                upcoming += 1
                continue
            if not job.visible_at(now, retention_days):
                hidden += 1
                continue
            by_status[job.status_at(now)] += 1
            by_regulation[job.regulation] += 1
        return {
            "total": sum(by_status.values()),
            "by_status": dict(sorted(by_status.items())),
            "by_regulation": dict(sorted(by_regulation.items())),
            "expired": hidden,  # finished longer ago than Adobe keeps jobs
            "upcoming": upcoming,  # created after now (generated with `future_days`)
        }

"""Writing what a sync read from Adobe: one page of jobs at a time, in bulk, on natural keys.

A page of listed jobs costs one read of the rows it names, the detail calls for the jobs that
changed, and (only if something changed) one bulk upsert of jobs plus one of product responses,
all in a single transaction per page. Nothing here keeps state across pages, so memory does not
grow with the number of jobs; and because every write is an upsert on (organization, job_id) or
(job, product), a page written twice leaves the same rows.

A page's details are read together, ``LOOKOUT_PRIVACY_DETAIL_CONCURRENCY`` at a time, by the
run's :class:`DetailReader` (a pool of threads that only send HTTP), and the page is written once
they are all in: storing a page returns a :class:`PendingPage` at once, and the run writes it
while the next page's details are read.

A detail Adobe does not return (404) is never taken as read: the job keeps what it had (its
product responses, when its detail was last read) and another look is scheduled
(``next_detail_at``). Only a complete full listing decides that a job is gone
(:mod:`privacy.services.sync`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from adobe import JobDetail, JobSummary
from adobe.errors import AdobeNotFound
from privacy.models import PrivacyJob, ProductResponse

logger = logging.getLogger(__name__)

UNFINISHED = frozenset(PrivacyJob.UNFINISHED)
# Unfinished jobs are re-read after 1/8 of their age, within these bounds: a job submitted an
# hour ago is looked at again soon, one stuck for a week a few times a day (Adobe asks that its
# GET endpoints not be polled hard).
DETAIL_BACKOFF_MIN = timedelta(minutes=10)
DETAIL_BACKOFF_MAX = timedelta(hours=6)
DETAIL_BACKOFF_FRACTION = 8

# Fields a listing alone can tell; the others come from GET /jobs/{id}.
SUMMARY_FIELDS = [
    "request_id",
    "user_key",
    "submitted_by",
    "action",
    "regulation",
    "status",
    "adobe_created_at",
    "adobe_modified_at",
    "last_seen_at",
    "gone_at",
    "updated_at",
]
# What reading the detail sets; a detail that could not be read (404) sets only when to look again,
# so the job is asked again until its detail has been read.
ATTEMPT_FIELDS = ["detail_fetched_at", "detail_modified_at", "next_detail_at"]
UNREAD_FIELDS = [*SUMMARY_FIELDS, "next_detail_at"]
DETAIL_FIELDS = [*SUMMARY_FIELDS, *ATTEMPT_FIELDS, "download_url", "user_ids", "raw_detail"]
PRODUCT_FIELDS = [
    "status",
    "message",
    "response_code",
    "detail",
    "processed_at",
    "retry_count",
    "processed_ids",
    "ignored_ids",
]
# What deciding "did it change?" needs from a stored row (never raw_detail: it is large).
COMPARE_FIELDS = (
    "id",
    "job_id",
    "status",
    "adobe_created_at",
    "adobe_modified_at",
    "detail_fetched_at",
    "detail_modified_at",
    "next_detail_at",
    "gone_at",
)


@dataclass
class PageCounts:
    """What writing one page did: ``details`` read, ``unread`` details Adobe did not return."""

    created: int = 0
    updated: int = 0
    details: int = 0
    unread: int = 0


def detail_backoff(*, created_at: datetime | None, now: datetime) -> datetime:
    """When to look at a job again: after 1/8 of its age, within the bounds."""
    age = now - created_at if created_at and created_at < now else timedelta(0)
    return now + min(DETAIL_BACKOFF_MAX, max(DETAIL_BACKOFF_MIN, age / DETAIL_BACKOFF_FRACTION))


def next_detail_at(*, status: str, created_at: datetime | None, now: datetime) -> datetime | None:
    """When to read an unfinished job's detail again; None for finished jobs."""
    if status not in UNFINISHED:
        return None
    return detail_backoff(created_at=created_at, now=now)


def needs_detail(row: PrivacyJob | None, job: JobSummary, now: datetime) -> bool:
    """New, changed since its detail was read, or unfinished and due for another look."""
    if row is None or row.detail_fetched_at is None:
        return True
    if row.status != job.status or row.adobe_modified_at != job.last_modified_at:
        return True
    if job.last_modified_at is not None and row.detail_modified_at != job.last_modified_at:
        return True  # an earlier run stored the listing but not the detail
    return job.status in UNFINISHED and (row.next_detail_at is None or row.next_detail_at <= now)


def fetch_detail(get_job: Callable[..., JobDetail], job_id: str) -> JobDetail | None:
    """The job's detail with its raw JSON, or None when Adobe did not return it (404)."""
    try:
        return get_job(job_id, keep_raw=True)
    except AdobeNotFound:
        logger.info("Privacy job %s: its detail could not be read (404); asked again later", job_id)
        return None


class TokenRejected(Exception):
    """A pool thread's token got a 401: refreshing it is the run's thread's work."""


class PoolToken:
    """The token provider of a :class:`DetailReader`'s threads: hands out the token the run's
    thread read last (:meth:`set`); a 401 is not refreshed here (that reads and writes the
    credential's row, in the database) but raises :class:`TokenRejected` and is remembered, so
    that the rest of the page is read in the run's thread, whose provider refreshes."""

    def __init__(self) -> None:
        self._value = ""
        self.rejected = threading.Event()

    def __repr__(self) -> str:
        return f"PoolToken(rejected={self.rejected.is_set()})"

    def set(self, value: str) -> None:
        self._value = value
        self.rejected.clear()

    def __call__(self, *, force_refresh: bool = False) -> str:
        if force_refresh:
            self.rejected.set()
            raise TokenRejected
        return self._value


_DEFERRED = object()  # not read in the pool (its token was rejected, or the page stopped)


class DetailBatch:
    """The details of one page, being read: :meth:`result` waits for them (in the run's
    thread)."""

    def __init__(self, reader: DetailReader, job_ids: Sequence[str]) -> None:
        self._reader = reader
        self._job_ids = list(job_ids)
        self._stopping = threading.Event()  # a read failed: the page's queued reads are dropped
        self._read: dict[str, JobDetail | None] = {}
        self._futures: dict[Future, str] = {}
        if reader.pool is None or len(self._job_ids) < 2:
            self._read = {job_id: fetch_detail(reader.get_job, job_id) for job_id in job_ids}
        else:
            reader.pool_token.set(reader.token())
            self._futures = {
                reader.pool.submit(self._read_one, job_id): job_id for job_id in self._job_ids
            }

    def result(self) -> dict[str, JobDetail | None]:
        """Job id -> its detail, or None where Adobe did not return it (404). The first other
        failure is raised, and the page's reads not started yet are dropped."""
        deferred: list[str] = []
        try:
            for future in as_completed(self._futures):
                detail = future.result()
                if detail is _DEFERRED:
                    deferred.append(self._futures[future])
                else:
                    self._read[self._futures[future]] = detail
        except BaseException:
            self._stopping.set()
            for future in self._futures:
                future.cancel()
            raise
        finally:
            self._futures = {}
            self._reader.flush()
        if deferred:
            logger.info("A job detail got 401: reading %d of a page's details here", len(deferred))
        for job_id in deferred:
            self._read[job_id] = fetch_detail(self._reader.get_job, job_id)
        return {job_id: self._read[job_id] for job_id in self._job_ids}

    def _read_one(self, job_id: str) -> JobDetail | object | None:
        """In a pool thread: HTTP and parsing only."""
        if self._reader.pool_token.rejected.is_set() or self._stopping.is_set():
            return _DEFERRED
        try:
            return fetch_detail(self._reader.pool_get_job, job_id)
        except TokenRejected:
            return _DEFERRED


class DetailReader:
    """Reads the details of a sync run's pages of jobs, ``concurrency`` at a time.

    The threads only send HTTP and parse (``pool_get_job``: a client that counts its attempts in
    memory and takes its token from ``pool_token``). Everything that touches the database stays
    in the run's thread, because Django's connections are per thread and a pool thread's would
    never be closed: reading the token (``token``, called for each page), writing the attempts'
    counts (``flush``, after each page) and, after a 401, reading the rest of the page with
    ``get_job``, whose token provider refreshes the token. A 429 seen by one thread pauses them
    all (the clients share one :class:`~adobe.ratelimit.RateGate`). The first other error stops
    the page: its queued reads are dropped and the error is raised, as it would have been had
    the details been read one by one.

    Calling it with a page's job ids starts reading them and returns their
    :class:`DetailBatch` at once, so that the run writes one page while the next one's details
    are read. Use it as a context manager (the threads end with it); ``concurrency`` 1 reads in
    the run's thread only, before returning.
    """

    def __init__(
        self,
        *,
        get_job: Callable[..., JobDetail],
        pool_get_job: Callable[..., JobDetail],
        pool_token: PoolToken,
        token: Callable[[], str],
        flush: Callable[[], None],
        concurrency: int,
    ) -> None:
        self.get_job = get_job
        self.pool_get_job = pool_get_job
        self.pool_token = pool_token
        self.token = token
        self.flush = flush
        self.pool = (
            ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="privacy-detail")
            if concurrency > 1
            else None
        )

    def __enter__(self) -> DetailReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        self.flush()

    def __call__(self, job_ids: Sequence[str]) -> DetailBatch:
        return DetailBatch(self, job_ids)


#: Starts reading the details of some jobs (:class:`DetailReader`).
ReadDetails = Callable[[Sequence[str]], DetailBatch]


@dataclass
class PendingPage:
    """A page whose details are being read; :meth:`write` waits for them and stores the page,
    in one transaction, returning what that did."""

    write: Callable[[], PageCounts]


def store_listed_page(
    *,
    organization_id: int,
    jobs: Sequence[JobSummary],
    read_details: ReadDetails,
    now: datetime,
    stamp_seen: bool,
) -> PendingPage:
    """Upsert one listed page. ``stamp_seen`` (full listings) records that Adobe still lists
    every job of the page, which is what later marks the others as gone. A job whose detail
    404s is stored from the listing and looked at again after the shortest backoff: Adobe
    listed it, so its detail is owed.

    Reads the page's rows and starts reading the details it needs (``read_details``), then
    returns: the page is stored by the returned page's ``write()``."""
    rows = {
        row.job_id: row
        for row in PrivacyJob.objects.filter(
            organization_id=organization_id, job_id__in=[job.job_id for job in jobs]
        ).only(*COMPARE_FIELDS)
    }
    batch = read_details(
        [job.job_id for job in jobs if needs_detail(rows.get(job.job_id), job, now)]
    )

    def write() -> PageCounts:
        return _write_listed_page(organization_id, jobs, rows, batch.result(), now, stamp_seen)

    return PendingPage(write)


def _write_listed_page(
    organization_id: int,
    jobs: Sequence[JobSummary],
    rows: dict[str, PrivacyJob],
    details: dict[str, JobDetail | None],
    now: datetime,
    stamp_seen: bool,
) -> PageCounts:
    counts = PageCounts()
    with_detail: list[tuple[PrivacyJob, JobDetail]] = []
    summary_only: list[PrivacyJob] = []
    revived: list[str] = []
    untouched: list[str] = []
    for job in jobs:
        row = rows.get(job.job_id)
        if job.job_id in details:
            detail = details[job.job_id]
            new = _job_from(organization_id, job, detail, now)
            if detail is None:
                counts.unread += 1
                summary_only.append(new)
            else:
                counts.details += 1
                with_detail.append((new, detail))
            if row is None:
                counts.created += 1
            else:
                counts.updated += 1
        elif row is not None and row.gone_at is not None:
            revived.append(job.job_id)  # listed again after we thought it gone
        else:
            untouched.append(job.job_id)
    with transaction.atomic():
        _upsert(organization_id, with_detail, summary_only)
        if revived:
            counts.updated += PrivacyJob.objects.filter(
                organization_id=organization_id, job_id__in=revived
            ).update(gone_at=None, last_seen_at=now)
        if stamp_seen and untouched:
            # A plain UPDATE (updated_at stays): Lookout saw the job, Adobe's data did not change.
            PrivacyJob.objects.filter(organization_id=organization_id, job_id__in=untouched).update(
                last_seen_at=now
            )
    return counts


def store_details(
    *,
    organization_id: int,
    rows: Sequence[PrivacyJob],
    read_details: ReadDetails,
    now: datetime,
) -> PendingPage:
    """Re-read jobs that are due (not in any listing this run) and store them.

    ``rows`` carry ``job_id`` and ``adobe_created_at``. A 404 leaves the job as it was, with
    another look after its backoff: a passing 404 must not lose it, and a job past Adobe's
    retention is marked gone by the next complete full listing, which no longer returns it.
    Starts reading the details and returns; the returned page's ``write()`` stores them."""
    batch = read_details([row.job_id for row in rows])

    def write() -> PageCounts:
        return _write_details(organization_id, rows, batch.result(), now)

    return PendingPage(write)


def _write_details(
    organization_id: int,
    rows: Sequence[PrivacyJob],
    details: dict[str, JobDetail | None],
    now: datetime,
) -> PageCounts:
    counts = PageCounts()
    with_detail: list[tuple[PrivacyJob, JobDetail]] = []
    unread: list[PrivacyJob] = []
    for row in rows:
        detail = details[row.job_id]
        if detail is None:
            counts.unread += 1
            row.next_detail_at = detail_backoff(created_at=row.adobe_created_at, now=now)
            unread.append(row)
            continue
        counts.details += 1
        summary = JobSummary(job_id=row.job_id, status=detail.status)
        with_detail.append((_job_from(organization_id, summary, detail, now), detail))
        counts.updated += 1
    with transaction.atomic():
        _upsert(organization_id, with_detail, [])
        if unread:
            PrivacyJob.objects.bulk_update(unread, ["next_detail_at"])
    return counts


def _upsert(
    organization_id: int,
    with_detail: list[tuple[PrivacyJob, JobDetail]],
    summary_only: list[PrivacyJob],
) -> None:
    unique = ["organization", "job_id"]
    if summary_only:
        PrivacyJob.objects.bulk_create(
            summary_only,
            update_conflicts=True,
            unique_fields=unique,
            update_fields=UNREAD_FIELDS,
        )
    if not with_detail:
        return
    written = PrivacyJob.objects.bulk_create(
        [job for job, _ in with_detail],
        update_conflicts=True,
        unique_fields=unique,
        update_fields=DETAIL_FIELDS,
    )
    if all(job.pk is not None for job in written):  # PostgreSQL and SQLite hand the ids back
        ids = {job.job_id: job.pk for job in written}
    else:  # not every backend does for rows that were updated rather than inserted
        ids = dict(
            PrivacyJob.objects.filter(
                organization_id=organization_id, job_id__in=[job.job_id for job, _ in with_detail]
            ).values_list("job_id", "id")
        )
    products: list[ProductResponse] = []
    for job, detail in with_detail:
        products += [_product_from(ids[job.job_id], r) for r in detail.product_responses]
    # Products Adobe no longer reports: found in one plain query (none for new jobs) rather
    # than one condition per job, which costs more to build than the page's other statements.
    reported = {(p.job_id, p.product) for p in products}
    stale = [
        pk
        for pk, job_pk, product in ProductResponse.objects.filter(
            job_id__in=list(ids.values())
        ).values_list("pk", "job_id", "product")
        if (job_pk, product) not in reported
    ]
    if stale:
        ProductResponse.objects.filter(pk__in=stale).delete()
    if products:
        ProductResponse.objects.bulk_create(
            _unique_products(products),
            update_conflicts=True,
            unique_fields=["job", "product"],
            update_fields=PRODUCT_FIELDS,
        )


def _unique_products(products: list[ProductResponse]) -> list[ProductResponse]:
    # One statement cannot upsert the same key twice (PostgreSQL refuses); the last one wins.
    return list({(p.job_id, p.product): p for p in products}.values())


def _job_from(
    organization_id: int, job: JobSummary, detail: JobDetail | None, now: datetime
) -> PrivacyJob:
    source: JobSummary | JobDetail = detail or job
    status = source.status or job.status
    created_at = source.created_at or job.created_at
    modified_at = source.last_modified_at or job.last_modified_at
    values = {
        "organization_id": organization_id,
        "job_id": job.job_id,
        "request_id": _clip(source.request_id or job.request_id, 100),
        "user_key": _clip(source.user_key or job.user_key, 500),
        "submitted_by": _clip(source.submitted_by or job.submitted_by, 254),
        "action": _clip(source.action or job.action, 20),
        "regulation": _clip(source.regulation or job.regulation, 40),
        "status": _clip(status, 20),
        "adobe_created_at": created_at,
        "adobe_modified_at": modified_at,
        "first_seen_at": now,
        "last_seen_at": now,
        "gone_at": None,
        # Not read (404): a new row says "never read", an existing one keeps its values.
        "detail_fetched_at": None,
        "detail_modified_at": None,
        "next_detail_at": now + DETAIL_BACKOFF_MIN,
    }
    if detail is not None:
        values.update(
            detail_fetched_at=now,
            detail_modified_at=modified_at,
            download_url=_clip(detail.download_url, 2000),
            user_ids=[
                {"namespace": i.namespace, "value": i.value, "type": i.type}
                for i in detail.user_ids
            ],
            raw_detail=detail.raw_json,
            next_detail_at=next_detail_at(status=status, created_at=created_at, now=now),
        )
    return PrivacyJob(**values)


def _product_from(job_pk: int, response) -> ProductResponse:
    status = response.status
    results = status.results
    return ProductResponse(
        job_id=job_pk,
        product=response.product[:100],
        status=_clip(status.status, 40),
        message=status.message or "",
        response_code=_clip(status.code, 40),
        detail=status.detail or "",
        processed_at=response.processed_at,
        retry_count=response.retry_count,
        processed_ids=list(results.processed) if results else [],
        ignored_ids=list(results.ignored) if results else [],
    )


def _clip(value: str | None, length: int) -> str:
    return (value or "")[:length]

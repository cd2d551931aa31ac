"""Writing what a sync read from Adobe: one page of jobs at a time, in bulk, on natural keys.

A page of listed jobs costs one read of the rows it names, the detail calls for the jobs that
changed, and (only if something changed) one bulk upsert of jobs plus one of product responses,
all in a single transaction per page. Nothing here keeps state across pages, so memory does not
grow with the number of jobs; and because every write is an upsert on (organization, job_id) or
(job, product), a page written twice leaves the same rows.

A detail Adobe does not return (404) is never taken as read: the job keeps what it had (its
product responses, when its detail was last read) and another look is scheduled
(``next_detail_at``). Only a complete full listing decides that a job is gone
(:mod:`privacy.services.sync`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q

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


def store_listed_page(
    *,
    organization_id: int,
    jobs: Sequence[JobSummary],
    get_job: Callable[..., JobDetail],
    now: datetime,
    stamp_seen: bool,
) -> PageCounts:
    """Upsert one listed page. ``stamp_seen`` (full listings) records that Adobe still lists
    every job of the page, which is what later marks the others as gone. A job whose detail
    404s is stored from the listing and looked at again after the shortest backoff: Adobe
    listed it, so its detail is owed."""
    counts = PageCounts()
    rows = {
        row.job_id: row
        for row in PrivacyJob.objects.filter(
            organization_id=organization_id, job_id__in=[job.job_id for job in jobs]
        ).only(*COMPARE_FIELDS)
    }
    with_detail: list[tuple[PrivacyJob, JobDetail]] = []
    summary_only: list[PrivacyJob] = []
    revived: list[str] = []
    untouched: list[str] = []
    for job in jobs:
        row = rows.get(job.job_id)
        if needs_detail(row, job, now):
            detail = fetch_detail(get_job, job.job_id)
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
    get_job: Callable[..., JobDetail],
    now: datetime,
) -> PageCounts:
    """Re-read jobs that are due (not in any listing this run) and store them.

    ``rows`` carry ``job_id`` and ``adobe_created_at``. A 404 leaves the job as it was, with
    another look after its backoff: a passing 404 must not lose it, and a job past Adobe's
    retention is marked gone by the next complete full listing, which no longer returns it."""
    counts = PageCounts()
    with_detail: list[tuple[PrivacyJob, JobDetail]] = []
    unread: list[PrivacyJob] = []
    for row in rows:
        detail = fetch_detail(get_job, row.job_id)
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
    PrivacyJob.objects.bulk_create(
        [job for job, _ in with_detail],
        update_conflicts=True,
        unique_fields=unique,
        update_fields=DETAIL_FIELDS,
    )
    # Not every backend hands back the ids of rows that were updated rather than inserted.
    ids = dict(
        PrivacyJob.objects.filter(
            organization_id=organization_id, job_id__in=[job.job_id for job, _ in with_detail]
        ).values_list("job_id", "id")
    )
    products: list[ProductResponse] = []
    stale = Q()
    for job, detail in with_detail:
        job_pk = ids[job.job_id]
        names = []
        for response in detail.product_responses:
            names.append(response.product[:100])
            products.append(_product_from(job_pk, response))
        stale |= Q(job_id=job_pk) & ~Q(product__in=names)
    ProductResponse.objects.filter(stale).delete()  # products Adobe no longer reports
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

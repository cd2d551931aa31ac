"""Typed, immutable Privacy Service responses and their parsers (adobe-api.md §2.3-§2.5).

Tolerances the docs force on us: the job list sits under ``jobDetails`` or ``jobs``; the download
link is ``downloadURL`` or ``downloadUrl``; dates are ``MM/DD/YYYY hh:mm AM GMT`` or ISO 8601.
Fields whose values are personal data (identity values, user keys, submitter e-mails) are kept out
of ``repr`` so that logging an object does not log a person.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from adobe import _parse as p
from adobe.codes import OutcomeCode, outcome

logger = logging.getLogger(__name__)

JOB_LIST_KEYS = ("jobDetails", "jobs")
DOWNLOAD_KEYS = ("downloadURL", "downloadUrl")


@dataclass(frozen=True, slots=True)
class UserIdentity:
    """One identity of a data subject (``namespace`` + ``value``, qualified by ``type``)."""

    namespace: str
    value: str = field(repr=False)
    type: str = "standard"
    namespace_id: int | None = None
    is_deleted_client_side: bool | None = None


@dataclass(frozen=True, slots=True)
class JobSummary:
    """A job as ``GET /jobs`` lists it."""

    job_id: str
    status: str
    action: str | None = None
    request_id: str | None = None
    user_key: str | None = field(default=None, repr=False)
    submitted_by: str | None = field(default=None, repr=False)
    created_at: datetime | None = None
    last_modified_at: datetime | None = None
    regulation: str | None = None


@dataclass(frozen=True, slots=True)
class JobPage:
    """One page of ``GET /jobs``; ``jobs_key`` records which spelling the server used."""

    jobs: tuple[JobSummary, ...]
    total_records: int | None
    jobs_key: str


@dataclass(frozen=True, slots=True)
class ProductResults:
    processed: tuple[str, ...] = field(default=(), repr=False)
    ignored: tuple[str, ...] = field(default=(), repr=False)


@dataclass(frozen=True, slots=True)
class ProductStatus:
    status: str | None = None
    message: str | None = None
    code: str | None = None  # responseMsgCode, e.g. PRVCY-6000-200
    detail: str | None = None
    results: ProductResults | None = None

    @property
    def outcome(self) -> OutcomeCode | None:
        """The §2.10 table entry (title, description) for ``code``, if known."""
        return outcome(self.code)


@dataclass(frozen=True, slots=True)
class ProductResponse:
    product: str
    status: ProductStatus
    retry_count: int | None = None
    processed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class JobDetail:
    """A job as ``GET /jobs/{id}`` returns it, with per-product outcomes."""

    job_id: str
    status: str
    action: str | None = None
    request_id: str | None = None
    user_key: str | None = field(default=None, repr=False)
    submitted_by: str | None = field(default=None, repr=False)
    created_at: datetime | None = None
    last_modified_at: datetime | None = None
    regulation: str | None = None
    user_ids: tuple[UserIdentity, ...] = ()
    product_responses: tuple[ProductResponse, ...] = ()
    download_url: str | None = None
    qualified_count: int | None = None
    child_jobs: tuple[JobDetail, ...] = ()
    #: The response body as sent, only when asked for (``get_job(..., keep_raw=True)``). It
    #: holds personal data, so it stays out of ``repr``; equality ignores it.
    raw_json: str = field(default="", repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class CreatedJob:
    job_id: str
    user_key: str | None = field(default=None, repr=False)
    actions: tuple[str, ...] = ()
    user_ids: tuple[UserIdentity, ...] = ()


@dataclass(frozen=True, slots=True)
class CreateJobsResult:
    """The 202 answer to ``POST /jobs``: one job per user x action."""

    jobs: tuple[CreatedJob, ...]
    request_id: str | None = None
    total_records: int | None = None
    request_status: int | None = None


def parse_job_page(data: Any, *, regulation: str | None = None) -> JobPage:
    """A ``GET /jobs`` page; ``regulation`` (the one asked for) fills jobs that omit it."""
    body = p.obj(data, "")
    total = p.opt_int(body, "totalRecords", "")
    key, items = _job_list(body, allow_absent=total == 0)
    jobs = tuple(
        parse_job_summary(item, p.join(key, i), regulation=regulation)
        for i, item in enumerate(items)
    )
    return JobPage(jobs=jobs, total_records=total, jobs_key=key)


def parse_job_summary(data: Any, path: str = "", *, regulation: str | None = None) -> JobSummary:
    job = p.obj(data, path)
    return JobSummary(
        job_id=p.req_id(job, "jobId", path),
        status=p.req_str(job, "status", path).lower(),
        action=_lower(p.opt_str(job, "action", path)),
        request_id=p.opt_id(job, "requestId", path),
        user_key=p.opt_id(job, "userKey", path),
        submitted_by=p.opt_str(job, "submittedBy", path),
        created_at=p.opt_datetime(job, "createdDate", path),
        last_modified_at=p.opt_datetime(job, "lastModifiedDate", path),
        regulation=p.opt_str(job, "regulation", path) or regulation,
    )


def parse_job_detail(data: Any, path: str = "", *, depth: int = 0) -> JobDetail:
    job = p.obj(data, path)
    ids_key = "userIds" if "userIds" in job else "userIDs"
    children: tuple[JobDetail, ...] = ()
    if depth < 4:  # childJobs nest; a malicious depth must not exhaust the stack
        children = tuple(
            parse_job_detail(child, p.join(p.join(path, "childJobs"), i), depth=depth + 1)
            for i, child in enumerate(p.opt_list(job, "childJobs", path))
        )
    return JobDetail(
        job_id=p.req_id(job, "jobId", path),
        status=p.req_str(job, "status", path).lower(),
        action=_lower(p.opt_str(job, "action", path)),
        request_id=p.opt_id(job, "requestId", path),
        user_key=p.opt_id(job, "userKey", path),
        submitted_by=p.opt_str(job, "submittedBy", path),
        created_at=p.opt_datetime(job, "createdDate", path),
        last_modified_at=p.opt_datetime(job, "lastModifiedDate", path),
        regulation=p.opt_str(job, "regulation", path),
        user_ids=_identities(job, ids_key, path),
        product_responses=tuple(
            _product_response(item, p.join(p.join(path, "productResponses"), i))
            for i, item in enumerate(p.opt_list(job, "productResponses", path))
        ),
        download_url=_download_url(job, path),
        qualified_count=p.opt_int(job, "qualifiedCount", path),
        child_jobs=children,
    )


def parse_create_result(data: Any) -> CreateJobsResult:
    body = p.obj(data, "")
    key, items = _job_list(body, allow_absent=False)
    jobs = []
    for i, item in enumerate(items):
        path = p.join(key, i)
        job = p.obj(item, path)
        customer = p.opt_obj(job, "customer", path) or {}
        user = p.opt_obj(customer, "user", p.join(path, "customer")) or {}
        user_path = p.join(p.join(path, "customer"), "user")
        jobs.append(
            CreatedJob(
                job_id=p.req_id(job, "jobId", path),
                user_key=p.opt_id(user, "key", user_path),
                actions=tuple(a.lower() for a in p.str_tuple(user, "action", user_path)),
                user_ids=_identities(user, "userIDs", user_path),
            )
        )
    return CreateJobsResult(
        jobs=tuple(jobs),
        request_id=p.opt_id(body, "requestId", ""),
        total_records=p.opt_int(body, "totalRecords", ""),
        request_status=p.opt_int(body, "requestStatus", ""),
    )


def _job_list(body: Mapping[str, Any], *, allow_absent: bool) -> tuple[str, list[Any]]:
    for key in JOB_LIST_KEYS:
        if body.get(key) is not None:
            return key, p.array(body[key], key)
    if allow_absent:
        return JOB_LIST_KEYS[0], []
    raise p.bad("jobDetails", "is missing (and so is 'jobs')")


def _download_url(job: Mapping[str, Any], path: str) -> str | None:
    for key in DOWNLOAD_KEYS:
        value = p.opt_str(job, key, path)
        if value:
            return value
    return None


def _identities(data: Mapping[str, Any], key: str, path: str) -> tuple[UserIdentity, ...]:
    found = []
    for i, item in enumerate(p.opt_list(data, key, path)):
        item_path = p.join(p.join(path, key), i)
        ident = p.obj(item, item_path)
        found.append(
            UserIdentity(
                namespace=p.req_str(ident, "namespace", item_path),
                value=p.req_id(ident, "value", item_path),
                type=p.opt_str(ident, "type", item_path) or "standard",
                namespace_id=p.opt_int(ident, "namespaceId", item_path),
                is_deleted_client_side=p.opt_bool(ident, "isDeletedClientSide", item_path),
            )
        )
    return tuple(found)


def _product_response(data: Any, path: str) -> ProductResponse:
    item = p.obj(data, path)
    status_path = p.join(path, "productStatusResponse")
    status = p.opt_obj(item, "productStatusResponse", path) or {}
    results = p.opt_obj(status, "results", status_path)
    results_path = p.join(status_path, "results")
    return ProductResponse(
        product=p.req_str(item, "product", path),
        retry_count=p.opt_int(item, "retryCount", path),
        processed_at=p.opt_datetime(item, "processedDate", path),
        status=ProductStatus(
            status=_lower(p.opt_str(status, "status", status_path)),
            message=p.opt_str(status, "message", status_path),
            code=p.opt_str(status, "responseMsgCode", status_path),
            detail=p.opt_str(status, "responseMsgDetail", status_path),
            results=None
            if results is None
            else ProductResults(
                processed=p.str_tuple(results, "processed", results_path),
                ignored=p.str_tuple(results, "ignored", results_path),
            ),
        ),
    )


def _lower(value: str | None) -> str | None:
    return value.lower() if value is not None else None

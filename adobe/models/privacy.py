"""Typed, immutable Privacy Service responses and their parsers (adobe-api.md §2.3-§2.5).

Tolerances the docs force on us: the job list sits under ``jobDetails`` or ``jobs``; the download
link is ``downloadURL`` or ``downloadUrl``; dates are ``MM/DD/YYYY hh:mm AM GMT`` or ISO 8601.
Fields whose values are personal data (identity values, user keys, submitter e-mails) are kept out
of ``repr`` so that logging an object does not log a person.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import FrozenInstanceError, dataclass, field
from datetime import datetime
from operator import attrgetter
from typing import Any

from adobe import _parse as p
from adobe.codes import OutcomeCode, outcome
from adobe.dates import parse_datetime
from adobe.errors import AdobeBadResponse

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


class _Listed:
    """What the jobs of one parse share: the path that names their fields in errors
    (``jobDetails``, then ``jobDetails[3].createdDate``) and the regulation asked for, which fills
    jobs that omit theirs."""

    __slots__ = ("path", "regulation")

    def __init__(self, path: str, regulation: str | None) -> None:
        self.path = path
        self.regulation = regulation


# The fields a listing reads on first access, each from Adobe's JSON object for the job (``path``
# names it in errors), in the order a dataclass would compare them.
_READERS: dict[str, Callable[[Mapping[str, Any], str, _Listed], Any]] = {
    "action": lambda job, path, _: _lower(p.opt_str(job, "action", path)),
    "request_id": lambda job, path, _: p.opt_id(job, "requestId", path),
    "user_key": lambda job, path, _: p.opt_id(job, "userKey", path),
    "submitted_by": lambda job, path, _: p.opt_str(job, "submittedBy", path),
    "created_at": lambda job, path, _: p.opt_datetime(job, "createdDate", path),
    "last_modified_at": lambda job, path, _: p.opt_datetime(job, "lastModifiedDate", path),
    "regulation": lambda job, path, listed: p.opt_str(job, "regulation", path) or listed.regulation,
}
_PERSONAL = frozenset({"user_key", "submitted_by"})  # kept out of repr


def _frozen(job: JobSummary, value: object) -> None:
    raise FrozenInstanceError("cannot assign to a field of JobSummary")


def _field(name: str) -> Any:
    # A C-level getter of the private slot: a field costs a slot read once it has been read.
    return property(attrgetter(f"_{name}"), _frozen)


class JobSummary:
    """A job as ``GET /jobs`` lists it: immutable, compared and hashed by its fields.

    A listing yields up to 100,000 of these, and some callers only count them or read their ids.
    So the parser checks what every job must have (``job_id``, ``status``) and keeps Adobe's JSON
    object for the job as it came, without a copy; the first read of any other field reads and
    checks them all. A malformed field raises :class:`~adobe.errors.AdobeBadResponse` naming it
    (``jobDetails[3].createdDate``) whenever it is read; the other fields read as usual.

    Built by hand, ``JobSummary(job_id=..., status=..., created_at=...)`` takes the values as given.
    """

    __slots__ = (
        "_action",
        "_created_at",
        "_index",
        "_job_id",
        "_last_modified_at",
        "_listed",
        "_raw",
        "_regulation",
        "_request_id",
        "_status",
        "_submitted_by",
        "_user_key",
    )

    job_id: str = _field("job_id")
    status: str = _field("status")
    action: str | None = _field("action")
    request_id: str | None = _field("request_id")
    user_key: str | None = _field("user_key")
    submitted_by: str | None = _field("submitted_by")
    created_at: datetime | None = _field("created_at")
    last_modified_at: datetime | None = _field("last_modified_at")
    regulation: str | None = _field("regulation")

    def __init__(
        self,
        job_id: str,
        status: str,
        action: str | None = None,
        request_id: str | None = None,
        user_key: str | None = None,
        submitted_by: str | None = None,
        created_at: datetime | None = None,
        last_modified_at: datetime | None = None,
        regulation: str | None = None,
    ) -> None:
        self._job_id = job_id
        self._status = status
        self._action = action
        self._request_id = request_id
        self._user_key = user_key
        self._submitted_by = submitted_by
        self._created_at = created_at
        self._last_modified_at = last_modified_at
        self._regulation = regulation
        self._raw = None  # the job's JSON object, for a job parsed from a listing

    def __getattr__(self, name: str) -> Any:
        """Called only for a field not read yet (its private slot is empty): read them all.

        The field's getter asks for the private slot (``_created_at``), so that is the name that
        usually comes here.
        """
        field_name = name[1:] if name[:1] == "_" else name
        if field_name not in _READERS or object.__getattribute__(self, "_raw") is None:
            raise AttributeError(f"'JobSummary' object has no attribute {name!r}")
        if not self._read_usual():
            self._read_each(field_name)
        return object.__getattribute__(self, f"_{field_name}")

    def _read_usual(self) -> bool:
        """Every field at once when each is a string or absent and the dates are dates (what
        Adobe sends); False, having set nothing, otherwise."""
        get = self._raw.get
        action = get("action")
        request_id = get("requestId")
        user_key = get("userKey")
        submitted_by = get("submittedBy")
        regulation = get("regulation")
        created = get("createdDate")
        modified = get("lastModifiedDate")
        for value in (action, request_id, user_key, submitted_by, regulation, created, modified):
            if value is not None and type(value) is not str:
                return False
        try:
            created_at = parse_datetime(created) if created else None
            last_modified_at = parse_datetime(modified) if modified else None
        except (ValueError, OverflowError, OSError):
            return False
        self._action = action.lower() if action is not None else None
        self._request_id = request_id
        self._user_key = user_key
        self._submitted_by = submitted_by
        self._regulation = regulation or self._listed.regulation
        self._created_at = created_at
        self._last_modified_at = last_modified_at
        return True

    def _read_each(self, name: str) -> None:
        """Field by field, through the readers that accept or name what is unusual; a malformed
        field's slot stays empty, so each read of it comes back here and raises."""
        raw, listed = self._raw, self._listed
        for field_name, reader in _READERS.items():
            try:
                # An empty path: one is built only to name a malformed field, below.
                object.__setattr__(self, f"_{field_name}", reader(raw, "", listed))
            except AdobeBadResponse:
                if field_name == name:
                    index = self._index
                    path = listed.path if index is None else p.join(listed.path, index)
                    reader(raw, path, listed)

    def _fields(self) -> tuple[Any, ...]:
        return (self.job_id, self.status, *(getattr(self, name) for name in _READERS))

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        shown = [f"job_id={self.job_id!r}", f"status={self.status!r}"]
        for name in _READERS:
            if name in _PERSONAL:
                continue
            try:
                shown.append(f"{name}={getattr(self, name)!r}")
            except AdobeBadResponse:
                shown.append(f"{name}=<malformed>")  # a log line must not raise
        return f"JobSummary({', '.join(shown)})"


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
    """A ``GET /jobs`` page; ``regulation`` (the one asked for) fills jobs that omit it.

    The page's JSON objects are kept, not copied (see :class:`JobSummary`): pass a decoded body
    nothing else changes afterwards.
    """
    body = p.obj(data, "")
    total = p.opt_int(body, "totalRecords", "")
    key, items = _job_list(body, allow_absent=total == 0)
    listed = _Listed(key, regulation)
    jobs = []
    append = jobs.append
    new = object.__new__
    for index, item in enumerate(items):
        # The common case inline (a page holds up to 1,000 jobs); anything else, such as a
        # numeric jobId or a missing status, goes through _summary, which reads or names it.
        if type(item) is dict:
            job_id = item.get("jobId")
            status = item.get("status")
            if type(job_id) is str and type(status) is str:
                job = new(JobSummary)
                job._job_id = job_id
                job._status = status.lower()
                job._raw = item
                job._listed = listed
                job._index = index
                append(job)
                continue
        append(_summary(item, listed, index))
    return JobPage(jobs=tuple(jobs), total_records=total, jobs_key=key)


def parse_job_summary(data: Any, path: str = "", *, regulation: str | None = None) -> JobSummary:
    """One job of a ``GET /jobs`` page (``path`` names it in errors)."""
    return _summary(data, _Listed(path, regulation), None)


def _summary(data: Any, listed: _Listed, index: int | None) -> JobSummary:
    path = listed.path if index is None else p.join(listed.path, index)
    item = p.obj(data, path)
    job = object.__new__(JobSummary)
    job._job_id = p.req_id(item, "jobId", path)
    job._status = p.req_str(item, "status", path).lower()
    job._raw = item
    job._listed = listed
    job._index = index
    return job


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

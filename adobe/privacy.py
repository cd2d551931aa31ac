"""Adobe Experience Platform Privacy Service client (``ADOBE_PRIVACY_API_URL``).

Listing copes with what Adobe documents two ways (adobe-api.md Part 1): pages numbered from 0 or
from 1 (ask page 0, skip job ids already seen, stop on a short or empty page, start at 1 if page 0
is refused), jobs under ``jobDetails`` or ``jobs``, and ``fromDate``/``toDate`` windows of at most
30 days reaching back at most 45 (:meth:`PrivacyClient.iter_jobs_since` backfills in windows).
``create_jobs`` validates the body before sending and sends it once; a transient failure raises
``AdobeUnavailable`` whose ``maybe_processed`` tells the caller to reconcile by listing rather than
to resubmit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Unpack
from urllib.parse import quote

import requests

from adobe.dates import format_query_date
from adobe.errors import AdobeIncompleteListing, AdobeInvalidRequest
from adobe.http import TokenProvider, Transport, TransportOptions, authorized_request, decode_json
from adobe.ims import utc_now
from adobe.models.privacy import (
    CreateJobsResult,
    JobDetail,
    JobPage,
    JobSummary,
    parse_create_result,
    parse_job_detail,
    parse_job_page,
)
from adobe.models.privacy_requests import (
    CompanyContext,
    PrivacyUser,
    build_consent_request,
    build_job_request,
    regulation_code,
)
from adobe.paging import PageBase, iter_jobs_paged

logger = logging.getLogger(__name__)

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
MAX_WINDOW = timedelta(days=30)
MAX_LOOKBACK = timedelta(days=45)
# Backfill windows cover 30 calendar days counting both ends, so they are valid whether the
# server counts the span inclusively or not.
BACKFILL_WINDOW = timedelta(days=29)
JOB_STATUSES = frozenset({"submitted", "processing", "complete", "error"})
# A server that ignores `page` would otherwise be listed forever.
DEFAULT_MAX_PAGES = 100_000


@dataclass(frozen=True)
class JobContent:
    """The ZIP of an access job's data (personal data: kept out of ``repr``)."""

    job_id: str
    content: bytes = field(repr=False)
    content_type: str | None = None


class PrivacyClient:
    """Privacy Service for one IMS organization, authenticated by ``token_provider``."""

    def __init__(
        self,
        *,
        base_url: str,
        client_id: str,
        ims_org_id: str,
        token_provider: TokenProvider,
        timeout: float = 30.0,
        clock: Callable[[], datetime] = utc_now,
        page_base: int | None = None,
        **options: Unpack[TransportOptions],
    ):
        """``page_base`` (0 or 1) fixes the server's page numbering; None discovers it."""
        if not client_id or not ims_org_id:
            raise ValueError("client_id and ims_org_id are required")
        self.transport = Transport(base_url=base_url, timeout=timeout, **options)
        self.client_id = client_id
        self.ims_org_id = ims_org_id
        self._token_provider = token_provider
        self._clock = clock
        # The same on every request: built once.
        self._headers = {
            "x-api-key": client_id,
            "x-gw-ims-org-id": ims_org_id,
            "Accept": "application/json",
        }
        if page_base not in (None, 0, 1):
            raise ValueError("page_base is 0, 1 or None (discover)")
        #: What this client knows of the server's page numbering, shared by its listings.
        self.page_base = PageBase(fixed=page_base)

    def __repr__(self) -> str:
        return (
            f"PrivacyClient(base_url={self.transport.base_url!r}, ims_org_id={self.ims_org_id!r})"
        )

    # -- listing -----------------------------------------------------------------------------

    def list_jobs_page(
        self,
        *,
        regulation: str,
        page: int,
        size: int = DEFAULT_PAGE_SIZE,
        status: str | None = None,
        from_date: date | None = None,
        to_date: date | None = None,
        filter_date: date | None = None,
    ) -> JobPage:
        """One ``GET /jobs`` page, exactly as numbered by the server.

        ``regulation`` is sent as given (lower-cased): Adobe refuses codes it does not know.
        """
        code = regulation_code(regulation)
        params = self._list_params(code, size, status, from_date, to_date, filter_date)
        params["page"] = str(page)
        if page < 0:
            raise AdobeInvalidRequest("page cannot be negative", field="page")
        response = self._send("GET", "/jobs", params=params)
        return parse_job_page(decode_json(response), regulation=code)

    def iter_jobs(
        self,
        *,
        regulation: str,
        size: int = DEFAULT_PAGE_SIZE,
        status: str | None = None,
        from_date: date | None = None,
        to_date: date | None = None,
        filter_date: date | None = None,
        max_pages: int = DEFAULT_MAX_PAGES,
    ) -> Iterator[JobSummary]:
        """Every job of one regulation (one page at a time), whatever the server's page base.

        Nothing is sent before the first job is asked for.
        """
        query = {
            "regulation": regulation,
            "size": size,
            "status": status,
            "from_date": from_date,
            "to_date": to_date,
            "filter_date": filter_date,
        }
        # The paging generator itself, not a generator around it: one step less per job.
        return iter_jobs_paged(
            lambda page: self.list_jobs_page(page=page, **query),
            size=size,
            base=self.page_base,
            max_pages=max_pages,
            regulation=regulation,
        )

    def list_jobs(self, **query: Any) -> list[JobSummary]:
        """All jobs :meth:`iter_jobs` yields, as a list."""
        return list(self.iter_jobs(**query))

    def iter_jobs_since(
        self,
        *,
        regulation: str,
        since: date,
        until: date | None = None,
        status: str | None = None,
        size: int = DEFAULT_PAGE_SIZE,
    ) -> Iterator[JobSummary]:
        """Jobs created from ``since`` to ``until`` (default today), in windows of <= 30 days.

        ``since`` is moved forward to the 45-day look-back limit if older. Consecutive windows
        share their boundary day, and jobs seen in an earlier window are not yielded again. A
        window that ends short of its ``totalRecords`` does not stop the others: once they are
        listed, AdobeIncompleteListing counts the jobs yielded and the jobs missing. When Adobe
        refuses a listing that starts at the look-back edge (its day turned before ours), it
        starts once more from the day after.
        """
        today = self._clock().date()
        through_today = until is None
        until = until or today
        oldest = today - MAX_LOOKBACK
        if since < oldest:
            logger.info("Privacy Service looks back 45 days at most; listing from %s", oldest)
            since = oldest
        seen: set[str] = set()
        missing = 0
        refused_first_day: AdobeInvalidRequest | None = None
        start = since
        while start <= until:
            end = min(start + BACKFILL_WINDOW, until)
            try:
                for job in self.iter_jobs(
                    regulation=regulation, size=size, status=status, from_date=start, to_date=end
                ):
                    if job.job_id not in seen:
                        seen.add(job.job_id)
                        yield job
            except AdobeIncompleteListing as exc:
                missing += exc.total - exc.listed
            except AdobeInvalidRequest as exc:
                if refused_first_day is not None and start == oldest:
                    raise refused_first_day from exc  # not the date: Adobe's first answer says why
                if start != oldest or seen or exc.status != 400:
                    raise
                # Around midnight Adobe's day may turn before ours (clocks a few seconds, or a
                # test simulator hours, apart): our oldest day is then one past its look-back.
                logger.info(
                    "Privacy Service refused the listing from %s; trying once from the day after",
                    start,
                )
                refused_first_day = exc
                start = oldest = oldest + timedelta(days=1)
                if through_today:
                    until += timedelta(days=1)  # and Adobe's today is our tomorrow
                continue
            if end >= until:
                break
            start = end
        if missing:
            raise AdobeIncompleteListing(
                listed=len(seen), total=len(seen) + missing, regulation=regulation
            )

    # -- single jobs ---------------------------------------------------------------------------

    def get_job(self, job_id: str, *, keep_raw: bool = False) -> JobDetail:
        """``GET /jobs/{id}``; AdobeNotFound once Adobe no longer returns the job.

        ``keep_raw=True`` also returns the body as Adobe sent it (``JobDetail.raw_json``), for
        callers that show or store the original JSON.
        """
        response = self._send("GET", f"/jobs/{_segment(job_id)}")
        detail = parse_job_detail(decode_json(response))
        if keep_raw:
            detail = replace(detail, raw_json=response.content.decode("utf-8", errors="replace"))
        return detail

    def create_jobs(
        self,
        *,
        regulation: str,
        users: Sequence[PrivacyUser],
        include: Sequence[str],
        company_contexts: Sequence[CompanyContext] = (),
        expand_ids: bool | None = None,
        priority: str | None = None,
        merge_policy_id: int | None = None,
        analytics_delete_method: str | None = None,
        region: str | None = None,
    ) -> CreateJobsResult:
        """``POST /jobs``, validated first and sent once (one job per user x action)."""
        body = build_job_request(
            ims_org_id=self.ims_org_id,
            regulation=regulation,
            users=users,
            include=include,
            company_contexts=company_contexts,
            expand_ids=expand_ids,
            priority=priority,
            merge_policy_id=merge_policy_id,
            analytics_delete_method=analytics_delete_method,
            region=region,
        )
        response = self._send("POST", "/jobs", json_body=body)
        result = parse_create_result(decode_json(response))
        logger.info(
            "Privacy Service accepted %d job(s) for %s (request %s)",
            len(result.jobs),
            self.ims_org_id,
            result.request_id,
        )
        return result

    def download_content(self, job_id: str, *, url: str | None = None) -> JobContent:
        """The ZIP of a completed access job (``GET /jobs/{id}/content``).

        ``url`` (a job's ``download_url``) is used only if it lies under this client's base URL:
        the bearer token is never sent to a host taken from a response.
        """
        target = None
        if url and self.transport.owns(url):
            target = url
        elif url:
            logger.warning("Ignoring a download URL outside %s", self.transport.base_url)
        response = self._send(
            "GET",
            f"/jobs/{_segment(job_id)}/content",
            url=target,
            extra_headers={"Accept": "application/json"},
        )
        return JobContent(
            job_id=job_id,
            content=response.content,
            content_type=response.headers.get("Content-Type"),
        )

    def opt_out(
        self, *, entities: Mapping[str, Sequence[str]], opt_out_of_sale: bool = True
    ) -> None:
        """``POST /consent``: record that these identities opt out of sale (202, no body)."""
        body = build_consent_request(entities=entities, opt_out_of_sale=opt_out_of_sale)
        self._send("POST", "/consent", json_body=body)

    # -- plumbing ------------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        headers = {**self._headers, **extra_headers} if extra_headers else self._headers
        return authorized_request(
            self.transport, self._token_provider, method, path, headers=headers, **kwargs
        )

    def _list_params(
        self,
        regulation: str,
        size: int,
        status: str | None,
        from_date: date | None,
        to_date: date | None,
        filter_date: date | None,
    ) -> dict[str, str]:
        if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= MAX_PAGE_SIZE:
            raise AdobeInvalidRequest(f"size must be 1 to {MAX_PAGE_SIZE}", field="size")
        params = {"regulation": regulation, "size": str(size)}
        if status is not None:
            if status not in JOB_STATUSES:
                raise AdobeInvalidRequest(
                    f"status must be one of {', '.join(sorted(JOB_STATUSES))}", field="status"
                )
            params["status"] = status
        if (from_date is None) != (to_date is None):
            raise AdobeInvalidRequest("fromDate and toDate go together", field="fromDate")
        oldest = self._clock().date() - MAX_LOOKBACK
        if from_date is not None and to_date is not None:
            if to_date < from_date:
                raise AdobeInvalidRequest("toDate is before fromDate", field="toDate")
            if to_date - from_date > MAX_WINDOW:
                raise AdobeInvalidRequest("a date window spans 30 days at most", field="toDate")
            if from_date < oldest:
                raise AdobeInvalidRequest("fromDate reaches back 45 days at most", field="fromDate")
            params["fromDate"] = format_query_date(from_date)
            params["toDate"] = format_query_date(to_date)
        if filter_date is not None:
            if filter_date < oldest:
                raise AdobeInvalidRequest(
                    "filterDate reaches back 45 days at most", field="filterDate"
                )
            params["filterDate"] = format_query_date(filter_date)
        return params


def _segment(job_id: str) -> str:
    if not isinstance(job_id, str) or not job_id.strip():
        raise AdobeInvalidRequest("job_id is required", field="job_id")
    return quote(job_id, safe="")

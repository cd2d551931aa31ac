"""Privacy Service endpoints: list jobs, get one, download its content, consent.

Rules from adobe-api.md 2.3 to 2.7. Where the docs disagree, the answer is a switch (see
`simulator.faults`): page base, the list key, `downloadURL` vs `downloadUrl`, what
`totalRecords` counts, size maximum, look-back (45 or 60 days) and retention.
"""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from simulator.clock import day_start
from simulator.jobs import DAY
from simulator.privacy_create import require_json_body
from simulator.regulations import JOB_STATUSES, resolve_regulation
from simulator.render import date_formatter, job_basic, job_full
from simulator.tokens import TokenRecord
from simulator.web import Request, Response, bad_request, empty_response, json_response, not_found

if TYPE_CHECKING:
    from simulator.jobs import Job
    from simulator.state import SimulatorState

logger = logging.getLogger(__name__)

MAX_RANGE_DAYS = 30
DEFAULT_SIZE = 100
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INT = re.compile(r"^-?\d+$")


def _parse_day(name: str, value: str) -> float | Response:
    try:
        if not _DATE.match(value):
            raise ValueError(value)
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return bad_request(f"{name} must be a date in the format YYYY-MM-DD.")


def _window(
    request: Request, state: SimulatorState, org: str, now: float
) -> tuple[float | None, float | None] | Response:
    """The [since, until] creation window that the date parameters ask for."""
    from_date, to_date = request.arg("fromDate"), request.arg("toDate")
    filter_date = request.arg("filterDate")
    lookback = state.faults.switch(request, org, "lookback_days")
    today = day_start(now)
    if filter_date is not None:
        if from_date is not None or to_date is not None:
            return bad_request("Use either filterDate or fromDate and toDate, not both.")
        day = _parse_day("filterDate", filter_date)
        if isinstance(day, Response):
            return day
        if today - day > lookback * DAY:
            return bad_request(f"filterDate cannot be more than {lookback} days in the past.")
        return day, day + DAY - 0.001
    if (from_date is None) != (to_date is None):
        return bad_request("fromDate and toDate must be used together.")
    if from_date is None or to_date is None:
        window_days = state.faults.switch(request, org, "default_window_days")
        if window_days is None:
            return None, None
        # "the default behavior returns jobs that date back over the last seven days"
        return now - window_days * DAY, None
    since = _parse_day("fromDate", from_date)
    if isinstance(since, Response):
        return since
    until = _parse_day("toDate", to_date)
    if isinstance(until, Response):
        return until
    if since > until:
        return bad_request("fromDate must not be after toDate.")
    if until - since > MAX_RANGE_DAYS * DAY:
        return bad_request(
            f"The range between fromDate and toDate cannot be more than {MAX_RANGE_DAYS} days."
        )
    if today - since > lookback * DAY:
        return bad_request(f"fromDate cannot be more than {lookback} days in the past.")
    return since, until + DAY - 0.001


def _int_arg(request: Request, name: str, default: int) -> int | Response:
    value = request.arg(name)
    if value is None:
        return default
    if not _INT.match(value.strip()):
        return bad_request(f"{name} must be an integer.")
    return int(value)


def list_jobs(request: Request, state: SimulatorState, token: TokenRecord) -> Response:
    """GET /jobs?regulation=...&page=&size=&status=&fromDate=&toDate=&filterDate="""
    now = state.clock.now()
    org = token.ims_org_id
    regulation_arg = request.arg("regulation")
    if not regulation_arg:
        return bad_request("The regulation query parameter is required.")
    regulation, reason = resolve_regulation(regulation_arg, now=now)
    if regulation is None:
        return bad_request(reason)
    size_max = state.faults.switch(request, org, "size_max")
    size = _int_arg(request, "size", DEFAULT_SIZE)
    if isinstance(size, Response):
        return size
    if not 1 <= size <= size_max:
        return bad_request(f"size must be between 1 and {size_max}.")
    base_mode = state.faults.switch(request, org, "page_base")
    base = 0 if base_mode == 0 else 1
    page = _int_arg(request, "page", base)
    if isinstance(page, Response):
        return page
    if page < base:
        if base_mode == "1-lenient" and page == 0:
            page = 1  # some servers clamp page 0 to the first page instead of refusing it
        else:
            return bad_request(f"page must be {base} or greater.")
    status = request.arg("status")
    if status is not None and status not in JOB_STATUSES:
        return bad_request(f"status must be one of {', '.join(JOB_STATUSES)}.")
    window = _window(request, state, org, now)
    if isinstance(window, Response):
        return window
    jobs = state.jobs.query(
        org=token.org,
        regulation=regulation,
        now=now,
        since=window[0],
        until=window[1],
        status=status,
        retention_days=state.faults.switch(request, org, "retention_days"),
    )
    start = (page - base) * size
    items = jobs[start : start + size]
    short = state.faults.take(request, org, ("short_page",)) if items else None
    if short is not None:
        drop = short.params.get("drop") or max(1, len(items) // 2)
        items = items[: max(0, len(items) - drop)]
    fmt = date_formatter(state.faults.switch(request, org, "date_format"))
    organization = state.orgs[token.org]
    key = state.faults.switch(request, org, "jobs_key", default="jobDetails")
    counts_all = state.faults.switch(request, org, "total_records") == "total"
    return json_response(
        200,
        {
            "totalRecords": len(jobs) if counts_all else len(items),
            key: [job_basic(job, state.summary(job, organization), now, fmt) for job in items],
        },
    )


def _visible_job(
    request: Request, state: SimulatorState, token: TokenRecord, now: float
) -> Job | Response:
    job = state.jobs.get(request.params["job_id"])
    retention = state.faults.switch(request, token.ims_org_id, "retention_days")
    # Another organization's job is as absent as a missing one.
    if job is None or job.org != token.org or not job.visible_at(now, retention):
        return not_found(f"Job {request.params['job_id']} was not found.")
    return job


def get_job(request: Request, state: SimulatorState, token: TokenRecord) -> Response:
    """GET /jobs/{jobId}"""
    now = state.clock.now()
    job = _visible_job(request, state, token, now)
    if isinstance(job, Response):
        return job
    org = token.ims_org_id
    fmt = date_formatter(state.faults.switch(request, org, "date_format"))
    body = job_full(
        job,
        state.details(job, state.orgs[token.org]),
        now,
        fmt,
        download_key=state.faults.switch(request, org, "download_key"),
        content_url=f"{request.base_url}/data/core/privacy/jobs/{job.job_id}/content",
    )
    return json_response(200, body)


def job_content(request: Request, state: SimulatorState, token: TokenRecord) -> Response:
    """GET /jobs/{jobId}/content: a ZIP with one folder per product that holds data."""
    accept = (request.header("accept") or "*/*").lower()
    if "application/json" not in accept and "*/*" not in accept:
        return bad_request("The Accept header must be application/json.")
    now = state.clock.now()
    job = _visible_job(request, state, token, now)
    if isinstance(job, Response):
        return job
    if job.status_at(now) != "complete" or job.action != "access":
        return not_found(
            f"Job {job.job_id} has no content: only complete access jobs can be downloaded."
        )
    details = state.details(job, state.orgs[token.org])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for plan in details.products:
            folder = f"{job.job_id}/{plan.product}/"
            if plan.code != "6000-200":
                # "Archive files or folders may be empty if no data was found"
                archive.writestr(folder, b"")
                continue
            records = [
                {"namespace": uid["namespace"], "value": uid["value"], "records": 1}
                for uid in details.user_ids
            ]
            archive.writestr(folder + "data.json", json.dumps(records, indent=2))
    return Response(
        status=200,
        body=buffer.getvalue(),
        headers={
            "Content-Type": "application/zip",
            "Content-Disposition": f'attachment; filename="{job.job_id}.zip"',
        },
    )


def consent(request: Request, state: SimulatorState, token: TokenRecord) -> Response:
    """POST /consent: opt-out of sale. 202 with no payload."""
    body = require_json_body(request)
    if isinstance(body, Response):
        return body
    if not isinstance(body.get("optOutOfSale"), bool):
        return bad_request("optOutOfSale is required and must be a boolean.")
    entities = body.get("entities")
    if not isinstance(entities, list) or not entities:
        return bad_request("entities is required and must be a non-empty array.")
    for index, entity in enumerate(entities):
        if not isinstance(entity, dict):
            return bad_request(f"entities[{index}] must be an object.")
        namespace, values = entity.get("nameSpace"), entity.get("values")
        if not isinstance(namespace, str) or not namespace:
            return bad_request(f"entities[{index}].nameSpace is required.")
        if (
            not isinstance(values, list)
            or not values
            or not all(isinstance(v, str) and v for v in values)
        ):
            return bad_request(f"entities[{index}].values must be a non-empty array of strings.")
        if len(set(values)) != len(values):
            return bad_request(f"entities[{index}].values must be unique.")
    state.record_consent(token.ims_org_id, body)
    return empty_response(202)

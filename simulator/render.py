"""How Privacy jobs look on the wire (adobe-api.md 2.3 and 2.5), at a given moment.

Product responses follow the job's timeline: while the job is submitted every product says only
`{"status": "submitted"}`; while it processes, each product finishes at its own share of the
processing time; once the job is finished every product has its PRVCY code. If the control API
changed a job's outcome, the codes follow it (an error job always has a failing product, a
complete one none).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from simulator.clock import adobe_date
from simulator.jobs import DAY, INF, Job, JobDetails, JobSummary, ProductPlan
from simulator.regulations import ERROR_CODES, SUCCESS_CODES

logger = logging.getLogger(__name__)

DateFormatter = Callable[[float], str]


def iso_z(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def date_formatter(name: str) -> DateFormatter:
    return iso_z if name == "iso" else adobe_date


def job_basic(job: Job, summary: JobSummary, now: float, fmt: DateFormatter) -> dict[str, object]:
    """A `PrivacyJobBasic`, as listed by GET /jobs."""
    return {
        "jobId": job.job_id,
        "requestId": summary.request_id,
        "userKey": summary.user_key,
        "action": job.action,
        "status": job.status_at(now),
        "submittedBy": summary.submitted_by,
        "createdDate": fmt(job.created_at),
        "lastModifiedDate": fmt(job.last_modified_at(now)),
    }


def _done_at(job: Job, plan: ProductPlan) -> float:
    if job.finished_at == INF:
        # A job stuck in processing: every product but the last one finishes within a day.
        return INF if plan.done_fraction >= 1.0 else job.processing_at + plan.done_fraction * DAY
    return job.processing_at + plan.done_fraction * (job.finished_at - job.processing_at)


def _effective_codes(job: Job, plans: tuple[ProductPlan, ...]) -> list[str]:
    codes = [plan.code for plan in plans]
    if job.outcome == "complete":
        return [code if code in SUCCESS_CODES else "6000-200" for code in codes]
    if not any(code in ERROR_CODES for code in codes):
        codes[-1] = "1024-400"
    return codes


def product_responses(
    job: Job, details: JobDetails, now: float, fmt: DateFormatter
) -> list[dict[str, object]]:
    status = job.status_at(now)
    responses: list[dict[str, object]] = []
    for plan, code in zip(details.products, _effective_codes(job, details.products), strict=True):
        done_at = min(_done_at(job, plan), job.finished_at)
        entry: dict[str, object] = {"product": plan.product, "retryCount": 0}
        if status == "submitted":
            entry["productStatusResponse"] = {"status": "submitted"}
        elif now < done_at:
            entry["productStatusResponse"] = {"status": "processing", "message": "Processing"}
        else:
            title, description = SUCCESS_CODES.get(code) or ERROR_CODES[code]
            product_status: dict[str, object] = {
                "status": "complete" if code in SUCCESS_CODES else "error",
                "message": title,
                "responseMsgCode": f"PRVCY-{code}",
                "responseMsgDetail": (plan.detail if code == plan.code else None) or description,
            }
            if plan.results is not None and code == plan.code:
                product_status["results"] = plan.results
            entry["retryCount"] = plan.retry_count if code in ERROR_CODES else 0
            entry["processedDate"] = fmt(done_at)
            entry["productStatusResponse"] = product_status
        responses.append(entry)
    return responses


def job_full(
    job: Job,
    details: JobDetails,
    now: float,
    fmt: DateFormatter,
    *,
    download_key: str,
    content_url: str,
) -> dict[str, object]:
    """A `PrivacyJobDetails`, as GET /jobs/{id} returns it."""
    body = job_basic(job, details.summary, now, fmt)
    body["userIds"] = [dict(user_id) for user_id in details.user_ids]
    body["productResponses"] = product_responses(job, details, now, fmt)
    # "The status of the job must be complete and the action must be access. Otherwise, this
    # field is absent."
    if body["status"] == "complete" and job.action == "access":
        keys = ("downloadURL", "downloadUrl") if download_key == "both" else (download_key,)
        for key in keys:
            body[key] = content_url
    body["regulation"] = job.regulation
    return body

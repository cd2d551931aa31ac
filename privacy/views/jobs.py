"""The job list, its CSV export, and one job's detail and access-data download."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from adobe.codes import OUTCOME_CODES
from adobe.errors import AdobeError
from dashboard.access import get_for_member, get_membership
from dashboard.crypto import SecretUnreadable
from dashboard.describe import LookoutError, describe_privacy_error
from dashboard.paging import page_number
from dashboard.services.clients import privacy_client
from privacy.filters import JobFilterSet
from privacy.models import PrivacyJob
from privacy.selectors import (
    lateness_rules,
    privacy_filter_choices,
    privacy_job_counts,
    privacy_job_list,
    privacy_job_page,
)


@require_GET
def job_list(request: HttpRequest, org_code: UUID) -> HttpResponse:
    membership = get_membership(request, org_code)
    org_id = membership.organization_id
    rules = lateness_rules()  # one clock and one deadline table for filter, counts and badges
    filters = JobFilterSet(request.GET, rules=rules)
    page = privacy_job_page(
        jobs=privacy_job_list(organization_id=org_id, filters=filters),
        number=page_number(request.GET),
        per_page=settings.LOOKOUT_PRIVACY_PAGE_SIZE,
        rules=rules,
    )
    context = {
        "membership": membership,
        "organization": membership.organization,
        "form": filters.form,
        "page": page,
        "counts": privacy_job_counts(organization_ids=[org_id], rules=rules)[org_id],
        "choices": privacy_filter_choices(organization_id=org_id),
        "sync": getattr(membership.organization, "privacy_sync", None),
    }
    template = (
        "privacy/_job_results.html" if request.GET.get("partial") else "privacy/job_list.html"
    )
    return render(request, template, context)


CSV_COLUMNS = [
    "job_id",
    "request_id",
    "user_key",
    "action",
    "regulation",
    "status",
    "submitted_by",
    "adobe_created_at",
    "adobe_modified_at",
    "gone_at",
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_rows(jobs) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([*CSV_COLUMNS, "products"])
    for job in jobs.prefetch_related("product_responses").iterator(chunk_size=2000):
        products = "; ".join(f"{p.product}={p.status}" for p in job.product_responses.all())
        yield writer.writerow([getattr(job, column) or "" for column in CSV_COLUMNS] + [products])


@require_GET
def job_export(request: HttpRequest, org_code: UUID) -> StreamingHttpResponse:
    membership = get_membership(request, org_code)
    filters = JobFilterSet(request.GET, rules=lateness_rules())
    jobs = privacy_job_list(organization_id=membership.organization_id, filters=filters)
    response = StreamingHttpResponse(_csv_rows(jobs), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="privacy-jobs-{stamp}.csv"'
    return response


@require_GET
def job_detail(request: HttpRequest, job_code: UUID) -> HttpResponse:
    job, membership = get_for_member(request, PrivacyJob.objects.all(), code=job_code)
    job.lateness = lateness_rules().of(job)
    responses = list(job.product_responses.all())
    for response in responses:
        outcome = OUTCOME_CODES.get(response.response_code.removeprefix("PRVCY-"))
        response.code_title = outcome.title if outcome else ""
        response.code_description = outcome.description if outcome else ""
    context = {
        "membership": membership,
        "organization": membership.organization,
        "job": job,
        "responses": responses,
        "can_download": job.status == PrivacyJob.Status.COMPLETE and "access" in job.action,
    }
    template = (
        "privacy/_job_detail.html" if request.GET.get("partial") else "privacy/job_detail.html"
    )
    return render(request, template, context)


@require_GET
def job_download(request: HttpRequest, job_code: UUID) -> HttpResponse:
    # Access data is personal data: members and admins only, never viewers.
    job, membership = get_for_member(request, PrivacyJob.objects.all(), write=True, code=job_code)
    if job.status != PrivacyJob.Status.COMPLETE or "access" not in job.action:
        messages.error(request, "Only complete access jobs have data to download.")
        return redirect(job)
    try:
        client = privacy_client(organization=membership.organization)
        content = client.download_content(job.job_id, url=job.download_url or None)
    except (AdobeError, LookoutError, SecretUnreadable) as exc:
        messages.error(request, f"The data could not be downloaded. {describe_privacy_error(exc)}")
        return redirect(job)
    response = HttpResponse(content.content, content_type=content.content_type or "application/zip")
    response["Content-Disposition"] = f'attachment; filename="{job.job_id}.zip"'
    response["Cache-Control"] = "no-store"
    return response

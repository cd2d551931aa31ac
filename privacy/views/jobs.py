"""The job list, its CSV export, and one job's detail and access-data download.

The export and the download are personal data: members and admins only, each recorded in the
organization's audit log (who, which filter or which job, when).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from adobe.errors import AdobeError
from dashboard.access import can_see_personal_data, get_for_member, get_membership
from dashboard.crypto import SecretUnreadable
from dashboard.describe import LookoutError, describe_privacy_error
from dashboard.models import AuditEvent
from dashboard.paging import PageRequest
from dashboard.services.audit import audit_record
from dashboard.services.clients import privacy_client
from dashboard.spreadsheets import csv_lines
from privacy.filters import JobFilterSet
from privacy.models import PrivacyJob
from privacy.overview import jobs_per_day, regulation_summary
from privacy.selectors import (
    lateness_rules,
    per_sync_cached,
    privacy_filter_choices,
    privacy_job_counts,
    privacy_job_detail,
    privacy_job_export,
    privacy_job_list,
    privacy_job_page,
)


@require_GET
def job_list(request: HttpRequest, org_code: UUID) -> HttpResponse:
    membership = get_membership(request, org_code)
    org_id = membership.organization_id
    rules = lateness_rules()  # one clock and one deadline table for filter, counts and badges
    filters = JobFilterSet(request.GET, rules=rules, membership=membership)
    page = privacy_job_page(
        jobs=privacy_job_list(organization_id=org_id, filters=filters),
        asked=PageRequest.from_params(request.GET),
        order=filters.order(),
        per_page=settings.LOOKOUT_PRIVACY_PAGE_SIZE,
        rules=rules,
        membership=membership,
    )
    context = {
        "membership": membership,
        "organization": membership.organization,
        "personal_data": can_see_personal_data(membership),
        "form": filters.form,
        "page": page,
        "counts": privacy_job_counts(organization_ids=[org_id], rules=rules)[org_id],
        "choices": privacy_filter_choices(organization_id=org_id),
        "sync": getattr(membership.organization, "privacy_sync", None),
    }
    if request.GET.get("partial"):
        return render(request, "privacy/_job_results.html", context)
    # The overview sits outside the part that refreshes in place: read it for the full page only.
    context["regulations"] = regulation_summary(organization_id=org_id, rules=rules)
    # The days jobs finished on change only when a sync writes jobs (and at midnight UTC).
    context["per_day"] = per_sync_cached(
        organization_ids=[org_id],
        name=f"jobs-per-day-{rules.now.astimezone(UTC):%Y%m%d}",
        compute=lambda ids: {ids[0]: jobs_per_day(organization_id=ids[0], now=rules.now)},
    )[org_id]
    return render(request, "privacy/job_list.html", context)


# Header -> the job's attribute.
CSV_COLUMNS = {
    "job_id": "job_id",
    "request_id": "request_id",
    "user_key": "user_key",
    "reference": "team_reference",
    "action": "action",
    "regulation": "regulation",
    "status": "status",
    "submitted_by": "submitted_by",
    "adobe_created_at": "adobe_created_at",
    "adobe_modified_at": "adobe_modified_at",
    "gone_at": "gone_at",
}


def _csv_rows(jobs) -> Iterator[str]:
    # Adobe's text (user keys, product names and statuses) reaches the cells: csv_lines keeps a
    # spreadsheet from running any of it as a formula.
    def rows():
        for job in jobs.iterator(chunk_size=2000):
            products = "; ".join(f"{p.product}={p.status}" for p in job.product_responses.all())
            yield [getattr(job, attribute) for attribute in CSV_COLUMNS.values()] + [products]

    return csv_lines([*CSV_COLUMNS, "products"], rows())


@require_GET
def job_export(request: HttpRequest, org_code: UUID) -> StreamingHttpResponse:
    membership = get_membership(request, org_code, personal_data=True)
    filters = JobFilterSet(request.GET, rules=lateness_rules(), membership=membership)
    jobs = privacy_job_export(
        jobs=privacy_job_list(organization_id=membership.organization_id, filters=filters),
        membership=membership,
    )
    exported = jobs.count()
    audit_record(
        organization=membership.organization,
        actor=request.user,
        action=AuditEvent.Action.PRIVACY_JOBS_EXPORTED,
        detail=f"{exported:,} {ngettext('job', 'jobs', exported)}; {filters.in_words()}",
    )
    response = StreamingHttpResponse(_csv_rows(jobs), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="privacy-jobs-{stamp}.csv"'
    return response


@require_GET
def job_by_adobe_id(request: HttpRequest, org_code: UUID, adobe_job_id: str) -> HttpResponse:
    """A job by Adobe's id (what submissions and Adobe's mails name): redirect to its page."""
    job, _ = get_for_member(
        request,
        PrivacyJob.objects.only("code", "organization"),
        organization__code=org_code,
        job_id=adobe_job_id,
    )
    return redirect(job)


@require_GET
def job_detail(request: HttpRequest, job_code: UUID) -> HttpResponse:
    found, membership = get_for_member(
        request, PrivacyJob.objects.only("organization"), code=job_code
    )
    job = privacy_job_detail(pk=found.pk, membership=membership, rules=lateness_rules())
    context = {
        "membership": membership,
        "organization": membership.organization,
        "personal_data": can_see_personal_data(membership),
        "job": job,
        "responses": job.responses,
        "can_download": job.can_download,
    }
    template = (
        "privacy/_job_detail.html" if request.GET.get("partial") else "privacy/job_detail.html"
    )
    return render(request, template, context)


@require_GET
def job_download(request: HttpRequest, job_code: UUID) -> HttpResponse:
    job, membership = get_for_member(
        request, PrivacyJob.objects.all(), personal_data=True, code=job_code
    )
    if job.status != PrivacyJob.Status.COMPLETE or "access" not in job.action:
        messages.error(request, "Only complete access jobs have data to download.")
        return redirect(job)
    try:
        client = privacy_client(organization=membership.organization)
        content = client.download_content(job.job_id, url=job.download_url or None)
    except (AdobeError, LookoutError, SecretUnreadable) as exc:
        messages.error(request, f"The data could not be downloaded. {describe_privacy_error(exc)}")
        return redirect(job)
    audit_record(
        organization=membership.organization,
        actor=request.user,
        action=AuditEvent.Action.PRIVACY_DATA_DOWNLOADED,
        detail=f"Job {job.job_id} ({job.action} under {job.regulation})",
    )
    response = HttpResponse(content.content, content_type=content.content_type or "application/zip")
    response["Content-Disposition"] = f'attachment; filename="{job.job_id}.zip"'
    response["Cache-Control"] = "no-store"
    return response

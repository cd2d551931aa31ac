"""Reads for the Privacy Service pages: filtered job lists, counts, lateness."""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from privacy.models import PrivacyJob, PrivacySubmission, ProductResponse, Regulation

SORTS = {
    "newest": ("-adobe_created_at", "-id"),
    "oldest": ("adobe_created_at", "id"),
    "modified": ("-adobe_modified_at", "-id"),
    "status": ("status", "-adobe_created_at", "-id"),
    "regulation": ("regulation", "-adobe_created_at", "-id"),
}


@dataclass(frozen=True)
class JobFilters:
    """What the job list is narrowed to; every field comes from (and goes back to) the URL."""

    status: str = ""
    regulation: str = ""
    action: str = ""
    product: str = ""
    product_status: str = ""
    created_from: date | None = None
    created_to: date | None = None
    late_only: bool = False
    q: str = ""
    sort: str = "newest"
    extra: dict = field(default_factory=dict)


def regulation_deadlines() -> dict[str, int]:
    """Days to respond per regulation code, legacy codes included."""
    days: dict[str, int] = {}
    for regulation in Regulation.objects.all():
        for code in (regulation.code, *regulation.legacy_code_list):
            days[code] = regulation.days_to_respond
    return days


def stuck_after() -> timedelta:
    return timedelta(hours=settings.LOOKOUT_PRIVACY_STUCK_AFTER_HOURS)


def late_q(*, now: datetime, deadlines: dict[str, int]) -> Q:
    """Unfinished jobs past their regulation's deadline, or processing for too long."""
    by_regulation = [
        Q(regulation=code, adobe_created_at__lt=now - timedelta(days=days))
        for code, days in deadlines.items()
    ]
    stuck = Q(adobe_created_at__lt=now - stuck_after())
    overdue_or_stuck = functools.reduce(operator.or_, by_regulation, stuck)
    return Q(status__in=PrivacyJob.UNFINISHED) & overdue_or_stuck


def _search_q(text: str) -> Q:
    # Exact ids first (indexed); the user key (a data subject's reference) by prefix.
    return Q(job_id=text) | Q(request_id=text) | Q(user_key__istartswith=text)


def privacy_job_list(*, organization_id: int, filters: JobFilters) -> QuerySet[PrivacyJob]:
    jobs = PrivacyJob.objects.filter(organization_id=organization_id)
    if filters.status:
        jobs = jobs.filter(status=filters.status)
    if filters.regulation:
        jobs = jobs.filter(regulation=filters.regulation)
    if filters.action:
        jobs = jobs.filter(action=filters.action)
    if filters.product or filters.product_status:
        responses = ProductResponse.objects.all()
        if filters.product:
            responses = responses.filter(product__iexact=filters.product)
        if filters.product_status:
            responses = responses.filter(status__iexact=filters.product_status)
        jobs = jobs.filter(pk__in=responses.values("job_id"))
    if filters.created_from:
        start = datetime.combine(filters.created_from, time.min, tzinfo=UTC)
        jobs = jobs.filter(adobe_created_at__gte=start)
    if filters.created_to:
        end = datetime.combine(filters.created_to + timedelta(days=1), time.min, tzinfo=UTC)
        jobs = jobs.filter(adobe_created_at__lt=end)
    if filters.late_only:
        jobs = jobs.filter(late_q(now=timezone.now(), deadlines=regulation_deadlines()))
    if filters.q:
        jobs = jobs.filter(_search_q(filters.q.strip()))
    return jobs.order_by(*SORTS.get(filters.sort, SORTS["newest"]))


def privacy_job_page(
    *, jobs: QuerySet[PrivacyJob], page: int, per_page: int
) -> tuple[list[PrivacyJob], bool]:
    """One page and whether another follows: LIMIT n+1, never a COUNT of the whole list."""
    offset = (page - 1) * per_page
    rows = list(
        jobs.prefetch_related(
            Prefetch(
                "product_responses",
                queryset=ProductResponse.objects.only(
                    "id", "job_id", "product", "status", "response_code"
                ),
            )
        )[offset : offset + per_page + 1]
    )
    return rows[:per_page], len(rows) > per_page


def privacy_status_counts(*, organization_id: int) -> dict[str, int]:
    rows = (
        PrivacyJob.objects.filter(organization_id=organization_id)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {status: 0 for status in PrivacyJob.Status.values}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def privacy_late_count(*, organization_id: int) -> int:
    return (
        PrivacyJob.objects.filter(organization_id=organization_id)
        .filter(late_q(now=timezone.now(), deadlines=regulation_deadlines()))
        .count()
    )


FILTER_CHOICES_TTL = 300


def privacy_filter_choices(*, organization_id: int) -> dict[str, list[str]]:
    """The values present in this organization's jobs, for the filter menus.

    Cached for a few minutes: the distinct products and statuses take a scan of every product
    response (about half the job list's time at 10,000 jobs) and change only with a sync.
    """
    return cache.get_or_set(
        f"privacy-filter-choices:{organization_id}",
        lambda: _filter_choices(organization_id),
        FILTER_CHOICES_TTL,
    )


def _filter_choices(organization_id: int) -> dict[str, list[str]]:
    jobs = PrivacyJob.objects.filter(organization_id=organization_id).order_by()
    responses = ProductResponse.objects.filter(job__organization_id=organization_id).order_by()
    return {
        "regulations": sorted(jobs.values_list("regulation", flat=True).distinct()),
        "actions": sorted(jobs.values_list("action", flat=True).distinct()),
        "products": sorted(responses.values_list("product", flat=True).distinct()),
        "product_statuses": sorted(responses.values_list("status", flat=True).distinct()),
    }


def privacy_submission_list(*, organization_id: int) -> QuerySet[PrivacySubmission]:
    return PrivacySubmission.objects.filter(organization_id=organization_id).select_related(
        "submitted_by"
    )

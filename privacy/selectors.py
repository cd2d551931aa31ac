"""Reads for the Privacy Service pages: job lists and pages, counts, lateness, filter menus."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from dashboard.paging import Page, page_of
from privacy.lateness import LatenessRules
from privacy.models import PrivacyJob, PrivacySubmission, ProductResponse
from privacy.services.regulations import regulation_days_to_respond

if TYPE_CHECKING:
    from privacy.filters import JobFilterSet

# Newest first: the list's order when no sort is asked for (JobFilterSet's "newest").
DEFAULT_ORDER = ("-adobe_created_at", "-id")


def lateness_rules(*, now: datetime | None = None) -> LatenessRules:
    """The rules every late filter, count and badge of one request uses: the Regulation table's
    deadlines (legacy codes included) and the stuck threshold, judged at ``now``."""
    return LatenessRules(
        days_to_respond=regulation_days_to_respond(),
        now=now or timezone.now(),
        stuck_after=timedelta(hours=settings.LOOKOUT_PRIVACY_STUCK_AFTER_HOURS),
    )


def privacy_job_list(
    *, organization_id: int, filters: JobFilterSet | None = None
) -> QuerySet[PrivacyJob]:
    """An organization's jobs, narrowed and sorted by ``filters`` (newest first without)."""
    jobs = PrivacyJob.objects.filter(organization_id=organization_id).order_by(*DEFAULT_ORDER)
    return filters.apply(jobs) if filters is not None else jobs


def privacy_job_page(
    *, jobs: QuerySet[PrivacyJob], number: int, per_page: int, rules: LatenessRules
) -> Page[PrivacyJob]:
    """One page of ``jobs`` with their product responses and lateness badges."""
    page = page_of(
        jobs.prefetch_related(
            Prefetch(
                "product_responses",
                queryset=ProductResponse.objects.only(
                    "id", "job_id", "product", "status", "response_code"
                ),
            )
        ),
        number=number,
        per_page=per_page,
    )
    rules.badge(page.items)
    return page


@dataclass(frozen=True)
class JobCounts:
    by_status: dict[str, int]
    late: int

    @property
    def in_progress(self) -> int:
        return sum(self.by_status.get(status, 0) for status in PrivacyJob.UNFINISHED)


def privacy_job_counts(
    *, organization_ids: Sequence[int], rules: LatenessRules
) -> dict[int, JobCounts]:
    """Per organization: jobs per status and how many are late, in one query for them all."""
    rows = (
        PrivacyJob.objects.filter(organization_id__in=organization_ids)
        .values("organization_id", "status")
        .annotate(n=Count("id"), late=Count("id", filter=rules.late_q()))
        .order_by()
    )
    by_status = {pk: dict.fromkeys(PrivacyJob.Status.values, 0) for pk in organization_ids}
    late = dict.fromkeys(organization_ids, 0)
    for row in rows:
        by_status[row["organization_id"]][row["status"]] = row["n"]
        late[row["organization_id"]] += row["late"]
    return {pk: JobCounts(by_status=by_status[pk], late=late[pk]) for pk in organization_ids}


def privacy_org_cards(organization_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The privacy card of the home and organization pages (a ``dashboard.hooks`` card): two
    queries whatever the number of organizations."""
    counts = privacy_job_counts(organization_ids=organization_ids, rules=lateness_rules())
    return {pk: {"counts": counts[pk]} for pk in organization_ids}


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

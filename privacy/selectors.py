"""Reads for the Privacy Service pages: job lists and pages, counts, lateness, filter menus.

Personal data (``PrivacyJob.PERSONAL_FIELDS``, ``ProductResponse.PERSONAL_FIELDS``) reaches a page
only through these reads, and only for those ``dashboard.access.can_see_personal_data`` allows: a
viewer's jobs are read without it and carry blanks in its place, so no template can show it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Model, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from adobe.codes import OUTCOME_CODES
from dashboard.access import can_see_personal_data
from dashboard.models import Membership
from dashboard.paging import Keyset, KeysetPage, PageRequest, keyset_page
from privacy.lateness import LatenessRules
from privacy.models import PrivacyJob, PrivacySubmission, PrivacySyncState, ProductResponse
from privacy.services.regulations import regulation_days_to_respond
from privacy.user_keys import LOOKOUT_CODE, TEAM_REFERENCE, code_range

if TYPE_CHECKING:
    from privacy.filters import JobFilterSet

# Newest first: the list's order when no sort is asked for (JobFilterSet's "newest"); jobs Adobe
# gave no creation time after the others. As keyset segments (dashboard.paging) for the pages.
DEFAULT_ORDER = ("-adobe_created_at", "-id")
NEWEST = Keyset.of(*DEFAULT_ORDER, nullable="adobe_created_at")


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
    jobs = PrivacyJob.objects.filter(organization_id=organization_id)
    jobs = jobs.order_by(*NEWEST.flat_order())
    return filters.apply(jobs) if filters is not None else jobs


def privacy_job_page(
    *,
    jobs: QuerySet[PrivacyJob],
    per_page: int,
    rules: LatenessRules,
    membership: Membership,
    asked: PageRequest | None = None,
    order: Keyset = NEWEST,
) -> KeysetPage[PrivacyJob]:
    """The page of ``jobs`` (in ``order``) that ``asked`` names (the first without), as keyset
    pages: any page of any list costs about the same. With their product responses, lateness
    badges and the Lookout submission each came from; with the team's reference for those who may
    see personal data."""
    personal = can_see_personal_data(membership)
    # Lists never show the raw JSON, the identities or the download URL: not read for anyone.
    unread = ("raw_detail", "user_ids", "download_url", "personal_search")
    page = keyset_page(
        _readable(jobs.defer(*unread), personal=personal),
        order=order,
        asked=asked or PageRequest(),
        per_page=per_page,
        # A link's job marks its place even once it left the filter (no longer late, say).
        lookup=PrivacyJob.objects.filter(organization_id=membership.organization_id),
    )
    # After the page is read: its rows may come from two segments' queries, the responses in one.
    prefetch_related_objects(
        page.items,
        Prefetch(
            "product_responses",
            queryset=ProductResponse.objects.only(
                "id", "job_id", "product", "status", "response_code"
            ),
        ),
    )
    rules.badge(page.items)
    _lookout_submissions_attach(page.items, organization_id=membership.organization_id)
    if not personal:
        for job in page.items:
            _blank(job, PrivacyJob.PERSONAL_FIELDS)
            for response in job.product_responses.all():
                _blank(response, ProductResponse.PERSONAL_FIELDS)
    return page


def privacy_job_detail(*, pk: int, membership: Membership, rules: LatenessRules) -> PrivacyJob:
    """One job of the membership's organization for its page: its lateness, each product's answer
    explained (``responses``), the Lookout submission it came from, whether its access data is
    ready (``can_download``); its personal data for those who may see it, blanks for the others."""
    personal = can_see_personal_data(membership)
    jobs = PrivacyJob.objects.filter(organization_id=membership.organization_id)
    job = _readable(jobs.defer("personal_search"), personal=personal).get(pk=pk)
    responses = ProductResponse.objects.filter(job=job)
    job.responses = list(
        responses if personal else responses.defer(*ProductResponse.PERSONAL_FIELDS)
    )
    for response in job.responses:
        outcome = OUTCOME_CODES.get(response.response_code.removeprefix("PRVCY-"))
        response.code_title = outcome.title if outcome else ""
        response.code_description = outcome.description if outcome else ""
        if not personal:
            _blank(response, ProductResponse.PERSONAL_FIELDS)
    job.lateness = rules.of(job)
    job.can_download = job.status == PrivacyJob.Status.COMPLETE and "access" in job.action
    _lookout_submissions_attach([job], organization_id=membership.organization_id)
    if not personal:
        _blank(job, PrivacyJob.PERSONAL_FIELDS)
    return job


def privacy_job_export(*, jobs: QuerySet[PrivacyJob], membership: Membership) -> QuerySet:
    """``jobs`` for the CSV export, which is personal data: members and admins only."""
    if not can_see_personal_data(membership):
        raise PermissionDenied(f"the {membership.role} role may not see personal data")
    return (
        jobs.defer("raw_detail", "user_ids", "personal_search")
        .annotate(team_reference=TEAM_REFERENCE)
        .prefetch_related("product_responses")
    )


def _readable(jobs: QuerySet[PrivacyJob], *, personal: bool) -> QuerySet[PrivacyJob]:
    """``jobs`` with the code of the Lookout submission they came from (not personal data) and,
    for those who may see personal data, the team's reference; for the others, without reading
    any personal data at all."""
    jobs = jobs.annotate(lookout_code=LOOKOUT_CODE)
    if personal:
        return jobs.annotate(team_reference=TEAM_REFERENCE)
    return jobs.defer(*PrivacyJob.PERSONAL_FIELDS)


def _blank(obj: Model, names: Iterable[str]) -> None:
    """Put blanks in place of fields that were not read, so that touching one shows nothing
    instead of reading it from the database."""
    for name in names:
        setattr(
            obj, name, [] if obj._meta.get_field(name).get_internal_type() == "JSONField" else ""
        )


@dataclass(frozen=True)
class LookoutSubmission:
    """The submission a job came from, as any member may see it: who sent it from Lookout, when."""

    code: UUID
    submitted_by: str  # the Lookout user's name; "" once that user is deleted
    submitted_at: datetime


def _lookout_submissions_attach(jobs: Sequence[PrivacyJob], *, organization_id: int) -> None:
    """Set each job's ``lookout_submission`` (None for a job not sent from Lookout): one query."""
    ranges = {job.lookout_code: code_range(job.lookout_code) for job in jobs if job.lookout_code}
    ranges = {code: codes for code, codes in ranges.items() if codes is not None}
    found: dict[str, LookoutSubmission] = {}
    if ranges:
        starts = Q()
        for codes in ranges.values():
            starts |= Q(code__range=codes)
        rows = PrivacySubmission.objects.filter(starts, organization_id=organization_id)
        found = {
            code.hex[:10]: LookoutSubmission(code=code, submitted_by=by or "", submitted_at=at)
            for code, at, by in rows.values_list("code", "created_at", "submitted_by__username")
        }
    for job in jobs:
        job.lookout_submission = found.get(job.lookout_code)


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
    """Per organization: jobs per status and how many are late, exact, in a constant number of
    queries for them all (three, and a fourth when a sync wrote jobs since the last count).

    The open, the failed and the late jobs are counted at every request, each from an index alone
    (a few in a hundred: the open jobs' partial index carries their regulation). The complete jobs,
    most of every list, only change when a sync writes jobs: they are counted once per sync
    (``per_sync_cached``), instead of reading a hundred thousand index entries per page.
    """
    jobs = PrivacyJob.objects.filter(organization_id__in=organization_ids).order_by()
    by_status = {pk: dict.fromkeys(PrivacyJob.Status.values, 0) for pk in organization_ids}
    counted = jobs.filter(
        status__in=[s for s in PrivacyJob.Status.values if s != PrivacyJob.Status.COMPLETE]
    )
    for row in counted.values("organization_id", "status").annotate(n=Count("id")):
        by_status[row["organization_id"]][row["status"]] = row["n"]
    late = dict.fromkeys(organization_ids, 0)
    for row in jobs.filter(rules.late_q()).values("organization_id").annotate(n=Count("id")):
        late[row["organization_id"]] = row["n"]
    complete = per_sync_cached(
        organization_ids=organization_ids, name="complete-jobs", compute=_complete_counts
    )
    for pk in organization_ids:
        by_status[pk][PrivacyJob.Status.COMPLETE] = complete[pk]
    return {pk: JobCounts(by_status=by_status[pk], late=late[pk]) for pk in organization_ids}


def _complete_counts(organization_ids: Sequence[int]) -> dict[int, int]:
    rows = (
        PrivacyJob.objects.filter(
            organization_id__in=organization_ids, status=PrivacyJob.Status.COMPLETE
        )
        .values("organization_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    found = {row["organization_id"]: row["n"] for row in rows}
    return {pk: found.get(pk, 0) for pk in organization_ids}


PER_SYNC_TTL = 300


def per_sync_cached(
    *,
    organization_ids: Sequence[int],
    name: str,
    compute: Callable[[Sequence[int]], dict[int, Any]],
) -> dict[int, Any]:
    """Per organization, ``compute``'s value for it, computed once per state of its job sync (one
    query for the states, one call of ``compute`` for every organization whose value is not cached).

    For what only a sync changes (the complete jobs, the days jobs finished on). The key holds
    when the organization's last sync ended and how far the running one got, so a value is read
    again as soon as a sync writes jobs, in every process (the sync runs in a worker); and after
    ``PER_SYNC_TTL`` seconds in any case, for writers outside a sync (a reconciliation).
    """
    states = {
        row[0]: row[1:]
        for row in PrivacySyncState.objects.filter(
            organization_id__in=organization_ids
        ).values_list(
            "organization_id",
            "last_success_at",
            "last_error_at",
            "last_attempt_at",
            "progress_jobs",
        )
    }
    keys = {
        pk: f"privacy-{name}:{pk}:"
        + "-".join(
            f"{at:%Y%m%d%H%M%S%f}" if isinstance(at, datetime) else str(at or 0)
            for at in states.get(pk, ())
        )
        for pk in organization_ids
    }
    cached = cache.get_many(list(keys.values()))
    values = {pk: cached[key] for pk, key in keys.items() if key in cached}
    missing = [pk for pk in organization_ids if pk not in values]
    if missing:
        computed = compute(missing)
        cache.set_many({keys[pk]: computed[pk] for pk in missing}, PER_SYNC_TTL)
        values.update(computed)
    return values


def privacy_org_cards(organization_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The privacy card of the home and organization pages (a ``dashboard.hooks`` card): three
    queries whatever the number of organizations (the deadlines, the statuses, the late)."""
    counts = privacy_job_counts(organization_ids=organization_ids, rules=lateness_rules())
    return {pk: {"counts": counts[pk]} for pk in organization_ids}


FILTER_CHOICES_TTL = 300


def privacy_filter_choices(*, organization_id: int) -> dict[str, list[str]]:
    """The values present in this organization's jobs, for the filter menus.

    Cached for a few minutes: the distinct products and statuses take a scan of every product
    response (about half the job list's time at 10,000 jobs) and change only with a sync. The
    key holds when the organization's last sync ended, so the menus are read again as soon as
    one ends, in every process: the sync runs in a worker, whose cache is not the web's.
    """
    ended = (
        PrivacySyncState.objects.filter(organization_id=organization_id)
        .values_list("last_success_at", "last_error_at")
        .first()
    )
    version = "-".join(f"{at:%Y%m%d%H%M%S%f}" if at else "0" for at in ended or ())
    return cache.get_or_set(
        f"privacy-filter-choices:{organization_id}:{version}",
        lambda: _filter_choices(organization_id),
        FILTER_CHOICES_TTL,
    )


def privacy_sync_state(*, organization_id: int) -> PrivacySyncState | None:
    """The organization's job sync state; None before its first sync started."""
    return PrivacySyncState.objects.filter(organization_id=organization_id).first()


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

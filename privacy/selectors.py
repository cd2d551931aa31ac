"""Reads for the Privacy Service pages: job lists and pages, counts, lateness, filter menus.

Personal data (``PrivacyJob.PERSONAL_FIELDS``, ``ProductResponse.PERSONAL_FIELDS``) reaches a page
only through these reads, and only for those ``dashboard.access.can_see_personal_data`` allows: a
viewer's jobs are read without it and carry blanks in its place, so no template can show it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Model, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncDate
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone

from adobe.codes import OUTCOME_CODES
from dashboard.access import can_see_personal_data
from dashboard.charts import BarChart, stacked_bars
from dashboard.hooks import AttentionEntry
from dashboard.models import Membership, Organization
from dashboard.paging import Page, page_of
from privacy.lateness import LatenessRules, age_text
from privacy.models import PrivacyJob, PrivacySubmission, PrivacySyncState, ProductResponse
from privacy.services.regulations import regulation_days_to_respond
from privacy.user_keys import LOOKOUT_CODE, TEAM_REFERENCE, code_range

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
    *,
    jobs: QuerySet[PrivacyJob],
    number: int,
    per_page: int,
    rules: LatenessRules,
    membership: Membership,
) -> Page[PrivacyJob]:
    """One page of ``jobs`` with their product responses, lateness badges and the Lookout
    submission each came from; with the team's reference for those who may see personal data."""
    personal = can_see_personal_data(membership)
    # Lists never show the raw JSON, the identities or the download URL: not read for anyone.
    unread = ("raw_detail", "user_ids", "download_url", "personal_search")
    jobs = _readable(jobs.defer(*unread), personal=personal)
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


# The job list's overview: open jobs per regulation, and jobs finished per day.


@dataclass(frozen=True)
class RegulationSummary:
    """One regulation's open jobs: how many, how many late or stuck, and the oldest of them."""

    regulation: str
    days_to_respond: int | None  # None: no deadline known for this code
    open: int
    late: int
    oldest_code: UUID
    oldest_job_id: str
    oldest_created_at: datetime | None
    oldest_age: str  # "40 days", "5 hours"; "" when Adobe gave no creation time


def regulation_summary(*, organization_id: int, rules: LatenessRules) -> list[RegulationSummary]:
    """Per regulation with open jobs, in code order: one query, whatever the number of jobs.

    Late is ``rules.late_q()``, the list filter's and the counts' own definition, so a row's late
    number is what "Late or stuck only" lists for that regulation.
    """
    in_regulation = {"partition_by": [F("regulation")]}
    rows = (
        PrivacyJob.objects.filter(organization_id=organization_id, status__in=PrivacyJob.UNFINISHED)
        .annotate(
            open_count=Window(Count("id"), **in_regulation),
            late_count=Window(Count("id", filter=rules.late_q()), **in_regulation),
            age_rank=Window(
                RowNumber(),
                order_by=[F("adobe_created_at").asc(nulls_last=True), F("id").asc()],
                **in_regulation,
            ),
        )
        # Each regulation's oldest open job carries its regulation's counts.
        .filter(age_rank=1)
        .order_by("regulation")
        .values("regulation", "code", "job_id", "adobe_created_at", "open_count", "late_count")
    )
    return [
        RegulationSummary(
            regulation=row["regulation"],
            days_to_respond=rules.days_to_respond.get(row["regulation"]),
            open=row["open_count"],
            late=row["late_count"],
            oldest_code=row["code"],
            oldest_job_id=row["job_id"],
            oldest_created_at=row["adobe_created_at"],
            oldest_age=(
                age_text(row["adobe_created_at"], rules.now) if row["adobe_created_at"] else ""
            ),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class JobsPerDay:
    """Jobs that finished on each UTC day (by Adobe's last change to them), oldest day first."""

    days: list[date]
    complete: list[int]
    error: list[int]

    @property
    def rows(self) -> list[tuple[date, int, int]]:
        return list(zip(self.days, self.complete, self.error, strict=True))

    @property
    def total_complete(self) -> int:
        return sum(self.complete)

    @property
    def total_error(self) -> int:
        return sum(self.error)

    @property
    def chart(self) -> BarChart:
        return stacked_bars(
            [f"{day:%m-%d}" for day in self.days],
            {"complete": self.complete, "error": self.error},
        )


def jobs_per_day(*, organization_id: int, now: datetime, days: int = 30) -> JobsPerDay:
    """Jobs completed and failed on each of the last ``days`` UTC days, today included: one query.

    A finished job's day is ``adobe_modified_at``, Adobe's last change to it, which for a finished
    job is when it finished; a job without one is not counted.
    """
    return jobs_per_day_by_organization(organization_ids=[organization_id], now=now, days=days)[
        organization_id
    ]


# The home page: every organization's trend and sync in one query each, and the attention list.

# A sync whose last success is older than this many intervals has stalled.
STALLED_AFTER_INTERVALS = 3


def jobs_per_day_by_organization(
    *, organization_ids: Sequence[int], now: datetime, days: int = 30
) -> dict[int, JobsPerDay]:
    """:func:`jobs_per_day` for many organizations in one query, grouped by organization and day."""
    today = now.astimezone(UTC).date()
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, time.min, tzinfo=UTC)
    rows = (
        PrivacyJob.objects.filter(
            organization_id__in=organization_ids,
            status__in=(PrivacyJob.Status.COMPLETE, PrivacyJob.Status.ERROR),
            adobe_modified_at__gte=start,
            adobe_modified_at__lt=start + timedelta(days=days),
        )
        .annotate(day=TruncDate("adobe_modified_at", tzinfo=UTC))
        .values("organization_id", "day", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {(r["organization_id"], r["day"], r["status"]): r["n"] for r in rows}
    every_day = [first + timedelta(days=i) for i in range(days)]
    complete, error = PrivacyJob.Status.COMPLETE, PrivacyJob.Status.ERROR
    return {
        pk: JobsPerDay(
            days=every_day,
            complete=[counts.get((pk, day, complete), 0) for day in every_day],
            error=[counts.get((pk, day, error), 0) for day in every_day],
        )
        for pk in organization_ids
    }


def jobs_sparkline(per_day: JobsPerDay) -> BarChart:
    """The 30 days of ``per_day`` as a sparkline: stacked bars, no axis, no labels."""
    return stacked_bars(
        [f"{day:%Y-%m-%d}" for day in per_day.days],
        {"complete": per_day.complete, "error": per_day.error},
        width=150,
        height=32,
        margin_left=0,
        margin_right=0,
        margin_top=1,
        margin_bottom=1,
        gap=0.15,
        label_every=0,
    )


def privacy_home_cards(organization_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The privacy card (a ``dashboard.hooks`` card): the counts of :func:`privacy_org_cards`, the
    last 30 days' trend and when the job sync last succeeded. Four queries for any number of
    organizations."""
    rules = lateness_rules()
    cards = privacy_org_cards(organization_ids)
    per_day = jobs_per_day_by_organization(organization_ids=organization_ids, now=rules.now)
    syncs = {
        s.organization_id: s
        for s in PrivacySyncState.objects.filter(organization_id__in=organization_ids)
    }
    for pk, card in cards.items():
        card["per_day"] = per_day[pk]
        card["sparkline"] = jobs_sparkline(per_day[pk])
        card["sync"] = syncs.get(pk)
    return cards


def privacy_attention(organizations: Sequence[Organization]) -> list[AttentionEntry]:
    """The privacy entries of the home page's attention list (a ``dashboard.hooks`` source): late
    or stuck jobs and failed jobs per organization (``LatenessRules``' own late definition, so the
    link's ``?late=on`` lists exactly them), and job syncs failing or stalled. Two queries."""
    rules = lateness_rules()
    by_id = {o.pk: o for o in organizations}
    rows = (
        PrivacyJob.objects.filter(organization_id__in=by_id)
        .values("organization_id")
        .annotate(
            late=Count("id", filter=rules.late_q()),
            failed=Count("id", filter=Q(status=PrivacyJob.Status.ERROR)),
        )
        .order_by()
    )
    entries = []
    for row in rows:
        organization = by_id[row["organization_id"]]
        jobs = reverse("privacy:job_list", args=[organization.code])
        if row["late"]:
            entries.append(
                AttentionEntry(
                    severity=AttentionEntry.CRITICAL,
                    kind="privacy-late",
                    organization=organization,
                    title=f"{row['late']} late or stuck privacy job{pluralize(row['late'])}",
                    url=f"{jobs}?late=on",
                )
            )
        if row["failed"]:
            entries.append(
                AttentionEntry(
                    severity=AttentionEntry.WARNING,
                    kind="privacy-failed",
                    organization=organization,
                    title=f"{row['failed']} failed privacy job{pluralize(row['failed'])}",
                    url=f"{jobs}?status=error",
                )
            )
    stalled_before = rules.now - STALLED_AFTER_INTERVALS * timedelta(
        seconds=settings.LOOKOUT_PRIVACY_SYNC_INTERVAL
    )
    syncs = PrivacySyncState.objects.filter(organization_id__in=by_id).filter(
        Q(consecutive_failures__gt=0) | Q(last_success_at__lt=stalled_before)
    )
    for sync in syncs:
        organization = by_id[sync.organization_id]
        if sync.consecutive_failures:
            n = sync.consecutive_failures
            title = f"Privacy job sync failed {n} time{pluralize(n)} in a row"
            detail = sync.last_error
            since = sync.last_error_at
        else:
            title = "Privacy job sync has not succeeded for a while"
            detail = f"Last synced at {sync.last_success_at:%Y-%m-%d %H:%M} UTC."
            since = sync.last_success_at
        if sync.next_attempt_at:
            detail += f" Next attempt at {sync.next_attempt_at:%H:%M} UTC."
        entries.append(
            AttentionEntry(
                severity=AttentionEntry.WARNING,
                kind="privacy-sync",
                organization=organization,
                title=title,
                detail=detail.strip(),
                url=reverse("privacy:job_list", args=[organization.code]),
                since=since,
            )
        )
    return entries

"""Privacy at a glance: the job list's overview (open jobs per regulation, jobs finished per
day) and the home page's privacy card and attention entries, each in a constant number of
queries for any number of organizations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber, TruncDate
from django.template.defaultfilters import pluralize
from django.urls import reverse

from dashboard.charts import BarChart, stacked_bars
from dashboard.hooks import AttentionEntry
from dashboard.models import Organization
from privacy.lateness import LatenessRules, age_text
from privacy.models import PrivacyJob, PrivacySyncState
from privacy.selectors import lateness_rules, privacy_org_cards

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

"""Privacy's notification sources: jobs failing or passing their deadline, syncs failing
repeatedly. A handful of queries over the organizations someone listens to, within the lookback;
the keys name each change so that finding it again adds nothing. No personal data: a job is
named by Adobe's job id, its regulation and action, never by whose data it is."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import Q
from django.urls import reverse

from dashboard.hooks import NotificationDraft, NotificationSource
from dashboard.models import NotificationTopic, Organization
from dashboard.services.notifications import failure_streak, lookback_start
from privacy.models import PrivacyJob, PrivacySyncState
from privacy.services.regulations import regulation_days_to_respond


def _job_named(job: PrivacyJob) -> str:
    what = " ".join(part for part in (job.regulation.upper(), job.action) if part)
    return f"Privacy job {job.job_id}" + (f" ({what})" if what else "")


def job_changes(listeners: dict[int, datetime], now: datetime) -> list[NotificationDraft]:
    since = lookback_start(now)
    jobs = PrivacyJob.objects.filter(organization_id__in=listeners)
    drafts = []
    failed = jobs.filter(status=PrivacyJob.Status.ERROR).filter(
        Q(adobe_modified_at__gte=since) | Q(adobe_modified_at__isnull=True, updated_at__gte=since)
    )
    for job in failed.only(
        "code",
        "organization_id",
        "job_id",
        "regulation",
        "action",
        "adobe_modified_at",
        "updated_at",
    ):
        drafts.append(
            NotificationDraft(
                organization_id=job.organization_id,
                topic=NotificationTopic.PRIVACY_JOB,
                key=f"job:{job.job_id}:error",
                title=f"{_job_named(job)} failed",
                body="Adobe reported an error for this job; its page shows each product's answer.",
                link=reverse("privacy:job_detail", args=[job.code]),
                occurred_at=job.adobe_modified_at or job.updated_at,
            )
        )
    # Passing the deadline: created plus the regulation's days fell within the lookback.
    by_days: dict[int, list[str]] = {}
    for code, days in regulation_days_to_respond().items():
        by_days.setdefault(days, []).append(code)
    if by_days:
        crossed = reduce(
            or_,
            (
                Q(
                    regulation__in=codes,
                    adobe_created_at__lt=now - timedelta(days=days),
                    adobe_created_at__gte=since - timedelta(days=days),
                )
                for days, codes in by_days.items()
            ),
        )
        overdue = jobs.filter(crossed, status__in=PrivacyJob.UNFINISHED).only(
            "code", "organization_id", "job_id", "regulation", "action", "adobe_created_at"
        )
        days_of = regulation_days_to_respond()
        for job in overdue:
            deadline = job.deadline(days_of.get(job.regulation))
            drafts.append(
                NotificationDraft(
                    organization_id=job.organization_id,
                    topic=NotificationTopic.PRIVACY_JOB,
                    key=f"job:{job.job_id}:overdue",
                    title=f"{_job_named(job)} passed its deadline unfinished",
                    body=f"The regulation's deadline was {deadline:%Y-%m-%d %H:%M} UTC and Adobe "
                    "has not finished the job.",
                    link=reverse("privacy:job_detail", args=[job.code]),
                    occurred_at=deadline,
                )
            )
    return drafts


def sync_failures(listeners: dict[int, datetime], now: datetime) -> list[NotificationDraft]:
    states = PrivacySyncState.objects.filter(
        organization_id__in=listeners,
        consecutive_failures__gte=settings.LOOKOUT_NOTIFICATION_SYNC_FAILURES,
        last_error_at__gte=lookback_start(now),
    )
    codes = dict(
        Organization.objects.filter(pk__in=[s.organization_id for s in states]).values_list(
            "pk", "code"
        )
    )
    return [
        NotificationDraft(
            organization_id=state.organization_id,
            topic=NotificationTopic.SYNC,
            key=f"sync:privacy:{failure_streak(state)}",
            title=f"Privacy job sync failed {state.consecutive_failures} times in a row",
            body=state.last_error,
            link=reverse("privacy:job_list", args=[codes[state.organization_id]]),
            occurred_at=state.last_error_at,
        )
        for state in states
    ]


SOURCES = (
    NotificationSource("privacy-jobs", NotificationTopic.PRIVACY_JOB, job_changes),
    NotificationSource("privacy-sync", NotificationTopic.SYNC, sync_failures),
)

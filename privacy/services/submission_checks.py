"""Checking uncertain submissions with Adobe, never resending them (see
:mod:`privacy.services.submissions` for how a send becomes uncertain).

Beat queues one run per organization with a check due. A run claims each submission, lists the
jobs of its regulation and days once for all of them, and decides: its jobs found (*sent*), none
once ``LOOKOUT_PRIVACY_UNCERTAIN_WINDOW`` has passed since sending (*not received*), or none yet
(look again). When Adobe cannot be asked, the submission stays uncertain and is asked again on the
shared retry policy, past the window too.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

from adobe import PrivacyClient
from adobe.errors import AdobeError, AdobeInvalidRequest
from adobe.models.privacy import JobSummary
from dashboard.crypto import SecretUnreadable
from dashboard.describe import LookoutError, describe_privacy_error
from dashboard.models import AuditEvent
from dashboard.runs import policy_for
from dashboard.services.audit import audit_record
from dashboard.services.clients import privacy_client
from privacy.models import PrivacyJob, PrivacySubmission
from privacy.services.regulations import regulation_current_code

logger = logging.getLogger(__name__)
State = PrivacySubmission.State
# One run's listings by (regulation, from, to): the jobs, or Adobe's refusal of that listing.
Listings = dict[tuple[str, date, date], list[JobSummary] | AdobeInvalidRequest]

# After the first look (booked by the send), the next ones every few minutes until the window
# is over.
CHECK_EVERY = timedelta(minutes=5)
# A check holds its submission this long: a second worker skips it, and a check killed midway is
# tried again after it.
CHECK_HOLD = timedelta(minutes=5)
# Submissions one organization's run checks; the rest are still due at beat's next tick.
CHECK_BATCH = 200
NOT_RECEIVED = (
    "Adobe has no job from this request: it was not processed. Nothing was created at Adobe; "
    "submit it again."
)
# What a check records and carries on from; anything else is a bug and is raised.
CHECK_FAILURES = (AdobeError, LookoutError, SecretUnreadable)


def submission_check_due_organization_ids() -> list[int]:
    """Organizations with an uncertain submission whose next check is due (beat's fan-out)."""
    return list(
        PrivacySubmission.objects.filter(state=State.UNCERTAIN, next_check_at__lte=timezone.now())
        .order_by()
        .values_list("organization_id", flat=True)
        .distinct()
    )


def submissions_reconcile(*, organization_id: int) -> int:
    """Check one organization's due uncertain submissions with Adobe; return how many it decided.

    Each is claimed first (a conditional update of its next check), so two runs never check the
    same one. One listing per regulation and date window serves every submission of the run; when
    Adobe (or the credential) cannot be asked, the rest of the run's submissions wait with the same
    reason rather than asking again. Adobe refusing one listing (a 400) fails only the
    submissions that need it.
    """
    now = timezone.now()
    due = PrivacySubmission.objects.filter(
        organization_id=organization_id, state=State.UNCERTAIN, next_check_at__lte=now
    ).select_related("organization", "submitted_by")
    claimed = [s for s in due.order_by("next_check_at")[:CHECK_BATCH] if _check_claim(s, now)]
    if not claimed:
        return 0
    listings: Listings = {}
    failure: Exception | None = None
    client: PrivacyClient | None = None
    decided = 0
    for submission in claimed:
        found: list[JobSummary] = []
        if failure is None:
            try:
                client = client or privacy_client(organization=submission.organization)
                found = _jobs_of(client, submission, listings)
            except AdobeInvalidRequest as exc:
                _check_failed(submission, exc)  # this listing only: the others may work
                continue
            except CHECK_FAILURES as exc:
                failure = exc
                logger.warning(
                    "Checking submission %s with Adobe failed (%s)",
                    submission.code,
                    type(exc).__name__,
                )
        if failure is not None:
            _check_failed(submission, failure)
        else:
            decided += _check_done(submission, found)
    return decided


def _check_claim(submission: PrivacySubmission, now: datetime) -> bool:
    claimed = PrivacySubmission.objects.filter(
        pk=submission.pk, state=State.UNCERTAIN, next_check_at=submission.next_check_at
    ).update(next_check_at=now + CHECK_HOLD)
    return claimed == 1


def _jobs_of(
    client: PrivacyClient, submission: PrivacySubmission, listings: Listings
) -> list[JobSummary]:
    """The jobs Adobe lists with this submission's user keys (from a day before it was sent to a
    day after: Adobe's dates are GMT)."""
    sent = (submission.sent_at or submission.created_at).date()
    regulation = regulation_current_code(submission.regulation)
    key = (regulation, sent - timedelta(days=1), sent + timedelta(days=1))
    if key not in listings:
        try:
            listings[key] = list(
                client.iter_jobs(regulation=regulation, from_date=key[1], to_date=key[2])
            )
        except AdobeInvalidRequest as exc:
            listings[key] = exc
    listed = listings[key]
    if isinstance(listed, AdobeInvalidRequest):
        raise listed
    keys = {user["key"] for user in submission.users}
    return [job for job in listed if job.user_key in keys]


def _check_done(submission: PrivacySubmission, found: list[JobSummary]) -> int:
    """Adobe answered the listing: jobs found (sent), none after the window (not received), or
    none yet (look again). Returns 1 when decided."""
    now = timezone.now()
    fields = {
        "checks": submission.checks + 1,
        "checks_failed": 0,
        "check_error": "",
        "last_checked_at": now,
    }
    decide_by = submission.decide_by or now
    if found:
        job_ids = [job.job_id for job in found]
        fields |= {"state": State.SENT, "job_ids": job_ids, "error": "", "next_check_at": None}
    elif now >= decide_by:
        fields |= {"state": State.NOT_RECEIVED, "error": NOT_RECEIVED, "next_check_at": None}
    else:
        fields["next_check_at"] = min(now + CHECK_EVERY, decide_by)
    if not _check_record(submission, fields):
        return 0
    if found:
        _summaries_store(submission, found)
    if submission.state == State.UNCERTAIN:
        return 0
    _audit_check(submission)
    return 1


def _check_failed(submission: PrivacySubmission, exc: Exception) -> None:
    """Adobe could not be asked: stay uncertain and ask again on a backoff (Adobe's Retry-After
    when it sent one), at the end of the window at the latest; past it, keep asking."""
    now = timezone.now()
    failures = submission.checks_failed + 1
    next_check_at = now + policy_for(exc).delay(failures=failures, error=exc)
    decide_by = submission.decide_by or now
    if now < decide_by:
        next_check_at = min(next_check_at, decide_by)
    first_past_window = now >= decide_by and (
        submission.last_checked_at is None or submission.last_checked_at < decide_by
    )
    fields = {
        "checks": submission.checks + 1,
        "checks_failed": failures,
        "check_error": describe_privacy_error(exc)[:500],
        "last_checked_at": now,
        "next_check_at": next_check_at,
    }
    if _check_record(submission, fields) and first_past_window:
        _audit_check(submission)  # once: the window is over and the outcome still unknown


def _check_record(submission: PrivacySubmission, fields: dict) -> bool:
    """Write a check's outcome, only while the submission is still uncertain."""
    written = PrivacySubmission.objects.filter(pk=submission.pk, state=State.UNCERTAIN).update(
        **fields, updated_at=timezone.now()
    )
    for name, value in fields.items():
        setattr(submission, name, value)
    return written == 1


def _summaries_store(submission: PrivacySubmission, found: list[JobSummary]) -> None:
    """The jobs found, stored as the sync would first see them (it fills in the rest)."""
    now = timezone.now()
    for job in found:
        PrivacyJob.objects.get_or_create(
            organization=submission.organization,
            job_id=job.job_id,
            defaults={
                "user_key": job.user_key or "",
                "request_id": job.request_id or "",
                "action": job.action or "",
                "regulation": submission.regulation,
                "status": job.status
                if job.status in PrivacyJob.Status.values
                else PrivacyJob.Status.SUBMITTED,
                "adobe_created_at": job.created_at or submission.sent_at,
                "adobe_modified_at": job.last_modified_at,
                "last_seen_at": now,
                "next_detail_at": now,
            },
        )


def _hm(moment: datetime | None) -> str:
    return f"{moment.astimezone(UTC):%H:%M}" if moment else "—"


def _audit_check(submission: PrivacySubmission) -> None:
    """A check's outcome in the audit log; the system acts, for the person who submitted."""
    by = submission.submitted_by.get_username() if submission.submitted_by else "someone"
    when = f"{submission.created_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    if submission.state == State.SENT:
        outcome = "Adobe's answer had been lost; its jobs were found at Adobe. Not sent again."
    elif submission.state == State.NOT_RECEIVED:
        outcome = submission.error
    else:
        outcome = (
            f"Adobe could not be asked yet; checking again at {_hm(submission.next_check_at)} "
            f"UTC. {submission.check_error}"
        )
    audit_record(
        organization=submission.organization,
        actor=None,
        action=AuditEvent.Action.PRIVACY_REQUEST_CHECKED,
        detail=(
            f"Checked with Adobe the request {by} submitted at {when}: "
            f"{submission.get_state_display()}: {submission.in_a_few_words}. {outcome}"
        ),
    )

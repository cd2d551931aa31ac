"""Submitting access/delete requests and opt-outs to Adobe: recorded first, never posted twice.

A submission is saved before anything is sent. Sending claims it with a conditional update
(``recorded`` -> ``uncertain``), so a double click, a retried request or a second worker can never
post it again. Until Adobe answers, the submission is *uncertain*: if the process dies mid-call,
:func:`submission_reconcile` finds the jobs it created by the user keys Lookout gave them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from adobe import PrivacyUser, UserIdentity
from adobe.errors import AdobeError, AdobeInvalidRequest, AdobeUnavailable
from adobe.models.privacy_requests import build_consent_request, build_job_request
from dashboard.crypto import SecretUnreadable
from dashboard.describe import LookoutError, describe_privacy_error
from dashboard.models import AuditEvent, Organization
from dashboard.services.audit import audit_record
from dashboard.services.clients import privacy_client
from dashboard.services.tokens import TokenUnavailable
from privacy.models import PrivacyJob, PrivacySubmission
from privacy.services.regulations import regulation_current_code

logger = logging.getLogger(__name__)
State = PrivacySubmission.State


class SubmissionRefused(Exception):
    """Nothing was sent: the request breaks one of Adobe's rules, or no credential can send it."""


def _user_key(submission: PrivacySubmission, index: int, given: str) -> str:
    # Lookout's prefix lets reconciliation find the jobs of a submission whose answer was lost.
    return f"LK{submission.code.hex[:10]}-{index}" + (f"-{given}" if given else "")


def _privacy_users(submission: PrivacySubmission) -> list[PrivacyUser]:
    return [
        PrivacyUser(
            key=user["key"],
            actions=tuple(submission.actions),
            ids=tuple(UserIdentity(namespace=ns, value=value) for ns, value in user["ids"]),
        )
        for user in submission.users
    ]


@transaction.atomic
def submission_record(
    *,
    organization: Organization,
    submitted_by: AbstractBaseUser,
    regulation: str,
    actions: Sequence[str],
    products: Sequence[str],
    subjects: Sequence[tuple[str, Sequence[tuple[str, str]]]],
) -> PrivacySubmission:
    """Validate as Adobe would and save; nothing is sent yet."""
    # A legacy code is recorded (and sent) as its current code, from the Regulation table.
    regulation = regulation_current_code(regulation)
    submission = PrivacySubmission(
        organization=organization,
        kind=PrivacySubmission.Kind.JOBS,
        submitted_by=submitted_by,
        regulation=regulation,
        actions=list(actions),
        products=list(products),
    )
    submission.users = [
        {"key": _user_key(submission, i, key), "ids": [list(pair) for pair in ids]}
        for i, (key, ids) in enumerate(subjects, start=1)
    ]
    try:
        build_job_request(
            ims_org_id=organization.ims_org_id,
            regulation=regulation,
            users=_privacy_users(submission),
            include=products,
        )
    except AdobeInvalidRequest as exc:
        raise SubmissionRefused(f"Adobe would refuse this request: {exc.message}.") from None
    submission.save()
    return submission


def _claim(submission: PrivacySubmission) -> bool:
    claimed = PrivacySubmission.objects.filter(pk=submission.pk, state=State.RECORDED).update(
        state=State.UNCERTAIN, sent_at=timezone.now()
    )
    return claimed == 1


def submission_send(*, submission: PrivacySubmission) -> PrivacySubmission:
    """Post a recorded submission once; later calls find it claimed and do nothing."""
    if not _claim(submission):
        submission.refresh_from_db()
        return submission
    try:
        client = privacy_client(organization=submission.organization)
        if submission.kind == PrivacySubmission.Kind.CONSENT:
            client.opt_out(entities=submission.users[0]["entities"])
            job_ids: list[str] = []
        else:
            # A code recorded before it became legacy goes out as today's code too.
            submission.regulation = regulation_current_code(submission.regulation)
            result = client.create_jobs(
                regulation=submission.regulation,
                users=_privacy_users(submission),
                include=submission.products,
            )
            job_ids = [job.job_id for job in result.jobs]
            _jobs_store(submission, result.jobs)
    except (LookoutError, SecretUnreadable, TokenUnavailable) as exc:
        # No credential, no token, no readable secret: nothing reached Adobe.
        _finish(submission, State.FAILED, error=f"Not sent. {describe_privacy_error(exc)}")
    except AdobeUnavailable as exc:
        # The request may have reached Adobe: never resend, reconcile by listing instead.
        _finish(submission, State.UNCERTAIN, error=describe_privacy_error(exc))
    except AdobeError as exc:
        _finish(submission, State.FAILED, error=describe_privacy_error(exc))
    else:
        _finish(submission, State.SENT, job_ids=job_ids)
    _audit(submission)
    return submission


def _finish(submission: PrivacySubmission, state: str, *, error: str = "", job_ids=None) -> None:
    submission.state = state
    submission.error = error[:500]
    if job_ids is not None:
        submission.job_ids = job_ids
    submission.save(update_fields=["state", "error", "job_ids", "regulation", "updated_at"])


def _jobs_store(submission: PrivacySubmission, created) -> None:
    now = timezone.now()
    for job in created:
        PrivacyJob.objects.update_or_create(
            organization=submission.organization,
            job_id=job.job_id,
            defaults={
                "user_key": job.user_key or "",
                "action": ",".join(job.actions),
                "regulation": submission.regulation,
                "status": PrivacyJob.Status.SUBMITTED,
                "adobe_created_at": now,
                "last_seen_at": now,
                "next_detail_at": now + timedelta(minutes=5),
            },
        )


def _audit(submission: PrivacySubmission) -> None:
    is_consent = submission.kind == PrivacySubmission.Kind.CONSENT
    people = len(submission.users[0]["entities"]) if is_consent else len(submission.users)
    audit_record(
        organization=submission.organization,
        actor=submission.submitted_by,
        action=AuditEvent.Action.PRIVACY_CONSENT_SUBMITTED
        if is_consent
        else AuditEvent.Action.PRIVACY_REQUEST_SUBMITTED,
        detail=(
            f"{submission.get_state_display()}: "
            + (
                "opt-out"
                if is_consent
                else f"{'+'.join(submission.actions)} under "
                f"{submission.regulation}, {people} people, {len(submission.job_ids)} jobs"
            )
            + (f". {submission.error}" if submission.error else "")
        ),
    )


@transaction.atomic
def consent_record(
    *, organization: Organization, submitted_by: AbstractBaseUser, entities: dict[str, list[str]]
) -> PrivacySubmission:
    try:
        build_consent_request(entities=entities)
    except AdobeInvalidRequest as exc:
        raise SubmissionRefused(f"Adobe would refuse this opt-out: {exc.message}.") from None
    return PrivacySubmission.objects.create(
        organization=organization,
        kind=PrivacySubmission.Kind.CONSENT,
        submitted_by=submitted_by,
        users=[{"entities": entities}],
    )


def submission_reconcile(*, submission: PrivacySubmission) -> PrivacySubmission:
    """An uncertain submission: look for the jobs Adobe made from it, by their user keys."""
    if submission.state != State.UNCERTAIN or submission.kind != PrivacySubmission.Kind.JOBS:
        return submission
    client = privacy_client(organization=submission.organization)
    keys = {user["key"] for user in submission.users}
    sent = (submission.sent_at or submission.created_at).date()
    found = [
        job
        for job in client.iter_jobs(
            regulation=regulation_current_code(submission.regulation),
            from_date=sent - timedelta(days=1),
            to_date=sent + timedelta(days=1),
        )
        if job.user_key in keys
    ]
    if found:
        submission.job_ids = [job.job_id for job in found]
        _finish(submission, State.SENT, job_ids=submission.job_ids)
    return submission


def submissions_reconcile_uncertain(*, older_than: timedelta = timedelta(minutes=2)) -> int:
    """Reconcile every uncertain submission old enough for Adobe to have finished with it."""
    reconciled = 0
    cutoff = timezone.now() - older_than
    uncertain = PrivacySubmission.objects.filter(
        state=State.UNCERTAIN, kind=PrivacySubmission.Kind.JOBS, sent_at__lt=cutoff
    ).select_related("organization")
    for submission in uncertain:
        try:
            if submission_reconcile(submission=submission).state == State.SENT:
                reconciled += 1
        except (AdobeError, LookoutError, SecretUnreadable) as exc:
            logger.warning("Reconciling submission %s failed: %s", submission.code, exc)
    return reconciled

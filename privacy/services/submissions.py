"""Submitting access/delete requests and opt-outs to Adobe: recorded first, never posted twice.

A submission is saved before anything is sent. Sending claims it with a conditional update
(``recorded`` -> ``uncertain``), so a double click, a retried request or a second worker can never
post it again. How the send ends decides what Lookout can say:

* Adobe answered: *sent* (with its job ids) or *not accepted* (Adobe refused it);
* nothing left Lookout (no credential, no token because IMS is down, the connection refused or
  never opened): *not accepted*, "Not sent", at once;
* the request may have reached Adobe (a 5xx, the connection dropped after sending, no answer in
  time, an answer Lookout could not read): *uncertain*. It is never sent again (a delete request
  reaching Adobe twice is worse than asking a person to resubmit). :func:`submissions_reconcile`
  looks for the jobs Adobe made from it by the user keys Lookout gave them: found, it is *sent*;
  still none once ``LOOKOUT_PRIVACY_UNCERTAIN_WINDOW`` has passed since sending, it is *not
  received* and a person may submit it again. While Adobe cannot be asked, it stays uncertain and
  the check is retried on a backoff, past the window too, and the page says when.

Adobe offers no way to look an opt-out up: one whose answer was lost is *outcome unknown* at once
(sending it again is harmless).

One submission per form, whatever the browser does: each rendered form carries a one-time key that
becomes the submission's ``idempotency_key`` (unique). A second POST with that key, even two at
once, finds the first submission (:class:`AlreadySubmitted`) and sends nothing.

What fits is checked before anything is recorded. Adobe limits counts, not lengths (adobe-api.md
§2.4: at most 1000 users, 9 identities each), so the lengths are Lookout's, chosen so that what
Adobe echoes back fits the columns it lands in:

* a team's reference: at most :data:`REFERENCE_MAX` (482) characters, so that Lookout's prefix
  (``LK<10 hex>-<line>-``, up to 18 characters) plus the reference fits ``PrivacyJob.user_key``
  (500), which Adobe's echo of the key is stored in;
* an identity: a namespace of at most :data:`NAMESPACE_MAX` (100) characters (Adobe's are short
  codes: Email, ECID, a custom namespace's symbol) and a value of at most
  :data:`IDENTITY_VALUE_MAX` (255; an email address has at most 254). At Adobe's counts a
  submission's JSON then stays under about 3.2 MB (1000 x 9 identities), a job's under 4 KB.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from adobe import PrivacyUser, UserIdentity
from adobe.errors import (
    AdobeBadResponse,
    AdobeError,
    AdobeInvalidRequest,
    AdobeRateLimited,
    AdobeUnavailable,
)
from adobe.models.privacy_requests import build_consent_request, build_job_request
from dashboard.crypto import SecretUnreadable
from dashboard.describe import LookoutError, TokenUnavailable, describe_privacy_error
from dashboard.models import AuditEvent, Organization
from dashboard.runs import retry_after
from dashboard.services.audit import audit_record
from dashboard.services.clients import privacy_client
from privacy.models import PrivacyJob, PrivacySubmission
from privacy.services.regulations import regulation_current_code
from privacy.submission_selectors import submission_for_key
from privacy.user_keys import (
    PREFIX_MAX,
    user_key_make,
)

logger = logging.getLogger(__name__)
State = PrivacySubmission.State

# The first look for the jobs of an uncertain send (privacy.services.submission_checks): Adobe
# lists a job moments after accepting it.
FIRST_CHECK = timedelta(minutes=2)
CONSENT_UNKNOWN = (
    "Adobe offers no way to look an opt-out up, so Lookout cannot tell whether it was recorded. "
    "Sending it again is harmless: submit it again."
)


# What fits (see the module's docstring).
USER_KEY_MAX = PrivacyJob._meta.get_field("user_key").max_length  # 500
REFERENCE_MAX = USER_KEY_MAX - PREFIX_MAX  # 482
NAMESPACE_MAX = 100
IDENTITY_VALUE_MAX = 255


class SubmissionRefused(Exception):
    """Nothing was sent: the request breaks one of Adobe's rules, or no credential can send it."""


class AlreadySubmitted(Exception):
    """The form's one-time key belongs to a submission already recorded: nothing is sent again."""

    def __init__(self, submission: PrivacySubmission) -> None:
        super().__init__(f"Submission {submission.code} already recorded")
        self.submission = submission


def identity_too_long(namespace: str, value: str) -> str | None:
    """Why an identity does not fit, in words that never quote it; None when it fits."""
    if len(namespace) > NAMESPACE_MAX:
        return f"a namespace is {len(namespace):,} characters long; at most {NAMESPACE_MAX} fit"
    if len(value) > IDENTITY_VALUE_MAX:
        return (
            f"an identity value is {len(value):,} characters long; at most {IDENTITY_VALUE_MAX} fit"
        )
    return None


def reference_too_long(reference: str) -> str | None:
    """Why a team's reference does not fit after Lookout's prefix; None when it fits."""
    if len(reference) > REFERENCE_MAX:
        return (
            f"the reference is {len(reference):,} characters long; at most {REFERENCE_MAX} fit "
            f"(Lookout adds its own prefix of up to {PREFIX_MAX} and Adobe's user keys are "
            f"kept up to {USER_KEY_MAX})"
        )
    return None


def _user_key(submission: PrivacySubmission, index: int, given: str) -> str:
    # Lookout's prefix lets reconciliation find the jobs of a submission whose answer was lost.
    return user_key_make(submission.code, index, given)


def _refuse_what_does_not_fit(subjects: Sequence[tuple[str, Sequence[tuple[str, str]]]]) -> None:
    for line, (reference, ids) in enumerate(subjects, start=1):
        problems = [reference_too_long(reference)]
        problems += [identity_too_long(namespace, value) for namespace, value in ids]
        problem = next((p for p in problems if p), None)
        if problem:
            raise SubmissionRefused(f"Not recorded: in data subject {line}, {problem}.")


def _save_once(submission: PrivacySubmission) -> PrivacySubmission:
    """Insert it under its one-time key, or raise AlreadySubmitted with the one saved before.

    Two POSTs of one form at once both get here; the unique key lets one insert, and the other
    (its insert waits for the first to commit, then fails) finds that one.
    """
    try:
        with transaction.atomic():
            submission.save(force_insert=True)
    except IntegrityError:
        earlier = submission_for_key(
            organization=submission.organization, key=submission.idempotency_key
        )
        if earlier is None:  # the key is another organization's (or the insert broke otherwise)
            raise SubmissionRefused(
                "This form was already used. Nothing was recorded: reload the page and send it "
                "again."
            ) from None
        logger.info("Form already submitted: submission %s, not recorded again", earlier.code)
        raise AlreadySubmitted(earlier) from None
    return submission


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
    key: uuid.UUID | None = None,
) -> PrivacySubmission:
    """Validate as Adobe would and save; nothing is sent yet.

    ``key`` is the form's one-time key; a key already used raises AlreadySubmitted.
    """
    _refuse_what_does_not_fit(subjects)
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
    if key is not None:
        submission.idempotency_key = key
    submission.users = [
        {"key": _user_key(submission, i, reference), "ids": [list(pair) for pair in ids]}
        for i, (reference, ids) in enumerate(subjects, start=1)
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
    return _save_once(submission)


def _claim(submission: PrivacySubmission) -> bool:
    # Uncertain from the claim on, with its first check booked: a process killed mid-send
    # leaves a submission that reconciliation picks up like any other whose answer was lost.
    now = timezone.now()
    claimed = PrivacySubmission.objects.filter(pk=submission.pk, state=State.RECORDED).update(
        state=State.UNCERTAIN, sent_at=now, next_check_at=now + FIRST_CHECK
    )
    if claimed == 1:
        submission.state, submission.sent_at = State.UNCERTAIN, now
        submission.next_check_at = now + FIRST_CHECK
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
        # No credential, no token (IMS down or refusing), no readable secret: nothing was sent.
        _finish(submission, State.FAILED, error=f"Not sent. {describe_privacy_error(exc)}")
    except AdobeUnavailable as exc:
        if exc.maybe_processed:
            # A 5xx, or the connection broke after the request went out: Adobe may have it.
            _lost(submission, exc)
        else:
            # The connection was refused or never opened: the request never left Lookout.
            _finish(submission, State.FAILED, error=f"Not sent. {describe_privacy_error(exc)}")
    except AdobeBadResponse as exc:
        # Adobe answered 2xx, so it has the request; only its answer could not be read.
        _lost(submission, exc)
    except AdobeError as exc:
        _finish(submission, State.FAILED, error=_not_accepted(exc))
    else:
        _finish(submission, State.SENT, job_ids=job_ids)
    _audit(submission)
    return submission


def _not_accepted(exc: AdobeError) -> str:
    """Adobe answered and created nothing: a complete sentence, never promising a retry (a
    submission is sent once; a person submits it again)."""
    if isinstance(exc, AdobeRateLimited):
        wait = retry_after(exc)
        later = f"in {wait:.0f} s" if wait is not None else "in a minute"
        return (
            "Adobe Privacy Service is rate limiting requests (429): nothing was created. "
            f"Submit it again {later}."
        )
    return f"{describe_privacy_error(exc)} Nothing was created at Adobe."


def _lost(submission: PrivacySubmission, exc: AdobeError) -> None:
    """The request may have reached Adobe: never resend it, find out instead."""
    reason = describe_privacy_error(exc)
    if submission.kind == PrivacySubmission.Kind.CONSENT:
        lost = f"Adobe's answer was lost ({reason.rstrip('.')}). "
        _finish(submission, State.UNKNOWN, error=lost + CONSENT_UNKNOWN)
        return
    _finish(submission, State.UNCERTAIN, error=reason)  # its first check was booked on claim


def _finish(submission: PrivacySubmission, state: str, *, error: str = "", job_ids=None) -> None:
    submission.state = state
    submission.error = error[:500]
    if state != State.UNCERTAIN:
        submission.next_check_at = None
    if job_ids is not None:
        submission.job_ids = job_ids
    submission.save(
        update_fields=["state", "error", "job_ids", "regulation", "next_check_at", "updated_at"]
    )


def _jobs_store(submission: PrivacySubmission, created) -> None:
    now = timezone.now()
    for job in created:
        PrivacyJob.objects.update_or_create(
            organization=submission.organization,
            job_id=job.job_id,
            defaults={
                # Checked before sending; clipped like the sync does, in case Adobe's echo differs.
                "user_key": (job.user_key or "")[:USER_KEY_MAX],
                "action": ",".join(job.actions)[:20],
                "regulation": submission.regulation,
                "status": PrivacyJob.Status.SUBMITTED,
                "adobe_created_at": now,
                "last_seen_at": now,
                "next_detail_at": now + timedelta(minutes=5),
            },
        )


def _audit(submission: PrivacySubmission) -> None:
    is_consent = submission.kind == PrivacySubmission.Kind.CONSENT
    audit_record(
        organization=submission.organization,
        actor=submission.submitted_by,
        action=AuditEvent.Action.PRIVACY_CONSENT_SUBMITTED
        if is_consent
        else AuditEvent.Action.PRIVACY_REQUEST_SUBMITTED,
        detail=(
            f"{submission.get_state_display()}: {submission.in_a_few_words}"
            + (f". {submission.error}" if submission.error else "")
        ),
    )


@transaction.atomic
def consent_record(
    *,
    organization: Organization,
    submitted_by: AbstractBaseUser,
    entities: dict[str, list[str]],
    key: uuid.UUID | None = None,
) -> PrivacySubmission:
    """Validate and save an opt-out; ``key`` as for :func:`submission_record`."""
    for namespace, values in entities.items():
        problem = next((p for v in values if (p := identity_too_long(namespace, v))), None)
        if problem:
            raise SubmissionRefused(f"Not recorded: {problem}.")
    try:
        build_consent_request(entities=entities)
    except AdobeInvalidRequest as exc:
        raise SubmissionRefused(f"Adobe would refuse this opt-out: {exc.message}.") from None
    submission = PrivacySubmission(
        organization=organization,
        kind=PrivacySubmission.Kind.CONSENT,
        submitted_by=submitted_by,
        users=[{"entities": entities}],
    )
    if key is not None:
        submission.idempotency_key = key
    return _save_once(submission)

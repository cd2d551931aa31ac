"""Submitting access/delete requests and opt-outs of sale (admins and members, not viewers).

Each form is sent at most once (its one-time key, privacy.services.submissions), and a request
Adobe has nothing from can be opened again, pre-filled, with ``?again=<submission code>`` or,
for an errored job, ``?job=<job code>``; nothing is sent until the member sends that form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from dashboard.access import get_membership
from dashboard.models import Membership
from privacy.forms import ConsentForm, PrivacyRequestForm
from privacy.models import PrivacySubmission
from privacy.selectors import privacy_submission_list
from privacy.services.submissions import (
    AlreadySubmitted,
    SubmissionRefused,
    consent_record,
    submission_record,
    submission_send,
)
from privacy.submission_selectors import (
    job_again_initial,
    submission_again_initial,
    submission_for_key,
)

State = PrivacySubmission.State
Kind = PrivacySubmission.Kind


def _outcome(submission: PrivacySubmission) -> tuple[int, str]:
    """(message level, words) for where a submission stands."""
    if submission.state == State.SENT:
        if submission.kind == Kind.CONSENT:
            return messages.SUCCESS, "Adobe recorded the opt-out of sale."
        jobs = len(submission.job_ids)
        return messages.SUCCESS, (
            f"Adobe accepted the request: {jobs} job{'s' if jobs != 1 else ''} created."
        )
    if submission.state == State.RECORDED:
        return messages.INFO, "It is being sent now; Recent submissions shows how it ends."
    if submission.state == State.UNCERTAIN and not submission.error and not submission.checks:
        # Claimed and sent (or being sent) by another request, whose answer has not come yet.
        return messages.INFO, "It was sent; Recent submissions shows how it ends."
    if submission.state == State.UNCERTAIN:
        return messages.WARNING, (
            f"Sent, but Adobe's answer was lost ({submission.error.rstrip('.')}). It will not be "
            "sent again: Lookout looks for the jobs Adobe made from it and says below, by "
            f"{submission.decide_by:%H:%M} UTC, whether Adobe received it."
        )
    if submission.state == State.UNKNOWN:
        return messages.WARNING, submission.error
    if submission.state == State.NOT_RECEIVED or submission.error.startswith("Not sent."):
        return messages.ERROR, submission.explanation
    return messages.ERROR, submission.error  # a sentence that says who refused it and why


def _form_page(request, membership, template: str, form, status: int) -> HttpResponse:
    submissions = privacy_submission_list(organization_id=membership.organization_id)[:20]
    return render(
        request,
        template,
        {
            "membership": membership,
            "organization": membership.organization,
            "form": form,
            "submissions": submissions,
        },
        status=status,
    )


def _again(request: HttpRequest, membership: Membership, kind: str) -> dict[str, Any] | None:
    """The form's initial values when a member opens it to submit something again."""
    code = request.GET.get("again") or (request.GET.get("job") if kind == Kind.JOBS else None)
    if request.method != "GET" or not code:
        return None
    try:
        code = UUID(code)
    except ValueError:
        raise Http404("No such submission") from None
    if "again" in request.GET:
        found = submission_again_initial(organization=membership.organization, submission_code=code)
        initial = found[1] if found and found[0] == kind else None
    else:
        initial = job_again_initial(organization=membership.organization, job_code=code)
    if initial is None:  # another organization's, or Adobe has it: nothing to submit again
        raise Http404("Nothing to submit again")
    return initial


def _already_submitted(request: HttpRequest, submission: PrivacySubmission) -> HttpResponse:
    level, words = _outcome(submission)
    when = f"{submission.created_at:%H:%M}"
    message = f"This form was already submitted at {when} UTC; it was not submitted again. {words}"
    messages.add_message(request, level, message)
    return redirect(request.path)


def _submit_once(
    request: HttpRequest,
    membership: Membership,
    form,
    template: str,
    record: Callable[[dict[str, Any]], PrivacySubmission],
) -> HttpResponse:
    """Record and send a form once; the same form again shows the first submission."""
    if request.method == "POST":
        key = form.submitted_key
        earlier = key and submission_for_key(organization=membership.organization, key=key)
        if earlier:  # whatever the form holds now: its key was used
            return _already_submitted(request, earlier)
        if form.is_valid():
            try:
                submission = record(form.cleaned_data)
            except AlreadySubmitted as exc:  # the same form, posted at the same moment
                return _already_submitted(request, exc.submission)
            except SubmissionRefused as exc:
                form.add_error(None, str(exc))
            else:
                messages.add_message(request, *_outcome(submission_send(submission=submission)))
                return redirect(request.path)
    status = 400 if request.method == "POST" else 200
    return _form_page(request, membership, template, form, status)


@sensitive_post_parameters("subjects")
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, org_code: UUID) -> HttpResponse:
    membership = get_membership(request, org_code, write=True)
    form = PrivacyRequestForm(request.POST or None, initial=_again(request, membership, Kind.JOBS))
    return _submit_once(
        request,
        membership,
        form,
        "privacy/request_form.html",
        lambda data: submission_record(
            organization=membership.organization,
            submitted_by=request.user,
            key=data["submission_key"],
            regulation=data["regulation"].code,
            actions=data["actions"],
            products=data["products"],
            subjects=data["subjects"],
        ),
    )


@sensitive_post_parameters("subjects")
@require_http_methods(["GET", "POST"])
def consent_new(request: HttpRequest, org_code: UUID) -> HttpResponse:
    membership = get_membership(request, org_code, write=True)
    form = ConsentForm(request.POST or None, initial=_again(request, membership, Kind.CONSENT))
    return _submit_once(
        request,
        membership,
        form,
        "privacy/consent_form.html",
        lambda data: consent_record(
            organization=membership.organization,
            submitted_by=request.user,
            key=data["submission_key"],
            entities=data["subjects"],
        ),
    )

"""Submitting access/delete requests and opt-outs of sale (admins and members, not viewers)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from dashboard.access import get_membership
from privacy.forms import ConsentForm, PrivacyRequestForm
from privacy.models import PrivacySubmission
from privacy.selectors import privacy_submission_list
from privacy.services.submissions import (
    SubmissionRefused,
    consent_record,
    submission_record,
    submission_send,
)


def _outcome_message(request: HttpRequest, submission: PrivacySubmission) -> None:
    if submission.state == PrivacySubmission.State.SENT:
        messages.success(
            request,
            f"Adobe accepted the request: {len(submission.job_ids)} job"
            f"{'s' if len(submission.job_ids) != 1 else ''} created.",
        )
    elif submission.state == PrivacySubmission.State.UNCERTAIN:
        messages.warning(
            request,
            f"Sent, but Adobe's answer was lost ({submission.error.rstrip('.')}). It will not be "
            "sent again: Lookout looks for the jobs Adobe made from it and says below, by "
            f"{submission.decide_by:%H:%M} UTC, whether Adobe received it.",
        )
    elif submission.state == PrivacySubmission.State.UNKNOWN:
        messages.warning(request, submission.error)
    elif submission.error.startswith("Not sent."):
        messages.error(request, submission.error)
    else:
        messages.error(request, f"Adobe refused the request: {submission.error}")


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


@sensitive_post_parameters("subjects")
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, org_code: UUID) -> HttpResponse:
    membership = get_membership(request, org_code, write=True)
    form = PrivacyRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            submission = submission_record(
                organization=membership.organization,
                submitted_by=request.user,
                regulation=form.cleaned_data["regulation"].code,
                actions=form.cleaned_data["actions"],
                products=form.cleaned_data["products"],
                subjects=form.cleaned_data["subjects"],
            )
        except SubmissionRefused as exc:
            form.add_error(None, str(exc))
        else:
            _outcome_message(request, submission_send(submission=submission))
            return redirect("privacy:request_new", org_code)
    status = 400 if request.method == "POST" else 200
    return _form_page(request, membership, "privacy/request_form.html", form, status)


@sensitive_post_parameters("subjects")
@require_http_methods(["GET", "POST"])
def consent_new(request: HttpRequest, org_code: UUID) -> HttpResponse:
    membership = get_membership(request, org_code, write=True)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            submission = consent_record(
                organization=membership.organization,
                submitted_by=request.user,
                entities=form.cleaned_data["subjects"],
            )
        except SubmissionRefused as exc:
            form.add_error(None, str(exc))
        else:
            submission = submission_send(submission=submission)
            if submission.state == PrivacySubmission.State.SENT:
                messages.success(request, "Adobe recorded the opt-out of sale.")
            else:
                _outcome_message(request, submission)
            return redirect("privacy:consent_new", org_code)
    status = 400 if request.method == "POST" else 200
    return _form_page(request, membership, "privacy/consent_form.html", form, status)

"""Reads about submissions for the request forms: the submission a form's one-time key was used
for, and what "Submit again" starts a new form from (never sending anything)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from dashboard.models import Organization
from privacy.models import PrivacyJob, PrivacySubmission
from privacy.user_keys import code_range, line_number, team_reference, user_key_parse


def submission_for_key(*, organization: Organization, key: uuid.UUID) -> PrivacySubmission | None:
    """The submission a form's one-time key was used for, if any (this organization's only)."""
    return (
        PrivacySubmission.objects.select_related("submitted_by")
        .filter(organization=organization, idempotency_key=key)
        .first()
    )


# -- "Submit again": what a new form starts from ---------------------------------------------------


def _subject_line(reference: str, ids: Sequence[Sequence[str]]) -> str:
    """One line of the request form: ``[reference |] namespace:value, namespace:value``."""
    identities = ", ".join(f"{namespace}:{value}" for namespace, value in ids)
    return f"{reference} | {identities}" if reference else identities


def submission_again_initial(
    *, organization: Organization, submission_code: uuid.UUID
) -> tuple[str, dict[str, Any]] | None:
    """(kind, form initial) to submit one again, if Adobe has nothing from it; else None.

    Opt-outs come back as the opt-out form's lines, requests as the request form's: the same
    regulation, actions, products and data subjects (each with its reference, without the prefix).
    """
    submission = PrivacySubmission.objects.filter(
        organization=organization, code=submission_code
    ).first()
    if submission is None or not submission.can_submit_again:
        return None
    if submission.kind == PrivacySubmission.Kind.CONSENT:
        entities = submission.users[0].get("entities", {}) if submission.users else {}
        lines = [f"{ns}:{value}" for ns, values in entities.items() for value in values]
        return submission.kind, {"subjects": "\n".join(lines)}
    lines = [
        _subject_line(team_reference(user.get("key", "")), user.get("ids", []))
        for user in submission.users
    ]
    return submission.kind, {
        "regulation": submission.regulation,
        "actions": list(submission.actions),
        "products": list(submission.products),
        "subjects": "\n".join(lines),
    }


def job_again_initial(*, organization: Organization, job_code: uuid.UUID) -> dict[str, Any] | None:
    """The request form's initial to ask again for an errored job's person and action; else None.

    A job Lookout submitted is asked again as it was submitted (its submission's products and
    that person's identities and reference); any other, from what Adobe says of it (its
    identities, and its products as Adobe names them: the form keeps those it knows).
    """
    job = (
        PrivacyJob.objects.filter(
            organization=organization, code=job_code, status=PrivacyJob.Status.ERROR
        )
        .prefetch_related("product_responses")
        .first()
    )
    if job is None:
        return None
    initial = {
        "regulation": job.regulation,
        "actions": [a for a in job.action.split(",") if a],
        "products": [response.product for response in job.product_responses.all()],
        "subjects": _subject_line(
            team_reference(job.user_key),
            [(i.get("namespace", ""), i.get("value", "")) for i in job.user_ids],
        ),
    }
    origin = _job_submission(job)
    if origin is not None:
        submission, line = origin
        user = submission.users[line - 1]
        initial["products"] = list(submission.products)
        initial["subjects"] = _subject_line(
            team_reference(user.get("key", "")), user.get("ids", [])
        )
    return initial


def _job_submission(job: PrivacyJob) -> tuple[PrivacySubmission, int] | None:
    """The Lookout submission a job came from and the job's line in it, found by its user key."""
    parsed = user_key_parse(job.user_key)
    if parsed is None:
        return None
    codes = code_range(parsed.code)
    line = line_number(parsed)
    if codes is None or line is None:
        return None
    submission = PrivacySubmission.objects.filter(
        organization_id=job.organization_id,
        kind=PrivacySubmission.Kind.JOBS,
        code__range=codes,
    ).first()
    if submission is None or not 1 <= line <= len(submission.users):
        return None
    return submission, line

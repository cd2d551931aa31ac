from __future__ import annotations

import json

from django.utils import timezone
from django.utils.text import slugify

from dashboard.models import Membership
from privacy.models import PrivacyJob, PrivacySubmission, ProductResponse
from tests.access_rules import AccessRules


def _populate(organization) -> list[str]:
    """A complete access job with its identities and product answer, and the submission that
    asked for it; returns what only this organization's pages may show of them."""
    tag = slugify(organization.name)
    identity = f"subject-{tag}@people.example"
    job = PrivacyJob.objects.create(
        organization=organization,
        job_id=f"{tag}-job-1",
        request_id=f"{tag}-request-1",
        user_key=f"{tag}-user-key-1",
        submitted_by=f"officer@{tag}.example",
        action="access",
        regulation="gdpr",
        status=PrivacyJob.Status.COMPLETE,
        adobe_created_at=timezone.now(),
        user_ids=[{"namespace": "email", "value": identity, "type": "standard"}],
        raw_detail=json.dumps({"jobId": f"{tag}-job-1", "userKey": f"{tag}-user-key-1"}),
    )
    ProductResponse.objects.create(
        job=job,
        product="Analytics",
        status="complete",
        response_code="PRVCY-6000-200",
        processed_at=timezone.now(),
        processed_ids=[identity],
    )
    member = Membership.objects.filter(organization=organization).first()
    requester = f"requester-{tag}@people.example"
    submission = PrivacySubmission.objects.create(
        organization=organization,
        state=PrivacySubmission.State.SENT,
        submitted_by=member.user if member else None,
        regulation="gdpr",
        actions=["access"],
        products=["analytics"],
        users=[{"key": f"{tag}-ticket-7", "userIDs": [{"namespace": "email", "value": requester}]}],
        job_ids=[job.job_id],
        sent_at=timezone.now(),
    )
    return [
        job.job_id,
        job.request_id,
        job.user_key,
        job.submitted_by,
        identity,
        str(job.code),
        f"{tag}-ticket-7",
        requester,
        str(submission.code),
    ]


RULES = AccessRules(
    url_kwargs={"job_code": lambda acme: PrivacyJob.objects.get(organization=acme).code},
    pages=frozenset({"privacy:job_list", "privacy:job_export", "privacy:job_detail"}),
    partials=frozenset({"privacy:job_list", "privacy:job_detail"}),
    member_forms=frozenset({"privacy:request_new", "privacy:consent_new"}),
    member_pages=frozenset({"privacy:job_download"}),
    populate=_populate,
)

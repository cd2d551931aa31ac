from __future__ import annotations

import json

from django.utils import timezone
from django.utils.text import slugify

from dashboard.models import Membership
from privacy.models import PrivacyJob, PrivacySubmission, ProductResponse
from tests.access_rules import AccessRules, Personal


def _populate(organization) -> list[str]:
    """A complete access job sent from Lookout, with its identities and product answer, and the
    submission that asked for it; returns what only this organization's pages may show of them,
    its personal data marked."""
    tag = slugify(organization.name)
    identity = f"subject-{tag}@people.example"
    member = Membership.objects.filter(organization=organization).first()
    requester = f"requester-{tag}@people.example"
    submission = PrivacySubmission(
        organization=organization,
        state=PrivacySubmission.State.SENT,
        submitted_by=member.user if member else None,
        regulation="gdpr",
        actions=["access"],
        products=["analytics"],
        job_ids=[f"{tag}-job-1"],
        sent_at=timezone.now(),
    )
    reference = f"{tag}-ticket-7"
    user_key = f"LK{submission.code.hex[:10]}-1-{reference}"  # as Lookout sends it
    submission.users = [{"key": user_key, "ids": [["email", requester]]}]
    submission.save()
    download_url = f"https://download.adobe.example/{tag}/access-data.zip"
    raw_marker = f"{tag}-only-in-raw-json"
    job = PrivacyJob.objects.create(
        organization=organization,
        job_id=f"{tag}-job-1",
        request_id=f"{tag}-request-1",
        user_key=user_key,
        submitted_by=f"officer@{tag}.example",
        action="access",
        regulation="gdpr",
        status=PrivacyJob.Status.COMPLETE,
        adobe_created_at=timezone.now(),
        download_url=download_url,
        user_ids=[{"namespace": "email", "value": identity, "type": "standard"}],
        raw_detail=json.dumps(
            {
                "jobId": f"{tag}-job-1",
                "userKey": user_key,
                "downloadURL": download_url,
                "note": raw_marker,
            }
        ),
    )
    ProductResponse.objects.create(
        job=job,
        product="Analytics",
        status="complete",
        response_code="PRVCY-6000-200",
        processed_at=timezone.now(),
        processed_ids=[identity],
    )
    return [
        job.job_id,
        job.request_id,
        str(job.code),
        requester,  # on no page at all: the job's own identities are shown instead
        str(submission.code),
        Personal(user_key),
        Personal(reference),
        Personal(job.submitted_by),
        Personal(identity),
        Personal(download_url),
        Personal(raw_marker),
    ]


RULES = AccessRules(
    url_kwargs={
        "job_code": lambda acme: PrivacyJob.objects.get(organization=acme).code,
        "adobe_job_id": lambda acme: PrivacyJob.objects.get(organization=acme).job_id,
    },
    pages=frozenset({"privacy:job_list", "privacy:job_detail"}),
    partials=frozenset({"privacy:job_list", "privacy:job_detail"}),
    member_forms=frozenset({"privacy:request_new", "privacy:consent_new"}),
    member_writes=frozenset({"privacy:sync_now"}),
    member_pages=frozenset({"privacy:job_download", "privacy:job_export"}),
    redirects=frozenset({"privacy:job_by_adobe_id"}),
    populate=_populate,
)

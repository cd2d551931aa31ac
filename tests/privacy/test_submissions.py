"""Access/delete requests and opt-outs: validated as Adobe validates, recorded first, sent once."""

from __future__ import annotations

import time
import uuid

import pytest
import time_machine
from django.urls import reverse

from dashboard.models import AuditEvent, Membership
from privacy.models import PrivacyJob, PrivacySubmission
from privacy.services.submissions import submission_send
from privacy.tasks import submissions_reconcile_task
from tests.factories import MembershipFactory

CREATE = "POST /data/core/privacy/jobs"


def _submit(client, org, **data):
    form = {
        "submission_key": str(uuid.uuid4()),  # a new rendering of the form each time
        "regulation": "gdpr",
        "actions": ["access"],
        "products": ["analytics"],
        "subjects": "ticket-1 | Email:jane@example.com",
    }
    form.update(data)
    return client.post(reverse("privacy:request_new", args=[org.code]), form, follow=True)


def test_a_member_submits_access_and_delete_for_two_people(client, member, sim_org, adobe):
    client.force_login(member)
    response = _submit(
        client,
        sim_org,
        actions=["access", "delete"],
        subjects="ticket-1 | Email:jane@example.com\nECID:443636576799758681021090721276",
    )
    page = response.content.decode()
    assert "Adobe accepted the request: 4 jobs created." in page
    assert adobe.request_count(CREATE) == 1
    submission = PrivacySubmission.objects.get()
    assert submission.state == "sent" and len(submission.job_ids) == 4
    assert (
        PrivacyJob.objects.filter(organization=sim_org, job_id__in=submission.job_ids).count() == 4
    )
    event = AuditEvent.objects.get(action="privacy_request")
    assert event.actor == member and "4 jobs" in event.detail
    assert "jane@example.com" not in event.detail  # personal data stays out of the log


def test_a_submission_is_never_posted_twice(client, member, sim_org, adobe):
    client.force_login(member)
    _submit(client, sim_org)
    submission = PrivacySubmission.objects.get()
    submission_send(submission=submission)  # a retry, a double click, a second worker
    submission_send(submission=PrivacySubmission.objects.get())
    assert adobe.request_count(CREATE) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"subjects": "\n".join(f"Email:p{n}@example.com" for n in range(1001))},
            "Adobe would refuse this request",
        ),
        (
            {"subjects": ", ".join(f"Email:p{n}@example.com" for n in range(10))},
            "Adobe would refuse this request",
        ),
        ({"products": []}, "This field is required."),
        ({"actions": []}, "This field is required."),
        (
            {"actions": ["erase"]},
            "Select a valid choice. erase is not one of the available choices.",
        ),
        ({"regulation": "ucpa_usa"}, "Select a valid choice."),
        ({"subjects": "jane@example.com"}, "Line 1: write each identity as namespace:value"),
        ({"subjects": "  "}, "This field is required."),
    ],
)
def test_bad_requests_are_refused_before_anything_is_sent(
    client, member, sim_org, adobe, data, message
):
    client.force_login(member)
    response = _submit(client, sim_org, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "jane@example.com" not in response.content.decode().split("<form")[0]
    assert not PrivacySubmission.objects.exists()
    assert adobe.request_count(CREATE) == 0


def test_a_lost_answer_is_not_resent_and_is_reconciled(client, member, sim_org, adobe, settings):
    settings.ADOBE_HTTP_TIMEOUT = 1.0
    adobe.add_fault("slow", seconds=2.0, endpoint=CREATE, count=1)
    client.force_login(member)
    page = _submit(client, sim_org).content.decode()
    assert "Sent, but Adobe&#x27;s answer was lost" in page
    submission = PrivacySubmission.objects.get()
    assert submission.state == "uncertain"
    submission_send(submission=submission)
    assert adobe.request_count(CREATE) == 1  # never posted again

    time.sleep(2.5)  # Adobe finishes the slow request and creates the job
    with time_machine.travel(submission.next_check_at, tick=True):
        assert submissions_reconcile_task(organization_id=sim_org.pk) == 1  # what beat queues
    submission.refresh_from_db()
    assert submission.state == "sent" and len(submission.job_ids) == 1
    assert adobe.request_count(CREATE) == 1


def test_adobe_refusing_a_request_is_explained(client, member, sim_org, adobe):
    adobe.add_fault(
        "error",
        status=400,
        endpoint=CREATE,
        count=1,
        body={"error_code": "400003", "message": "Missing header"},
    )
    client.force_login(member)
    page = _submit(client, sim_org).content.decode()
    assert "Adobe Privacy Service refused the request:" in page
    assert PrivacySubmission.objects.get().state == "failed"


def test_without_a_credential_nothing_is_sent(client, dave, sim_org, adobe):
    MembershipFactory(organization=sim_org, user=dave, role=Membership.Role.MEMBER)
    client.force_login(dave)
    page = _submit(client, sim_org).content.decode()
    assert (
        "Not sent. No credential for Privacy Service: this organization has none with that "
        "usage. An organization admin adds one under Credentials &amp; tokens."
    ) in page
    assert adobe.request_count(CREATE) == 0


def test_an_opt_out_of_sale_reaches_adobe(client, member, sim_org, adobe):
    client.force_login(member)
    response = client.post(
        reverse("privacy:consent_new", args=[sim_org.code]),
        {"submission_key": str(uuid.uuid4()), "subjects": "Email:jane@example.com\nECID:1234"},
        follow=True,
    )
    assert "Adobe recorded the opt-out of sale." in response.content.decode()
    assert len(adobe.consents()) == 1
    assert AuditEvent.objects.filter(action="privacy_consent").count() == 1


def test_members_download_the_access_data_of_a_complete_job(client, member, sim_org, adobe):
    created = adobe.create_jobs(0, regulation="gdpr", action="access", status="complete", count=1)
    job = PrivacyJob.objects.create(
        organization=sim_org,
        job_id=created[0]["job_id"],
        action="access",
        regulation="gdpr",
        status="complete",
    )
    client.force_login(member)
    response = client.get(reverse("privacy:job_download", args=[job.code]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{job.job_id}.zip"'
    assert response.content[:2] == b"PK"  # a ZIP

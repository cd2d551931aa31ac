"""Every way sending a request can fail, over the simulator, and what Lookout then says.

Nothing left Lookout (IMS down, the connection refused): "Not sent" at once, and nothing to
check. The request may have reached Adobe (a 500, a 502, the connection dropped, the answer
lost): never sent again; the scheduled check finds its jobs (sent) or, once the window is over
with none at Adobe, says it was not received. Clocks move with time-machine (Lookout) and the
simulator's control (Adobe) together.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from dashboard.models import AuditEvent
from privacy.models import PrivacyJob, PrivacySubmission
from privacy.services.submission_checks import NOT_RECEIVED, submission_check_due_organization_ids
from privacy.services.submissions import submission_record, submission_send
from privacy.tasks import submissions_reconcile_due_task, submissions_reconcile_task
from simulator.control import CREATE_JOBS, IMS_TOKEN, JOBS
from tests.fixtures.celery_worker import wait_until

WINDOW = timedelta(seconds=settings.LOOKOUT_PRIVACY_UNCERTAIN_WINDOW)
LOST = "Sent, but Adobe&#x27;s answer was lost"


def _submit(client, organization) -> str:
    """dave submits an access + delete request for one person; the page he lands on."""
    form = {
        "submission_key": str(uuid.uuid4()),  # each POST is a new rendering of the form
        "regulation": "gdpr",
        "actions": ["access", "delete"],
        "products": ["analytics"],
        "subjects": "ticket-7 | Email:jane@example.com",
    }
    url = reverse("privacy:request_new", args=[organization.code])
    return client.post(url, form, follow=True).content.decode()


def _page(client, organization) -> str:
    return client.get(reverse("privacy:request_new", args=[organization.code])).content.decode()


def _jobs_at_adobe(adobe) -> list[dict]:
    """The jobs the simulator holds for the organization besides the ones it generated."""
    return [job for job in adobe.jobs(0, limit=1000)["jobs"] if not job["generated"]]


def _check_at(organization, when: datetime) -> tuple[PrivacySubmission, bool]:
    """Beat's tick at ``when``: whether it finds the organization due, then the real task."""
    with time_machine.travel(when, tick=True):
        due = organization.pk in submission_check_due_organization_ids()
        submissions_reconcile_task(organization_id=organization.pk)
    return PrivacySubmission.objects.get(), due


@pytest.fixture
def dave_logged_in(client, member):
    client.force_login(member)
    return member


@pytest.mark.parametrize(
    ("fault", "spec", "cause"),
    [
        ("server_error", {"status": 500}, "HTTP 500"),
        ("server_error", {"status": 502}, "HTTP 502"),
        ("drop_connection", {}, "the connection broke before an answer came"),
    ],
    ids=["500", "502", "dropped-connection"],
)
def test_a_send_that_failed_at_adobe_is_not_received_once_the_window_is_over(
    client, dave_logged_in, sim_org, adobe, fault, spec, cause
):
    adobe.add_fault(fault, endpoint=CREATE_JOBS, count=1, **spec)

    page = _submit(client, sim_org)

    assert LOST in page and cause in page
    submission = PrivacySubmission.objects.get()
    assert submission.state == "uncertain"
    assert submission.decide_by == submission.sent_at + WINDOW
    sent_at = submission.sent_at

    # Before its first check is due, beat leaves it alone.
    submission, due = _check_at(sim_org, sent_at + timedelta(minutes=1))
    assert not due and submission.checks == 0

    adobe.advance(180)
    submission, due = _check_at(sim_org, sent_at + timedelta(minutes=3))
    assert due
    assert submission.state == "uncertain" and submission.checks == 1
    assert "Adobe has no job from it so far" in submission.explanation
    assert f"says by {submission.decide_by:%H:%M} UTC whether Adobe received it" in (
        submission.explanation
    )

    adobe.advance(1680)
    submission, _due = _check_at(sim_org, sent_at + WINDOW + timedelta(seconds=30))
    assert submission.state == "not_received"
    assert submission.error == NOT_RECEIVED
    assert submission.next_check_at is None
    page = _page(client, sim_org)
    assert "Not received by Adobe" in page
    assert (
        "Adobe has no job from this request: it was not processed. Nothing was created at "
        "Adobe; submit it again."
    ) in page
    event = AuditEvent.objects.filter(action="privacy_request_checked", actor=None).get()
    assert "Not received by Adobe" in event.detail and "dave" in event.detail
    assert "jane@example.com" not in event.detail
    # Sent exactly once, and Adobe has nothing from it.
    assert adobe.request_count(CREATE_JOBS) == 1
    assert _jobs_at_adobe(adobe) == []


def test_an_answer_lost_after_adobe_accepted_is_found_and_never_resent(
    client, dave_logged_in, sim_org, adobe
):
    adobe.add_fault("drop_after_processing", endpoint=CREATE_JOBS, count=1)

    page = _submit(client, sim_org)

    assert LOST in page
    submission = PrivacySubmission.objects.get()
    assert submission.state == "uncertain" and submission.job_ids == []
    at_adobe = _jobs_at_adobe(adobe)
    assert len(at_adobe) == 2  # access and delete for one person: Adobe has them

    adobe.advance(180)
    submission, _due = _check_at(sim_org, submission.sent_at + timedelta(minutes=3))

    assert submission.state == "sent"
    assert sorted(submission.job_ids) == sorted(job["job_id"] for job in at_adobe)
    stored = PrivacyJob.objects.filter(organization=sim_org, job_id__in=submission.job_ids)
    assert sorted(stored.values_list("action", flat=True)) == ["access", "delete"]
    assert "Lookout found its jobs at Adobe" in _page(client, sim_org)
    event = AuditEvent.objects.filter(action="privacy_request_checked", actor=None).get()
    assert "Accepted by Adobe" in event.detail
    # One set of jobs at Adobe: the request was sent once and never again.
    assert adobe.request_count(CREATE_JOBS) == 1
    assert len(_jobs_at_adobe(adobe)) == 2

    # Decided: later ticks leave it alone.
    later, _due = _check_at(sim_org, submission.sent_at + WINDOW + timedelta(minutes=5))
    assert later.state == "sent" and later.checks == 1


def test_with_ims_down_nothing_is_sent_and_nothing_is_left_to_check(
    client, dave_logged_in, sim_org, adobe
):
    adobe.add_fault("server_error", status=500, surface="ims", endpoint=IMS_TOKEN)

    page = _submit(client, sim_org)

    assert (
        "Not sent. Lookout has no access token for Adobe Privacy Service: "
        "IMS did not answer properly" in page
    )
    submission = PrivacySubmission.objects.get()
    assert submission.state == "failed" and submission.next_check_at is None
    assert "Not accepted" in page
    adobe.clear_faults()
    after, due = _check_at(sim_org, submission.sent_at + WINDOW + timedelta(minutes=1))
    assert not due and after.state == "failed" and after.checks == 0
    assert adobe.request_count(CREATE_JOBS) == 0
    assert _jobs_at_adobe(adobe) == []


def test_a_refused_connection_is_not_sent(client, dave_logged_in, sim_org, adobe, settings):
    # IMS answers; nothing listens where Privacy Service should be: the request never left.
    settings.ADOBE_PRIVACY_API_URL = "http://127.0.0.1:9/data/core/privacy"

    page = _submit(client, sim_org)

    assert "Not sent. Adobe Privacy Service did not answer properly" in page
    assert "the connection was refused" in page
    submission = PrivacySubmission.objects.get()
    assert submission.state == "failed" and submission.next_check_at is None
    assert _jobs_at_adobe(adobe) == []


def test_while_adobe_cannot_be_asked_it_stays_uncertain_and_the_page_says_when_it_tries_again(
    client, dave_logged_in, sim_org, adobe
):
    adobe.add_fault("server_error", status=502, endpoint=CREATE_JOBS, count=1)
    _submit(client, sim_org)
    sent_at = PrivacySubmission.objects.get().sent_at
    down = adobe.add_fault("server_error", status=503, endpoint=JOBS)

    adobe.advance(180)
    submission, _due = _check_at(sim_org, sent_at + timedelta(minutes=3))
    assert submission.state == "uncertain" and submission.checks_failed == 1
    assert "HTTP 503" in submission.check_error
    assert submission.next_check_at <= submission.decide_by
    assert "Adobe could not be asked yet; checking again at" in submission.explanation

    # Past the window, Adobe still down: still uncertain, still checked, and the page says so.
    adobe.advance(1680)
    past_window = sent_at + WINDOW + timedelta(seconds=30)
    submission, _due = _check_at(sim_org, past_window)
    assert submission.state == "uncertain" and submission.checks == 2
    assert submission.next_check_at > past_window
    with time_machine.travel(past_window + timedelta(seconds=5), tick=True):
        page = _page(client, sim_org)
    assert (
        f"Adobe could not be asked yet; checking again at {submission.next_check_at:%H:%M} UTC"
    ) in page
    event = AuditEvent.objects.filter(action="privacy_request_checked", actor=None).get()
    assert "Adobe could not be asked yet" in event.detail  # recorded once, when the window ended

    # Adobe is back: the next check decides it.
    adobe.remove_fault(down["id"])
    adobe.advance(300)
    submission, _due = _check_at(sim_org, submission.next_check_at + timedelta(seconds=1))
    assert submission.state == "not_received" and submission.check_error == ""
    assert AuditEvent.objects.filter(action="privacy_request_checked", actor=None).count() == 2
    assert adobe.request_count(CREATE_JOBS) == 1
    assert _jobs_at_adobe(adobe) == []


def test_an_opt_out_whose_answer_was_lost_is_decided_at_once(
    client, dave_logged_in, sim_org, adobe
):
    adobe.add_fault("server_error", status=502, endpoint="POST /data/core/privacy/consent", count=1)

    response = client.post(
        reverse("privacy:consent_new", args=[sim_org.code]),
        {"submission_key": str(uuid.uuid4()), "subjects": "Email:jane@example.com"},
        follow=True,
    )

    page = response.content.decode()
    assert "Outcome unknown" in page
    assert "Sending it again is harmless: submit it again." in page
    submission = PrivacySubmission.objects.get()
    assert submission.state == "unknown" and submission.next_check_at is None


def test_beat_decides_overdue_submissions_on_a_real_worker(
    member, sim_org, adobe, celery_worker_process
):
    def send(key: str, fault: str, **spec) -> PrivacySubmission:
        adobe.add_fault(fault, endpoint=CREATE_JOBS, count=1, **spec)
        submission = submission_record(
            organization=sim_org,
            submitted_by=member,
            regulation="gdpr",
            actions=["access"],
            products=["analytics"],
            subjects=[(key, [("email", f"{key}@example.com")])],
        )
        return submission_send(submission=submission)

    accepted = send("kept", "drop_after_processing")
    failed = send("lost", "server_error", status=502)
    assert accepted.state == failed.state == "uncertain"
    # Both were sent longer ago than the window: the worker's clock is the real one.
    PrivacySubmission.objects.update(
        sent_at=timezone.now() - WINDOW - timedelta(minutes=1), next_check_at=timezone.now()
    )

    submissions_reconcile_due_task.delay()

    wait_until(
        lambda: not PrivacySubmission.objects.filter(state="uncertain").exists(),
        timeout=60,
        what="the worker to decide both submissions",
    )
    celery_worker_process.wait_idle()
    accepted.refresh_from_db()
    failed.refresh_from_db()
    assert accepted.state == "sent" and len(accepted.job_ids) == 1
    assert failed.state == "not_received" and failed.error == NOT_RECEIVED
    assert adobe.request_count(CREATE_JOBS) == 2  # each sent once
    assert [job["job_id"] for job in _jobs_at_adobe(adobe)] == accepted.job_ids

"""Rate limits, outages, timeouts, truncated pages and refused credentials during a sync."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from dashboard.models import Credential
from dashboard.services.tokens import token_get
from privacy.models import PrivacyJob, PrivacySyncState
from privacy.services.sync import privacy_sync, privacy_sync_due_organization_ids
from simulator.control import JOB, JOBS
from tests.conftest import onboard_oauth
from tests.factories import OrganizationFactory


@pytest.fixture
def synced_org(sim_org, adobe):
    onboard_oauth(sim_org, adobe.org(0))
    return sim_org


def expected_total(adobe, organization) -> int:
    return adobe.counts()["orgs"][organization.ims_org_id]["total"]


def state_of(organization) -> PrivacySyncState:
    return PrivacySyncState.objects.get(organization=organization)


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("rate_limit", {"retry_after": "1"}),
        ("rate_limit", {}),  # no Retry-After: the client's own backoff
        ("server_error", {"status": 503}),
        ("server_error", {"status": 502, "body_format": "html"}),
        ("truncated_page", {"fraction": 0.5}),
    ],
)
def test_a_passing_fault_is_retried_within_the_run(adobe, synced_org, kind, params):
    adobe.add_fault(kind, endpoint=JOBS, count=1, **params)
    adobe.add_fault(kind, endpoint=JOB, count=1, **params)

    result = privacy_sync(organization_id=synced_org.pk)

    assert result.error == ""
    assert PrivacyJob.objects.count() == expected_total(adobe, synced_org)
    assert state_of(synced_org).consecutive_failures == 0


def test_a_slow_answer_past_the_timeout_is_retried(adobe, synced_org, settings):
    settings.ADOBE_HTTP_TIMEOUT = 0.5
    adobe.add_fault("slow", endpoint=JOBS, count=1, seconds=1.5)

    result = privacy_sync(organization_id=synced_org.pk)

    assert result.error == ""
    assert PrivacyJob.objects.count() == expected_total(adobe, synced_org)


@pytest.mark.parametrize(
    ("kind", "params", "words", "wait"),
    [
        (
            "rate_limit",
            {"retry_after": "120"},
            "Adobe Privacy Service is rate limiting requests (429) and asked Lookout to wait "
            "120 s.",
            timedelta(seconds=120),
        ),
        (
            "server_error",
            {"status": 503},
            "Adobe Privacy Service did not answer properly: GET /data/core/privacy/jobs failed: "
            "HTTP 503 503000: Service Unavailable.",
            timedelta(minutes=1),
        ),
        (
            "malformed_json",
            {},
            "Adobe Privacy Service sent an answer Lookout could not read (<body>).",
            timedelta(minutes=1),
        ),
    ],
)
def test_a_lasting_fault_is_recorded_in_plain_words_and_retried_after_its_wait(
    adobe, synced_org, kind, params, words, wait
):
    adobe.add_fault(kind, endpoint=JOBS, **params)

    result = privacy_sync(organization_id=synced_org.pk)

    state = state_of(synced_org)
    assert result.error == words == state.last_error
    assert state.consecutive_failures == 1 and state.last_success_at is None
    assert state.lease_until is None  # the next run is not locked out
    assert state.next_attempt_at - state.last_error_at == wait  # Adobe's word, else the backoff
    assert not privacy_sync(organization_id=synced_org.pk).ran  # not before that

    adobe.clear_faults()
    with time_machine.travel(state.next_attempt_at, tick=True):
        result = privacy_sync(organization_id=synced_org.pk, scheduled=True)
    state.refresh_from_db()
    assert result.error == "" and state.last_error == "" and state.consecutive_failures == 0
    assert PrivacyJob.objects.count() == expected_total(adobe, synced_org)


def test_a_429_without_retry_after_waits_a_minute_not_a_second(adobe, synced_org, client, alice):
    """The fault run sent 52 list requests in 180 s and the page said "retrying in 0 s"."""
    adobe.add_fault("rate_limit", endpoint=JOBS)  # no Retry-After, lasting
    adobe.reset_requests()

    result = privacy_sync(organization_id=synced_org.pk)

    state = state_of(synced_org)
    assert result.error == "Adobe Privacy Service is rate limiting requests (429)."
    assert state.next_attempt_at - state.last_error_at == timedelta(minutes=1)
    assert adobe.request_count(JOBS) == 4  # the first try and the client's three retries
    client.force_login(alice)
    page = client.get(reverse("privacy:job_list", args=[synced_org.code])).content.decode()
    assert (
        "Last attempt failed: Adobe Privacy Service is rate limiting requests (429).</span> "
        f'Next attempt at <time datetime="{state.next_attempt_at.isoformat()}">'
        f"{state.next_attempt_at:%H:%M:%S} UTC</time>."
    ) in page
    for minutes in (0, 0.5):  # beat's due check during that minute queues nothing
        moment = state.last_error_at + timedelta(minutes=minutes)
        assert synced_org.pk not in privacy_sync_due_organization_ids(now=moment)
    # The next failure doubles the wait.
    with time_machine.travel(state.next_attempt_at, tick=True):
        privacy_sync(organization_id=synced_org.pk, scheduled=True)
    state.refresh_from_db()
    assert state.next_attempt_at - state.last_error_at == timedelta(minutes=2)
    assert adobe.request_count(JOBS) == 8


def test_slow_answers_that_never_come_are_recorded(adobe, synced_org, settings):
    settings.ADOBE_HTTP_TIMEOUT = 0.3
    adobe.add_fault("slow", endpoint=JOBS, seconds=1)

    result = privacy_sync(organization_id=synced_org.pk)

    assert "no response within 0.3 s" in result.error == state_of(synced_org).last_error


def test_a_privacy_401_is_the_syncs_failure_only_and_clears_itself(adobe, synced_org):
    """One 401 from Privacy Service used to flag the credential and stop every sync for good."""
    adobe.add_fault("revoked_token", endpoint=JOBS)

    result = privacy_sync(organization_id=synced_org.pk)

    assert result.error.startswith(
        "Adobe Privacy Service refused the credential (401): check that the credential's "
        "project in Developer Console has the Privacy Service API"
    )
    assert adobe.request_count(JOBS) == 2  # the forced refresh and one retry, no loop
    credential = Credential.objects.get(organization=synced_org)
    assert not credential.needs_attention and credential.access_token_encrypted
    assert token_get(credential_id=credential.pk)  # every other use of it carries on
    state = state_of(synced_org)
    assert state.next_attempt_at - state.last_error_at == timedelta(minutes=5)  # probed

    adobe.clear_faults()
    with time_machine.travel(state.next_attempt_at, tick=True):
        assert privacy_sync(organization_id=synced_org.pk, scheduled=True).error == ""
    state.refresh_from_db()
    assert state.consecutive_failures == 0 and state.last_error == ""


def test_an_organization_without_a_credential_records_why(adobe, db):
    organization = OrganizationFactory()

    result = privacy_sync(organization_id=organization.pk)

    assert result.error == (
        "No credential for Privacy Service: this organization has none with that usage. An "
        "organization admin adds one under Credentials & tokens."
    )
    state = state_of(organization)
    assert state.last_error == result.error and state.last_attempt_at is not None
    assert adobe.requests()["total"] == 0

"""Rate limits, outages, timeouts, truncated pages and refused credentials during a sync."""

from __future__ import annotations

import pytest

from adobe.errors import AdobeBadResponse, AdobeRateLimited, AdobeUnavailable
from dashboard.models import Credential
from privacy.models import PrivacyJob, PrivacySyncState
from privacy.services.sync import privacy_sync
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
    ("kind", "params", "error", "words"),
    [
        (
            "rate_limit",
            {"retry_after": "120"},
            AdobeRateLimited,
            "rate limiting requests (429); Lookout retries in 120 s",
        ),
        ("server_error", {"status": 503}, AdobeUnavailable, "did not answer properly"),
        ("malformed_json", {}, AdobeBadResponse, "sent an answer Lookout could not read"),
    ],
)
def test_a_lasting_fault_is_recorded_in_plain_words_and_raised_for_a_retry(
    adobe, synced_org, kind, params, error, words
):
    adobe.add_fault(kind, endpoint=JOBS, **params)

    with pytest.raises(error):
        privacy_sync(organization_id=synced_org.pk)

    state = state_of(synced_org)
    assert words in state.last_error
    assert state.consecutive_failures == 1 and state.last_success_at is None
    assert state.lease_until is None  # the next run is not locked out

    adobe.clear_faults()
    result = privacy_sync(organization_id=synced_org.pk)
    state.refresh_from_db()
    assert result.error == "" and state.last_error == "" and state.consecutive_failures == 0
    assert PrivacyJob.objects.count() == expected_total(adobe, synced_org)


def test_slow_answers_that_never_come_are_recorded(adobe, synced_org, settings):
    settings.ADOBE_HTTP_TIMEOUT = 0.3
    adobe.add_fault("slow", endpoint=JOBS, seconds=1)

    with pytest.raises(AdobeUnavailable):
        privacy_sync(organization_id=synced_org.pk)

    assert "no response within 0.3 s" in state_of(synced_org).last_error


def test_a_token_adobe_keeps_refusing_flags_the_credential_and_stops(adobe, synced_org):
    adobe.add_fault("revoked_token", endpoint=JOBS)

    result = privacy_sync(organization_id=synced_org.pk)  # not raised: retrying cannot help

    assert "Adobe refused the credential" in result.error
    assert "until an admin fixes it" in state_of(synced_org).last_error
    credential = Credential.objects.get(organization=synced_org)
    assert credential.needs_attention
    assert adobe.request_count(JOBS) == 2  # the forced refresh and one retry, no loop

    again = privacy_sync(organization_id=synced_org.pk)
    assert again.error.startswith("No credential for Privacy Service:")
    assert "needs attention" in again.error
    assert adobe.request_count(JOBS) == 2
    assert state_of(synced_org).consecutive_failures == 2


def test_an_organization_without_a_credential_records_why(adobe, db):
    organization = OrganizationFactory()

    result = privacy_sync(organization_id=organization.pk)

    assert result.error == (
        "No credential for Privacy Service: an admin adds one under Credentials & tokens."
    )
    state = state_of(organization)
    assert state.last_error == result.error and state.last_attempt_at is not None
    assert adobe.requests()["total"] == 0

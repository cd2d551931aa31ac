"""Single privacy jobs against the simulator: detail, creation (sent once), content, consent."""

from __future__ import annotations

import io
import zipfile

import pytest

from adobe import (
    AdobeAuthError,
    AdobeInvalidRequest,
    AdobeNotFound,
    AdobeRateLimited,
    AdobeUnavailable,
    PrivacyClient,
    PrivacyUser,
    UserIdentity,
)
from tests.adobe.conftest import FAST_RETRY

JOB = "GET /data/core/privacy/jobs/{job_id}"
CONTENT = "GET /data/core/privacy/jobs/{job_id}/content"
CREATE = "POST /data/core/privacy/jobs"
CONSENT = "POST /data/core/privacy/consent"

USERS = [
    PrivacyUser(
        key="DavidSmith",
        actions=("access",),
        ids=(UserIdentity(namespace="email", value="dsmith@acme.com"),),
    ),
    PrivacyUser(
        key="user12345",
        actions=("access", "delete"),
        ids=(
            UserIdentity(namespace="email", value="ajones@acme.com"),
            UserIdentity(namespace="loyaltyAccount", value="12AD45FE30R29", type="integrationCode"),
        ),
    ),
]


def _complete_access_job(simulator, org):
    listed = simulator.jobs(org.ims_org_id, status="complete", limit=1000)["jobs"]
    return next(j for j in listed if j["action"] == "access" and j["visible"])


def _create(privacy):
    return privacy.create_jobs(regulation="gdpr", users=USERS, include=["analytics", "target"])


@pytest.mark.parametrize("key", ["downloadURL", "downloadUrl", "both"])
def test_a_complete_access_job_has_its_download_link_under_either_spelling(
    simulator, org, privacy, key
):
    simulator.set_switch("download_key", key)
    job_id = _complete_access_job(simulator, org)["job_id"]
    job = privacy.get_job(job_id)
    assert job.status == "complete"
    assert job.download_url.endswith(f"/jobs/{job_id}/content")
    assert job.product_responses
    assert all(response.status.code for response in job.product_responses)


def test_product_outcomes_carry_their_titles(simulator, org, privacy):
    job = privacy.get_job(_complete_access_job(simulator, org)["job_id"])
    titles = {r.status.outcome.title for r in job.product_responses if r.status.outcome}
    assert titles
    assert titles <= {
        "Success",
        "Not provisioned",
        "User IDs not found",
        "Invalid namespace",
        "Partially completed",
    }


def test_access_content_downloads_as_a_zip_from_the_jobs_link(simulator, org, privacy, counted):
    job = privacy.get_job(_complete_access_job(simulator, org)["job_id"])
    content = privacy.download_content(job.job_id, url=job.download_url)
    assert content.content_type == "application/zip"
    with zipfile.ZipFile(io.BytesIO(content.content)) as archive:
        assert all(name.startswith(job.job_id) for name in archive.namelist())
    assert counted(CONTENT) == 1
    assert "content=" not in repr(content).replace("content_type=", "")  # personal data


def test_a_download_link_to_another_host_is_not_followed(simulator, org, privacy, counted):
    job_id = _complete_access_job(simulator, org)["job_id"]
    content = privacy.download_content(job_id, url="https://attacker.example/steal")
    assert content.content.startswith(b"PK")
    assert counted(CONTENT) == 1


def test_an_unknown_job_is_not_found_and_not_retried(simulator, privacy, counted):
    with pytest.raises(AdobeNotFound):
        privacy.get_job("00000000-0000-0000-0000-000000000000")
    assert counted(JOB) == 1


def test_creating_jobs_sends_once_and_returns_one_job_per_user_and_action(
    simulator, org, privacy, counted
):
    result = _create(privacy)
    assert len(result.jobs) == 3
    assert sorted((job.user_key, job.actions) for job in result.jobs) == [
        ("DavidSmith", ("access",)),
        ("user12345", ("access",)),
        ("user12345", ("delete",)),
    ]
    assert counted(CREATE) == 1
    assert privacy.get_job(result.jobs[0].job_id).status == "submitted"


def test_created_jobs_move_to_complete_as_the_clock_advances(simulator, org, privacy):
    job_id = _create(privacy).jobs[0].job_id
    simulator.advance(hours=3)
    job = privacy.get_job(job_id)
    assert job.status in ("complete", "error")
    assert job.product_responses


def test_create_response_under_job_details_is_read(simulator, privacy):
    simulator.set_switch("jobs_key", "jobDetails")
    assert len(_create(privacy).jobs) == 3


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_failed_create_is_never_resent(simulator, privacy, counted, status):
    simulator.add_fault("server_error", status=status, endpoint=CREATE, count=1)
    with pytest.raises(AdobeUnavailable) as caught:
        _create(privacy)
    assert caught.value.maybe_processed  # the caller reconciles by listing
    assert counted(CREATE) == 1


def test_a_create_that_times_out_is_never_resent(simulator, org, token_provider, counted):
    privacy = PrivacyClient(
        base_url=simulator.privacy_url,
        client_id=org.client_id,
        ims_org_id=org.ims_org_id,
        token_provider=token_provider,
        timeout=0.3,
        retry=FAST_RETRY,
    )
    simulator.add_fault("slow", seconds=0.8, endpoint=CREATE, count=1)
    with pytest.raises(AdobeUnavailable) as caught:
        _create(privacy)
    assert caught.value.maybe_processed
    assert counted(CREATE, expect=1) == 1


def test_a_dropped_create_is_never_resent(simulator, privacy, counted):
    simulator.add_fault("drop_connection", endpoint=CREATE, count=1)
    with pytest.raises(AdobeUnavailable):
        _create(privacy)
    assert counted(CREATE) == 1


def test_a_rate_limited_create_is_raised_not_resent(simulator, privacy, counted):
    simulator.add_fault("rate_limit", retry_after=1, endpoint=CREATE, count=1)
    with pytest.raises(AdobeRateLimited) as caught:
        _create(privacy)
    assert caught.value.retry_after == 1
    assert counted(CREATE) == 1


def test_a_create_refused_with_401_is_sent_again_once_with_a_new_token(
    simulator, org, privacy, counted
):
    before = simulator.counts()["orgs"][org.ims_org_id]["total"]
    simulator.add_fault("revoked_token", endpoint=CREATE, count=1)
    assert len(_create(privacy).jobs) == 3
    assert counted(CREATE) == 2
    # The gateway refused the first attempt, so the jobs exist once.
    assert simulator.counts()["orgs"][org.ims_org_id]["total"] == before + 3


def test_a_create_refused_twice_is_an_auth_error(simulator, privacy, counted):
    simulator.add_fault("revoked_token", endpoint=CREATE)
    with pytest.raises(AdobeAuthError):
        _create(privacy)
    assert counted(CREATE) == 2


def test_an_invalid_create_is_refused_before_sending(simulator, privacy, counted):
    too_many = [
        PrivacyUser(key=f"u{n}", actions=("delete",), ids=(UserIdentity("email", f"{n}@x.io"),))
        for n in range(1001)
    ]
    with pytest.raises(AdobeInvalidRequest):
        privacy.create_jobs(regulation="gdpr", users=too_many, include=["analytics"])
    assert counted(CREATE) == 0


def test_opt_out_is_accepted_and_recorded(simulator, org, privacy, counted):
    privacy.opt_out(entities={"email": ["dsmith@acme.com", "ajones@acme.com"], "ECID": ["4436"]})
    assert counted(CONSENT) == 1
    (received,) = simulator.consents()
    body = received.get("body", received)
    assert body["optOutOfSale"] is True
    assert {e["nameSpace"] for e in body["entities"]} == {"email", "ECID"}

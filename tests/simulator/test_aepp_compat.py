"""Adobe's own Python wrapper (aepp 0.6.0, Privacy module) against the simulator.

aepp is configured exactly as its docs say (`configs.configure`); the only change is where it
sends requests: its Platform gateway and IMS base URLs point at the simulator.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from aepp import config as aepp_config
from aepp import configs, privacyservice

from simulator.control import CREATE_JOBS, JOB, JOBS
from tests.simulator.conftest import PRIVACY_SCOPES


@pytest.fixture
def aepp_privacy(simulator, org) -> Iterator[privacyservice.Privacy]:
    # aepp keeps its configuration in module-level dicts: restore them afterwards.
    saved = [
        copy.deepcopy(d)
        for d in (aepp_config.config_object, aepp_config.header, aepp_config.endpoints)
    ]
    configs.configure(
        org_id=org.ims_org_id,
        client_id=org.client_id,
        secret=org.client_secret,
        scopes=PRIVACY_SCOPES,
        environment="prod",
    )
    # The base URLs, and nothing else.
    aepp_config.endpoints["global"] = simulator.url
    aepp_config.config_object["imsEndpoint"] = simulator.ims_url
    aepp_config.config_object["oauthTokenEndpointV2"] = f"{simulator.ims_url}/ims/token/v3"
    try:
        yield privacyservice.Privacy()
    finally:
        for live, old in zip(
            (aepp_config.config_object, aepp_config.header, aepp_config.endpoints),
            saved,
            strict=True,
        ):
            live.clear()
            live.update(old)


def test_aepp_gets_a_token_and_lists_jobs(simulator, org, aepp_privacy):
    first = aepp_privacy.getJobs(regulation="gdpr", limit=10, page=1)
    second = aepp_privacy.getJobs(regulation="gdpr", limit=10, page=2)

    assert first["totalRecords"] > 10
    assert len(first["jobDetails"]) == 10
    assert not {j["jobId"] for j in first["jobDetails"]} & {
        j["jobId"] for j in second["jobDetails"]
    }
    assert simulator.token_issuances(org.ims_org_id) == 1
    assert simulator.request_count(JOBS) == 2


def test_aepp_filters_by_status_and_date_window(simulator, aepp_privacy):
    today = datetime.fromtimestamp(simulator.now(), UTC)
    window = {
        "fromDate": (today - timedelta(days=20)).strftime("%Y-%m-%d"),
        "toDate": today.strftime("%Y-%m-%d"),
    }

    jobs = aepp_privacy.getJobs(regulation="ccpa", limit=100, status="complete", **window)

    assert jobs["jobDetails"]
    assert {j["status"] for j in jobs["jobDetails"]} == {"complete"}


def test_aepp_fetches_one_job(simulator, org, aepp_privacy):
    job_id = aepp_privacy.getJobs(regulation="gdpr", limit=1)["jobDetails"][0]["jobId"]

    job = aepp_privacy.getJob(job_id)

    assert job["jobId"] == job_id
    assert job["productResponses"]
    assert simulator.request_count(JOB) == 1


def test_aepp_submits_its_sample_payload(simulator, org, aepp_privacy):
    payload = copy.deepcopy(privacyservice.Privacy.SAMPLE_PAYLOAD)
    payload["companyContexts"][0]["value"] = org.ims_org_id

    created = aepp_privacy.postJob(payload)

    assert created["totalRecords"] == 3
    assert len(created["jobs"]) == 3
    assert simulator.request_count(CREATE_JOBS) == 1
    assert aepp_privacy.getJob(created["jobs"][0]["jobId"])["status"] == "submitted"

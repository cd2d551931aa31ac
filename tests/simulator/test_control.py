"""The control API: counters, counts, clock, jobs, reset."""

from __future__ import annotations

import requests

from simulator.control import JOB, JOBS
from tests.simulator.conftest import TIMEOUT


def test_requests_are_counted_per_route_template_and_status(simulator, privacy, org):
    job_ids = [j["job_id"] for j in simulator.jobs(org.index, regulation="gdpr", limit=2)["jobs"]]
    privacy.get("/jobs", params={"regulation": "gdpr"})
    privacy.get("/jobs", params={"regulation": "nope"})
    for job_id in job_ids:
        privacy.get(f"/jobs/{job_id}")

    counters = simulator.requests()

    assert counters["endpoints"][JOBS] == 2
    assert counters["endpoints"][JOB] == 2
    assert counters["statuses"][JOBS] == {"200": 1, "400": 1}
    assert counters["by_org"][org.ims_org_id][JOB] == 2
    assert "GET /_simulator/jobs" not in counters["endpoints"]


def test_counters_can_be_reset_alone(simulator, privacy, org):
    simulator.create_jobs(org.index, count=2, status="processing")
    simulator.advance(days=1)
    privacy.get("/jobs", params={"regulation": "gdpr"})
    assert simulator.requests()["total"] > 0
    counts, clock = simulator.counts(), simulator.clock()

    simulator.reset_requests()

    assert simulator.requests()["total"] == 0
    assert simulator.counts() == counts  # the jobs stay, created ones included
    assert simulator.clock()["now"] == clock["now"]  # and so does the advanced clock


def test_counts_give_jobs_per_organization_and_status(simulator, org):
    before = simulator.counts()["orgs"][org.ims_org_id]
    simulator.create_jobs(org.index, count=5, status="processing")

    after = simulator.counts()["orgs"][org.ims_org_id]

    assert after["total"] == before["total"] + 5
    assert after["by_status"]["processing"] == before["by_status"].get("processing", 0) + 5
    assert set(after["by_status"]) <= {"submitted", "processing", "complete", "error"}


def test_clock_advances_and_reset_takes_it_back(simulator):
    start = simulator.clock()

    advanced = simulator.advance(days=2)

    assert advanced["offset_seconds"] == 2 * 86400
    simulator.reset()
    assert simulator.clock()["now"] == start["now"]


def test_a_job_can_be_moved_to_any_status_and_reset_undoes_it(simulator, privacy, org):
    job = simulator.jobs(org.index, regulation="gdpr", status="complete")["jobs"][0]

    changed = simulator.update_job(job["job_id"], status="error")

    assert changed["status"] == "error"
    assert privacy.get(f"/jobs/{job['job_id']}").json()["status"] == "error"
    simulator.reset()
    assert simulator.job(job["job_id"])["status"] == "complete"


def test_a_processing_job_can_be_told_when_to_finish(simulator, org):
    job = simulator.create_jobs(
        org.index, status="processing", finish_in_seconds=600, outcome="error"
    )[0]

    simulator.advance(seconds=599)
    assert simulator.job(job["job_id"])["status"] == "processing"
    simulator.advance(seconds=1)
    assert simulator.job(job["job_id"])["status"] == "error"


def test_control_errors_are_json(simulator):
    missing = requests.get(f"{simulator.url}/_simulator/jobs/nope", timeout=TIMEOUT)
    bad = requests.post(
        f"{simulator.url}/_simulator/clock/advance", json={"seconds": "x"}, timeout=TIMEOUT
    )

    assert missing.status_code == 404
    assert bad.status_code == 400
    assert bad.json()["error"]


def test_config_gives_the_three_base_urls(simulator):
    config = simulator.config()

    assert config["privacy_url"] == simulator.privacy_url
    assert config["status_url"] == simulator.status_url
    assert config["orgs"] == 3


def test_orgs_carry_every_credential_field(simulator):
    org = simulator.orgs()[0]

    assert org.ims_org_id.endswith("@AdobeOrg")
    assert org.technical_account_id.endswith("@techacct.adobe.com")
    assert org.client_secret.startswith("p8e-")
    assert "BEGIN PRIVATE KEY" in org.private_key_pem
    assert "BEGIN CERTIFICATE" in org.certificate_pem
    assert "ent_gdpr_sdk" in org.metascopes
    assert "secret" not in repr(org).lower().replace("client_secrets", "")


def test_an_invalid_job_request_creates_nothing(simulator, org):
    before = simulator.counts()["orgs"][org.ims_org_id]["total"]

    response = requests.post(
        f"{simulator.url}/_simulator/jobs", json={"org": 0, "status": "exploded"}, timeout=TIMEOUT
    )

    assert response.status_code == 400
    assert simulator.counts()["orgs"][org.ims_org_id]["total"] == before

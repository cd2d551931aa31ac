"""Every fault and how it is scoped: by endpoint, organization, surface and count."""

from __future__ import annotations

import pytest
import requests

from simulator.control import CREATE_JOBS, IMS_TOKEN, JOB, JOBS
from tests.simulator.conftest import PRIVACY_SCOPES, TIMEOUT, oauth_token, privacy_api

GDPR = {"regulation": "gdpr", "size": 10}


def test_rate_limit_with_retry_after(simulator, privacy):
    simulator.add_fault("rate_limit", retry_after=7, endpoint=JOBS)

    response = privacy.get("/jobs", params=GDPR)

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.json()["error_code"] == "429001"


def test_rate_limit_without_retry_after(simulator, privacy):
    simulator.add_fault("rate_limit", endpoint=JOBS)

    response = privacy.get("/jobs", params=GDPR)

    assert response.status_code == 429
    assert "Retry-After" not in response.headers


def test_rate_limit_on_ims_uses_the_oauth_error_shape(simulator, org):
    simulator.add_fault("rate_limit", surface="ims", retry_after=2)

    response = requests.post(
        f"{simulator.ims_url}/ims/token/v3",
        data={"grant_type": "client_credentials", "client_id": org.client_id,
              "client_secret": org.client_secret, "scope": PRIVACY_SCOPES},
        timeout=TIMEOUT,
    )  # fmt: skip

    assert response.status_code == 429
    assert set(response.json()) == {"error", "error_description"}


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors(simulator, privacy, status):
    simulator.add_fault("server_error", status=status, endpoint=JOBS)

    response = privacy.get("/jobs", params=GDPR)

    assert response.status_code == status
    assert response.json()["error_code"] == f"{status}000"


def test_server_error_can_be_an_html_page_like_a_load_balancers(simulator, privacy):
    simulator.add_fault("server_error", status=502, body_format="html")

    response = privacy.get("/jobs", params=GDPR)

    assert response.status_code == 502
    assert response.headers["Content-Type"] == "text/html"


def test_the_next_two_calls_fail_then_the_endpoint_recovers(simulator, privacy):
    simulator.add_fault("server_error", status=503, endpoint=JOBS, count=2)

    statuses = [privacy.get("/jobs", params=GDPR).status_code for _ in range(3)]

    assert statuses == [503, 503, 200]
    assert simulator.faults() == []
    assert simulator.requests()["statuses"][JOBS] == {"503": 2, "200": 1}


def test_a_fault_scoped_to_one_endpoint_leaves_others_alone(simulator, privacy, org):
    simulator.add_fault("server_error", status=500, endpoint=JOB)
    job_id = simulator.jobs(org.index, regulation="gdpr")["jobs"][0]["job_id"]

    assert privacy.get("/jobs", params=GDPR).status_code == 200
    assert privacy.get(f"/jobs/{job_id}").status_code == 500


def test_a_fault_scoped_to_one_organization_leaves_others_alone(simulator, privacy, org, other_org):
    theirs = privacy_api(simulator, other_org, oauth_token(simulator, other_org))
    simulator.add_fault("server_error", status=503, org=other_org.ims_org_id)

    assert privacy.get("/jobs", params=GDPR).status_code == 200
    assert theirs.get("/jobs", params=GDPR).status_code == 503


def test_a_fault_on_one_surface_leaves_the_others_alone(simulator, privacy, status_api):
    simulator.add_fault("server_error", status=503, surface="status")

    assert privacy.get("/jobs", params=GDPR).status_code == 200
    assert status_api.get("/clouds").status_code == 503


def test_custom_error_response(simulator, privacy):
    simulator.add_fault("error", status=418, body={"teapot": True}, headers={"X-Why": "tests"})

    response = privacy.get("/jobs", params=GDPR)

    assert response.status_code == 418
    assert response.json() == {"teapot": True}
    assert response.headers["X-Why"] == "tests"


def test_dropped_connection_raises_a_connection_error(simulator, privacy):
    simulator.add_fault("drop_connection", endpoint=JOBS, count=1)

    with pytest.raises(requests.ConnectionError):
        privacy.get("/jobs", params=GDPR)
    assert privacy.get("/jobs", params=GDPR).status_code == 200
    assert simulator.requests()["statuses"][JOBS] == {"dropped": 1, "200": 1}


def _create_body(org):
    return {
        "companyContexts": [{"namespace": "imsOrgID", "value": org.ims_org_id}],
        "users": [
            {
                "key": "lost-answer",
                "action": ["access", "delete"],
                "userIDs": [{"namespace": "email", "value": "lost@example.com"}],
            }
        ],
        "include": ["Analytics"],
        "regulation": "gdpr",
    }


def _created_jobs(simulator, org):
    return [job for job in simulator.jobs(org.index, limit=1000)["jobs"] if not job["generated"]]


def test_drop_after_processing_creates_the_jobs_and_loses_the_answer(simulator, privacy, org):
    simulator.add_fault("drop_after_processing", endpoint=CREATE_JOBS, count=1)

    with pytest.raises(requests.ConnectionError):
        privacy.post("/jobs", json=_create_body(org))

    created = _created_jobs(simulator, org)
    assert len(created) == 2  # one job per action: Adobe did the work
    listed = privacy.get("/jobs", params=GDPR).json()["jobDetails"]
    assert {job["job_id"] for job in created} <= {job["jobId"] for job in listed}
    assert simulator.requests()["statuses"][CREATE_JOBS] == {"dropped": 1}
    assert simulator.faults() == []  # used up: the next request is answered
    assert privacy.post("/jobs", json=_create_body(org)).status_code == 202


def test_drop_after_processing_waits_for_a_request_the_endpoint_accepts(simulator, privacy, org):
    simulator.add_fault("drop_after_processing", endpoint=CREATE_JOBS, count=1)
    refused = {**_create_body(org), "regulation": "nope"}

    assert privacy.post("/jobs", json=refused).status_code == 400  # answered: nothing was done
    assert len(simulator.faults()) == 1
    with pytest.raises(requests.ConnectionError):
        privacy.post("/jobs", json=_create_body(org))
    assert len(_created_jobs(simulator, org)) == 2


def test_slow_response_goes_past_a_client_timeout(simulator, privacy):
    simulator.add_fault("slow", seconds=1.5, endpoint=JOBS, count=1)

    with pytest.raises(requests.Timeout):
        privacy.get("/jobs", params=GDPR, timeout=0.3)


def test_slow_response_still_answers_a_patient_client(simulator, privacy):
    simulator.add_fault("slow", seconds=0.3, endpoint=JOBS, count=1)

    assert privacy.get("/jobs", params=GDPR, timeout=5).status_code == 200


def test_malformed_json(simulator, privacy):
    simulator.add_fault("malformed_json", endpoint=JOBS)

    response = privacy.get("/jobs", params=GDPR)

    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()


def test_truncated_page_breaks_off_mid_body(simulator, privacy):
    simulator.add_fault("truncated_page", endpoint=JOBS, count=1)

    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        privacy.get("/jobs", params=GDPR)
    assert privacy.get("/jobs", params=GDPR).status_code == 200


def test_short_page_drops_items_but_keeps_the_total(simulator, privacy):
    full = privacy.get("/jobs", params=GDPR).json()
    simulator.add_fault("short_page", drop=4, count=1)

    short = privacy.get("/jobs", params=GDPR).json()

    assert len(short["jobDetails"]) == len(full["jobDetails"]) - 4
    assert short["totalRecords"] == full["totalRecords"]


def test_revoked_token_fault_answers_401(simulator, privacy, status_api):
    simulator.add_fault("revoked_token", count=2)

    assert privacy.get("/jobs", params=GDPR).json() == {
        "error_code": "401013",
        "message": "Oauth token is not valid",
    }
    assert status_api.get("/clouds").status_code == 401
    assert privacy.get("/jobs", params=GDPR).status_code == 200


def test_ims_faults_use_the_route_name(simulator, org):
    simulator.add_fault("server_error", status=500, endpoint=IMS_TOKEN, count=1)

    with pytest.raises(AssertionError):
        oauth_token(simulator, org)
    assert oauth_token(simulator, org)


def test_faults_can_be_removed_one_by_one_and_are_cleared_by_reset(simulator, privacy):
    first = simulator.add_fault("server_error", status=500)
    simulator.add_fault("rate_limit")

    simulator.remove_fault(first["id"])
    assert privacy.get("/jobs", params=GDPR).status_code == 429

    simulator.reset()
    fresh_token = oauth_token(simulator, simulator.orgs()[0])
    privacy.session.headers["Authorization"] = f"Bearer {fresh_token}"
    assert privacy.get("/jobs", params=GDPR).status_code == 200


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "earthquake"},
        {"kind": "server_error", "status": 404},
        {"kind": "slow"},
        {"kind": "page_base", "value": 2},
        {"kind": "rate_limit", "count": 0},
        {"kind": "rate_limit", "surface": "mars"},
        {"kind": "rate_limit", "colour": "red"},
    ],
)
def test_invalid_faults_are_refused(simulator, spec):
    response = requests.post(f"{simulator.url}/_simulator/faults", json=spec, timeout=TIMEOUT)

    assert response.status_code == 400
    assert response.json()["error"]


def test_a_slow_request_is_counted_even_when_its_client_gave_up(simulator, privacy):
    simulator.add_fault("slow", seconds=1, endpoint=JOBS, count=1)

    with pytest.raises(requests.Timeout):
        privacy.get("/jobs", params=GDPR, timeout=0.2)

    assert simulator.request_count(JOBS) == 1


def test_rate_limit_can_give_retry_after_as_an_http_date(simulator, privacy):
    simulator.add_fault("rate_limit", retry_after="Wed, 21 Oct 2026 07:28:00 GMT", count=1)

    response = privacy.get("/jobs", params=GDPR)

    assert response.headers["Retry-After"] == "Wed, 21 Oct 2026 07:28:00 GMT"

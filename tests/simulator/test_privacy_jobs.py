"""One job (details, content), creating jobs (every limit) and their lifecycle, consent."""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.simulator.conftest import oauth_token, privacy_api


def _request(org, **overrides):
    body = {
        "companyContexts": [{"namespace": "imsOrgID", "value": org.ims_org_id}],
        "users": [
            {
                "key": "DavidSmith",
                "action": ["access"],
                "userIDs": [
                    {"namespace": "email", "value": "dsmith@acme.com", "type": "standard"},
                    {
                        "namespace": "ECID",
                        "type": "standard",
                        "value": "443636576799758681021090721276",
                        "isDeletedClientSide": False,
                    },
                ],
            },
            {
                "key": "user12345",
                "action": ["access", "delete"],
                "userIDs": [
                    {"namespace": "email", "value": "ajones@acme.com", "type": "standard"},
                    {
                        "namespace": "loyaltyAccount",
                        "value": "12AD45FE30R29",
                        "type": "integrationCode",
                    },
                ],
            },
        ],
        "include": ["Analytics", "AudienceManager", "profileService"],
        "expandIds": False,
        "priority": "normal",
        "mergePolicyId": 124,
        "regulation": "ccpa",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def _user(key="u1", actions=("access",), ids=1):
    return {
        "key": key,
        "action": list(actions),
        "userIDs": [{"namespace": "email", "value": f"{key}-{n}@example.com"} for n in range(ids)],
    }


def _a_job(simulator, org, **filters):
    return simulator.jobs(org.index, regulation="gdpr", **filters)["jobs"][0]


def test_job_details_have_the_documented_fields(simulator, privacy, org):
    job = _a_job(simulator, org, status="complete")

    body = privacy.get(f"/jobs/{job['job_id']}").json()

    assert body["jobId"] == job["job_id"]
    assert body["status"] == "complete"
    assert body["regulation"] == "gdpr"
    assert body["userIds"][0]["namespace"] == "email"
    assert body["userIds"][0]["namespaceId"] == 6
    product = body["productResponses"][0]
    assert product["productStatusResponse"]["responseMsgCode"].startswith("PRVCY-")
    assert product["processedDate"].endswith(" GMT")


def test_complete_access_jobs_have_a_download_url_and_others_none(simulator, privacy, org):
    access = _a_job(simulator, org, status="complete")
    delete = simulator.create_jobs(org.index, action="delete", status="complete")[0]
    if access["action"] != "access":
        access = simulator.create_jobs(org.index, action="access", status="complete")[0]

    access_body = privacy.get(f"/jobs/{access['job_id']}").json()
    delete_body = privacy.get(f"/jobs/{delete['job_id']}").json()

    assert access_body["downloadUrl"] == (
        f"{simulator.privacy_url}/jobs/{access['job_id']}/content"
    )
    assert "downloadUrl" not in delete_body
    assert "downloadURL" not in delete_body


@pytest.mark.parametrize(
    ("value", "keys"),
    [("downloadURL", {"downloadURL"}), ("both", {"downloadURL", "downloadUrl"})],
)
def test_download_key_switch(simulator, privacy, org, value, keys):
    job = simulator.create_jobs(org.index, action="access", status="complete")[0]
    simulator.set_switch("download_key", value)

    body = privacy.get(f"/jobs/{job['job_id']}").json()

    assert {"downloadURL", "downloadUrl"} & set(body) == keys


def test_date_format_switch_gives_iso_8601(simulator, privacy, org):
    job = _a_job(simulator, org)
    simulator.set_switch("date_format", "iso")

    body = privacy.get(f"/jobs/{job['job_id']}").json()

    assert body["createdDate"] == job["created_at"]


def test_another_organizations_job_is_not_found(simulator, privacy, other_org):
    theirs = _a_job(simulator, other_org)

    response = privacy.get(f"/jobs/{theirs['job_id']}")

    assert response.status_code == 404
    assert response.json()["title"] == "NotFoundError"


def test_content_of_a_complete_access_job_is_a_zip_with_product_folders(simulator, privacy, org):
    job = simulator.create_jobs(org.index, action="access", status="complete")[0]

    response = privacy.get(f"/jobs/{job['job_id']}/content", headers={"Accept": "application/json"})

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert names
    assert all(name.startswith(f"{job['job_id']}/") for name in names)


def test_content_is_absent_for_jobs_not_complete(simulator, privacy, org):
    job = simulator.create_jobs(org.index, action="access", status="processing")[0]

    assert privacy.get(f"/jobs/{job['job_id']}/content").status_code == 404


def test_create_answers_202_with_one_job_per_user_and_action(simulator, privacy, org):
    response = privacy.post("/jobs", json=_request(org))

    assert response.status_code == 202
    body = response.json()
    assert body["totalRecords"] == 3
    assert body["requestStatus"] == 1
    assert body["requestId"][17:20] == "RX-"
    pairs = sorted(
        (j["customer"]["user"]["key"], j["customer"]["user"]["action"]) for j in body["jobs"]
    )
    assert pairs == [
        ("DavidSmith", ["access"]),
        ("user12345", ["access"]),
        ("user12345", ["delete"]),
    ]
    echoed = body["jobs"][0]["customer"]["user"]["userIDs"][0]
    assert echoed["isDeletedClientSide"] is False


def test_create_accepts_the_trailing_slash_aepp_uses(simulator, privacy, org):
    assert privacy.post("/jobs/", json=_request(org)).status_code == 202


def test_jobs_key_switch_applies_to_create(simulator, privacy, org):
    simulator.set_switch("jobs_key", "jobDetails", endpoint="POST /data/core/privacy/jobs")

    body = privacy.post("/jobs", json=_request(org)).json()

    assert "jobDetails" in body
    assert "jobs" not in body


def test_created_jobs_move_through_their_lifecycle_as_the_clock_advances(simulator, privacy, org):
    job_id = privacy.post("/jobs", json=_request(org)).json()["jobs"][0]["jobId"]

    def status():
        return privacy.get(f"/jobs/{job_id}").json()["status"]

    assert status() == "submitted"
    products = privacy.get(f"/jobs/{job_id}").json()["productResponses"]
    assert {p["productStatusResponse"]["status"] for p in products} == {"submitted"}
    simulator.advance(seconds=61)
    assert status() == "processing"
    simulator.advance(hours=2)
    assert status() == "complete"
    products = privacy.get(f"/jobs/{job_id}").json()["productResponses"]
    assert [p["product"] for p in products] == ["Analytics", "AudienceManager", "Profile"]
    assert all(p["productStatusResponse"]["status"] == "complete" for p in products)


def test_a_user_key_with_fail_ends_in_error_with_a_failing_product(simulator, privacy, org):
    body = _request(org, users=[_user("please-FAIL-this")])
    job_id = privacy.post("/jobs", json=body).json()["jobs"][0]["jobId"]

    simulator.advance(hours=2)

    job = privacy.get(f"/jobs/{job_id}").json()
    assert job["status"] == "error"
    codes = [p["productStatusResponse"]["responseMsgCode"] for p in job["productResponses"]]
    assert any(code.endswith("-400") for code in codes)


def test_created_jobs_are_listed_and_removed_by_reset(simulator, privacy, org):
    job_id = privacy.post("/jobs", json=_request(org)).json()["jobs"][0]["jobId"]
    listed = privacy.get("/jobs", params={"regulation": "ccpa", "size": 5}).json()["jobDetails"]
    assert job_id in [j["jobId"] for j in listed]

    simulator.reset()

    fresh = privacy_api(simulator, org, oauth_token(simulator, org))
    assert fresh.get(f"/jobs/{job_id}").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"companyContexts": None}, "companyContexts"),
        ({"companyContexts": [{"namespace": "Campaign", "value": "x"}]}, "imsOrgID"),
        (
            {"companyContexts": [{"namespace": "imsOrgId", "value": "OTHER@AdobeOrg"}]},
            "x-gw-ims-org-id",
        ),
        ({"users": None}, "users"),
        ({"users": []}, "users"),
        ({"users": [_user() | {"key": ""}]}, "users[0].key"),
        ({"users": [_user(actions=())]}, "users[0].action"),
        ({"users": [_user(actions=("access", "access"))]}, "repeat"),
        ({"users": [_user(actions=("erase",))]}, "access, delete"),
        ({"users": [_user(actions=("opt-out-of-sale",))]}, "/consent"),
        ({"users": [_user(ids=0)]}, "userIDs"),
        ({"users": [_user(ids=10)]}, "nine"),
        ({"users": [_user() | {"userIDs": [{"namespace": "email"}]}]}, "value"),
        (
            {
                "users": [
                    _user() | {"userIDs": [{"namespace": "email", "value": "a", "type": "odd"}]}
                ]
            },
            "type",
        ),
        ({"include": None}, "include"),
        ({"include": []}, "include"),
        ({"include": ["Analytics", "analytics"]}, "repeat"),
        ({"include": ["Photoshop"]}, "Photoshop"),
        ({"regulation": None}, "regulation"),
        ({"regulation": "vcdpa_usa"}, "vcdpa_va_usa"),
        ({"priority": "urgent"}, "priority"),
        ({"expandIds": "maybe"}, "expandIds"),
    ],
)
def test_create_validates_every_documented_rule(simulator, privacy, org, overrides, fragment):
    response = privacy.post("/jobs", json=_request(org, **overrides))

    assert response.status_code == 400
    assert fragment in response.json()["detail"]


def test_create_takes_1000_users_but_not_1001(simulator, privacy, org):
    users = [_user(f"user{n}", ids=9) for n in range(1001)]

    too_many = privacy.post("/jobs", json=_request(org, users=users))
    just_right = privacy.post("/jobs", json=_request(org, users=users[:1000]))

    assert too_many.status_code == 400
    assert "1000 users" in too_many.json()["detail"]
    assert just_right.status_code == 202
    assert just_right.json()["totalRecords"] == 1000


def test_the_daily_limit_of_20000_jobs_is_enforced(simulator, privacy, org):
    users = [_user(f"user{n}", actions=("access", "delete")) for n in range(1000)]
    for _ in range(10):
        assert privacy.post("/jobs", json=_request(org, users=users)).status_code == 202

    over = privacy.post("/jobs", json=_request(org, users=[_user()]))

    assert over.status_code == 400
    assert "daily upload limit" in over.json()["detail"]
    simulator.advance(days=1)
    later = privacy_api(simulator, org, oauth_token(simulator, org))
    assert later.post("/jobs", json=_request(org, users=[_user()])).status_code == 202


def test_consent_answers_202_with_no_body_and_is_recorded(simulator, privacy, org):
    body = {
        "optOutOfSale": True,
        "entities": [
            {"nameSpace": "email", "values": ["dsmith@acme.com", "ajones@acme.com"]},
            {"nameSpace": "ECID", "values": ["443636576799758681021090721276"]},
        ],
    }

    response = privacy.post("/consent", json=body)

    assert response.status_code == 202
    assert response.content == b""
    assert simulator.consents()[0]["ims_org_id"] == org.ims_org_id


@pytest.mark.parametrize(
    "body",
    [
        {"entities": [{"nameSpace": "email", "values": ["a@b.c"]}]},
        {"optOutOfSale": True, "entities": []},
        {"optOutOfSale": True, "entities": [{"namespace": "email", "values": ["a@b.c"]}]},
        {"optOutOfSale": True, "entities": [{"nameSpace": "email", "values": ["a", "a"]}]},
    ],
)
def test_consent_bodies_are_validated(simulator, privacy, body):
    assert privacy.post("/consent", json=body).status_code == 400


def test_content_must_be_asked_for_as_json(simulator, privacy, org):
    job = simulator.create_jobs(org.index, action="access", status="complete")[0]

    response = privacy.get(f"/jobs/{job['job_id']}/content", headers={"Accept": "application/zip"})

    assert response.status_code == 400
    assert "Accept" in response.json()["detail"]

"""GET /jobs: paging in both bases, sizes, regulations and date windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.simulator.conftest import all_job_ids, oauth_token, privacy_api


def _day(sim, days_ago: int) -> str:
    moment = datetime.fromtimestamp(sim.now(), UTC) - timedelta(days=days_ago)
    return moment.strftime("%Y-%m-%d")


def _window(sim, start_days_ago: int, end_days_ago: int) -> dict[str, str]:
    return {"fromDate": _day(sim, start_days_ago), "toDate": _day(sim, end_days_ago)}


def _ids(response) -> list[str]:
    return [job["jobId"] for job in response.json()["jobDetails"]]


def test_list_has_the_swagger_shape_newest_first(simulator, privacy):
    response = privacy.get("/jobs", params={"regulation": "gdpr", "size": 10})

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"totalRecords", "jobDetails"}
    assert body["totalRecords"] >= len(body["jobDetails"]) > 0
    job = body["jobDetails"][0]
    assert set(job) == {
        "jobId", "requestId", "userKey", "action", "status",
        "submittedBy", "createdDate", "lastModifiedDate",
    }  # fmt: skip
    assert job["createdDate"].endswith(" GMT")
    created = [
        datetime.strptime(j["createdDate"], "%m/%d/%Y %I:%M %p GMT") for j in body["jobDetails"]
    ]
    assert created == sorted(created, reverse=True)


def test_pages_are_one_based_by_default_and_page_zero_is_refused(simulator, privacy):
    first = privacy.get("/jobs", params={"regulation": "gdpr", "size": 2})
    page_one = privacy.get("/jobs", params={"regulation": "gdpr", "size": 2, "page": 1})
    page_two = privacy.get("/jobs", params={"regulation": "gdpr", "size": 2, "page": 2})

    assert _ids(first) == _ids(page_one)
    assert not set(_ids(page_one)) & set(_ids(page_two))
    zero = privacy.get("/jobs", params={"regulation": "gdpr", "page": 0})
    assert zero.status_code == 400
    assert zero.json()["title"] == "BadRequestError"


def test_zero_based_paging_switch(simulator, privacy):
    one_based = [
        _ids(privacy.get("/jobs", params={"regulation": "gdpr", "size": 2, "page": p}))
        for p in (1, 2)
    ]
    simulator.set_switch("page_base", 0)

    zero_based = [
        _ids(privacy.get("/jobs", params={"regulation": "gdpr", "size": 2, "page": p}))
        for p in (0, 1)
    ]

    assert zero_based == one_based


def test_lenient_one_based_paging_treats_page_zero_as_the_first(simulator, privacy):
    simulator.set_switch("page_base", "1-lenient")

    zero = privacy.get("/jobs", params={"regulation": "gdpr", "size": 3, "page": 0})
    one = privacy.get("/jobs", params={"regulation": "gdpr", "size": 3, "page": 1})

    assert _ids(zero) == _ids(one)


def test_walking_every_page_returns_each_job_once(simulator, privacy):
    window = {"fromDate": _day(simulator, 29), "toDate": _day(simulator, 0)}
    total = privacy.get("/jobs", params={"regulation": "gdpr", **window}).json()["totalRecords"]

    ids = all_job_ids(privacy, "gdpr", size=10, **window)

    assert len(ids) == len(set(ids)) == total > 30


@pytest.mark.parametrize("size", ["0", "1001", "-5", "ten"])
def test_size_outside_1_to_1000_is_refused(simulator, privacy, size):
    assert privacy.get("/jobs", params={"regulation": "gdpr", "size": size}).status_code == 400


def test_size_1000_is_the_maximum_and_the_switch_can_lower_it(simulator, privacy):
    assert privacy.get("/jobs", params={"regulation": "gdpr", "size": 1000}).status_code == 200
    simulator.set_switch("size_max", 100)

    assert privacy.get("/jobs", params={"regulation": "gdpr", "size": 101}).status_code == 400


def test_total_records_can_count_the_page_instead_of_all_matches(simulator, privacy):
    everything = privacy.get("/jobs", params={"regulation": "gdpr", "size": 3}).json()
    simulator.set_switch("total_records", "page")

    page_only = privacy.get("/jobs", params={"regulation": "gdpr", "size": 3}).json()

    assert everything["totalRecords"] > 3
    assert page_only["totalRecords"] == 3


def test_jobs_key_switch(simulator, privacy):
    simulator.set_switch("jobs_key", "jobs")

    body = privacy.get("/jobs", params={"regulation": "gdpr"}).json()

    assert "jobs" in body
    assert "jobDetails" not in body


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({}, "regulation"),
        ({"regulation": "hipaa"}, "Invalid regulation"),
        ({"regulation": "ucpa_usa"}, "ucpa_ut_usa"),
        ({"regulation": "gdpr", "status": "done"}, "status"),
    ],
)
def test_regulation_and_status_are_validated(simulator, privacy, params, fragment):
    response = privacy.get("/jobs", params=params)

    assert response.status_code == 400
    assert fragment in response.json()["detail"]


def test_current_codes_and_swagger_synonyms_are_accepted(simulator, privacy):
    for code in ("ucpa_ut_usa", "ql25", "ql25_qc_can", "dpdpa", "pipa_kor", "ccpa"):
        assert privacy.get("/jobs", params={"regulation": code}).status_code == 200, code


def test_swagger_and_doc_spellings_list_the_same_jobs(simulator, privacy):
    params = {"regulation": "ql25", **_window(simulator, 29, 0)}
    swagger = privacy.get("/jobs", params=params)
    doc = privacy.get("/jobs", params={**params, "regulation": "ql25_qc_can"})

    assert _ids(swagger)
    assert _ids(swagger) == _ids(doc)


@pytest.mark.parametrize(
    ("dates", "fragment"),
    [
        ({"fromDate": "2026-01-01"}, "together"),
        ({"toDate": "2026-01-01"}, "together"),
        ({"fromDate": "01/01/2026", "toDate": "01/02/2026"}, "YYYY-MM-DD"),
    ],
)
def test_date_parameters_must_come_together_and_well_formed(simulator, privacy, dates, fragment):
    response = privacy.get("/jobs", params={"regulation": "gdpr", **dates})

    assert response.status_code == 400
    assert fragment in response.json()["detail"]


def test_a_window_may_span_30_days_but_not_31(simulator, privacy):
    ok = privacy.get("/jobs", params={"regulation": "gdpr", **_window(simulator, 30, 0)})
    too_long = privacy.get("/jobs", params={"regulation": "gdpr", **_window(simulator, 31, 0)})

    assert ok.status_code == 200
    assert too_long.status_code == 400
    assert "30 days" in too_long.json()["detail"]


def test_a_window_may_reach_back_45_days_but_not_46(simulator, privacy):
    ok = privacy.get("/jobs", params={"regulation": "gdpr", **_window(simulator, 45, 20)})
    too_old = privacy.get("/jobs", params={"regulation": "gdpr", **_window(simulator, 46, 20)})

    assert ok.status_code == 200
    assert too_old.status_code == 400
    assert "45 days" in too_old.json()["detail"]


def test_without_dates_only_the_last_seven_days_are_listed(simulator, privacy):
    default = privacy.get("/jobs", params={"regulation": "gdpr", "size": 1000}).json()
    month = privacy.get(
        "/jobs", params={"regulation": "gdpr", "size": 1000, **_window(simulator, 29, 0)}
    ).json()

    oldest = min(
        datetime.strptime(j["createdDate"], "%m/%d/%Y %I:%M %p GMT").replace(tzinfo=UTC)
        for j in default["jobDetails"]
    )
    assert datetime.fromtimestamp(simulator.now(), UTC) - oldest <= timedelta(days=7)
    assert month["totalRecords"] > default["totalRecords"]


def test_filter_date_lists_one_day(simulator, privacy):
    day = _day(simulator, 3)

    body = privacy.get("/jobs", params={"regulation": "gdpr", "filterDate": day}).json()

    assert body["jobDetails"]
    month_day_year = datetime.strptime(day, "%Y-%m-%d").strftime("%m/%d/%Y")
    assert all(j["createdDate"].startswith(month_day_year) for j in body["jobDetails"])


def test_status_filter_returns_only_that_status(simulator, privacy):
    body = privacy.get(
        "/jobs", params={"regulation": "gdpr", "status": "error", **_window(simulator, 29, 0)}
    ).json()

    assert body["jobDetails"]
    assert {j["status"] for j in body["jobDetails"]} == {"error"}


def test_jobs_finished_more_than_30_days_ago_are_gone(simulator, privacy, org):
    old = simulator.create_jobs(
        org.index, regulation="gdpr", status="complete", created_seconds_ago=40 * 86400
    )[0]
    simulator.update_job(old["job_id"], status="complete")  # finished now: still listed
    window = _window(simulator, 44, 15)
    assert old["job_id"] in _ids(
        privacy.get("/jobs", params={"regulation": "gdpr", "size": 1000, **window})
    )

    simulator.advance(days=31)

    later = privacy_api(simulator, org, oauth_token(simulator, org))
    assert later.get(f"/jobs/{old['job_id']}").status_code == 404


def test_lookback_switch_allows_the_60_days_of_the_best_practices_page(simulator, privacy):
    simulator.set_switch("lookback_days", 60)

    response = privacy.get("/jobs", params={"regulation": "gdpr", **_window(simulator, 55, 30)})

    assert response.status_code == 200


def test_retention_and_default_window_switches_can_show_every_generated_job(
    simulator, privacy, org
):
    everything = simulator.jobs(org.index, regulation="gdpr", limit=1000)["total"]
    simulator.set_switch("retention_days", None)
    simulator.set_switch("default_window_days", None)

    body = privacy.get("/jobs", params={"regulation": "gdpr", "size": 1000}).json()

    assert body["totalRecords"] == everything

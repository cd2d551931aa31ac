"""What the seed generates: spread, variety, and arrivals on the clock."""

from __future__ import annotations

from datetime import UTC, datetime

import requests

from simulator.server import start


def test_jobs_spread_over_regulations_actions_statuses_and_45_days(simulator, org):
    jobs = simulator.jobs(org.index, limit=1000)["jobs"]
    now = datetime.fromtimestamp(simulator.now(), UTC)

    ages = [(now - datetime.fromisoformat(j["created_at"])).days for j in jobs]
    assert len(jobs) == 300
    assert max(ages) == 44
    assert min(ages) == 0
    assert len({j["regulation"] for j in jobs}) >= 15
    assert {j["action"] for j in jobs} == {"access", "delete"}
    assert {j["status"] for j in jobs} >= {"processing", "complete", "error"}
    finished_long_ago = [
        j for j, age in zip(jobs, ages, strict=True) if j["status"] == "complete" and age > 35
    ]
    assert finished_long_ago
    assert not any(j["visible"] for j in finished_long_ago)


def test_finished_jobs_carry_varied_prvcy_codes(simulator, privacy, org):
    jobs = simulator.jobs(org.index, limit=1000)["jobs"]
    codes = set()
    for job in [j for j in jobs if j["visible"] and j["status"] in ("complete", "error")][:80]:
        for product in privacy.get(f"/jobs/{job['job_id']}").json()["productResponses"]:
            codes.add(product["productStatusResponse"]["responseMsgCode"])

    assert "PRVCY-6000-200" in codes
    assert any(code.endswith("-400") for code in codes)
    assert len(codes) >= 4


def test_future_days_make_new_jobs_arrive_as_the_clock_moves():
    with start(orgs=1, jobs_per_org=450, frozen_clock=True, future_days=4) as sim:
        counts = f"{sim.url}/_simulator/counts"
        before = next(iter(requests.get(counts, timeout=10).json()["orgs"].values()))
        requests.post(f"{sim.url}/_simulator/clock/advance", json={"days": 2}, timeout=10)
        after = next(iter(requests.get(counts, timeout=10).json()["orgs"].values()))

    assert after["total"] + after["expired"] > before["total"] + before["expired"]
    assert before["total"] + before["expired"] < 470

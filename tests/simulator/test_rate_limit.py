"""The gateway's request rate limit on Privacy Service (the `rate_limit_per_second` switch)."""

from __future__ import annotations

import time

import pytest

from simulator.control import JOBS
from simulator.ratelimit import TokenBuckets, retry_after_seconds
from tests.simulator.conftest import oauth_token, privacy_api

GDPR = {"regulation": "gdpr", "size": 1}


def statuses(api, n: int) -> list[int]:
    return [api.get("/jobs", params=GDPR).status_code for _ in range(n)]


def test_it_is_off_by_default(simulator, privacy):
    assert set(statuses(privacy, 30)) == {200}


def test_past_the_rate_it_answers_429_with_retry_after_then_lets_requests_through(
    simulator, privacy
):
    simulator.set_switch("rate_limit_per_second", 5)

    answers = statuses(privacy, 5)
    refused = privacy.get("/jobs", params=GDPR)

    assert answers == [200] * 5  # a full bucket: one second's worth
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"
    assert refused.json() == {"error_code": "429001", "message": "Too many requests"}
    assert simulator.requests()["statuses"][JOBS] == {"200": 5, "429": 1}

    time.sleep(1)
    assert statuses(privacy, 3) == [200] * 3


def test_each_integration_has_its_own_bucket(simulator, privacy, other_org):
    simulator.set_switch("rate_limit_per_second", 3)
    other = privacy_api(simulator, other_org, oauth_token(simulator, other_org))

    assert statuses(privacy, 4) == [200, 200, 200, 429]
    assert statuses(other, 3) == [200, 200, 200]


def test_a_reset_turns_it_off_and_refills_the_buckets(simulator, privacy, org):
    simulator.set_switch("rate_limit_per_second", 2)
    assert statuses(privacy, 3) == [200, 200, 429]

    simulator.reset()  # tokens are forgotten too
    again = privacy_api(simulator, org, oauth_token(simulator, org))
    assert set(statuses(again, 10)) == {200}


def test_the_switch_refuses_a_negative_rate(simulator):
    with pytest.raises(RuntimeError, match="non-negative"):
        simulator.set_switch("rate_limit_per_second", -1)


def test_a_bucket_refills_at_its_rate_and_holds_one_second_at_most():
    now = [100.0]
    buckets = TokenBuckets(clock=lambda: now[0])

    assert [buckets.take("a", 4) for _ in range(4)] == [None] * 4
    assert buckets.take("a", 4) == 0.25
    now[0] += 0.25
    assert buckets.take("a", 4) is None
    now[0] += 60  # idle: the bucket holds one second's worth, no more
    assert [buckets.take("a", 4) for _ in range(5)] == [None] * 4 + [0.25]
    assert buckets.take("a", 0) is None  # 0: no limit
    assert (retry_after_seconds(0.25), retry_after_seconds(1.5)) == (1, 2)

"""Listing privacy jobs against the simulator: every page base, key spelling and page fault.

Each test checks what a user would notice (the jobs listed are exactly the server's) and what the
behaviour costs, read from the simulator's request counters.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from adobe import (
    AdobeAuthError,
    AdobeBadResponse,
    AdobeInvalidRequest,
    AdobeRateLimited,
    AdobeUnavailable,
)
from adobe.errors import AdobeIncompleteListing
from adobe.privacy import PrivacyClient
from tests.adobe.conftest import FAST_RETRY, privacy_client_for

JOBS = "GET /data/core/privacy/jobs"
SIZE = 5
TOKENS = ("POST /ims/token/v3",)


def _server_ids(simulator, org, regulation="gdpr", days=7):
    """Job ids the server holds for the default 7-day window (the control API's view)."""
    now = simulator.now()
    listed = simulator.jobs(org.ims_org_id, regulation=regulation, limit=100_000)["jobs"]
    since = now - days * 86400
    return {
        job["job_id"]
        for job in listed
        if job["visible"]
        and datetime.fromisoformat(job["created_at"].replace("Z", "+00:00")).timestamp() >= since
    }


def _list(privacy, **query):
    jobs = privacy.list_jobs(regulation="gdpr", size=SIZE, **query)
    ids = [job.job_id for job in jobs]
    assert len(ids) == len(set(ids)), "a job was listed twice"
    return set(ids)


@pytest.fixture
def waits() -> list[float]:
    """The delays the client asked to sleep, in order (it sleeps through this, not the clock)."""
    return []


@pytest.fixture
def waiting_privacy(simulator, org, token_provider, sim_clock, waits):
    """A client like ``privacy`` whose waits between retries are recorded instead of slept."""
    return privacy_client_for(simulator, org, token_provider, sim_clock, sleep=waits.append)


@pytest.fixture
def expected(simulator, org):
    ids = _server_ids(simulator, org)
    assert len(ids) > 2 * SIZE, "the generated data should span several pages"
    return ids


def test_one_based_server_refuses_page_zero_and_the_client_pages_from_one(
    simulator, privacy, expected, counted
):
    assert _list(privacy) == expected
    # page 0 refused, then N // size full pages and the short (or empty) last one.
    assert counted(JOBS) == 1 + len(expected) // SIZE + 1


def test_a_client_remembers_a_one_based_server_and_stops_probing_page_zero(
    simulator, privacy, expected, counted
):
    _list(privacy)
    simulator.reset_requests()
    assert _list(privacy) == expected
    assert counted(JOBS) == len(expected) // SIZE + 1


def test_a_server_that_switches_to_zero_based_loses_no_jobs(simulator, privacy, expected, counted):
    _list(privacy)  # learns: pages start at 1
    simulator.set_switch("page_base", 0)
    simulator.reset_requests()
    assert _list(privacy) == expected
    # Pages 1.. of a 0-based server; the short last page asked again and the empty one after
    # it (totalRecords says jobs are missing), then page 0, where they were.
    assert counted(JOBS) == len(expected) // SIZE + 3


@pytest.mark.parametrize("base", [0, 1])
def test_a_configured_page_base_is_used_without_probing(
    simulator, org, token_provider, expected, counted, base
):
    simulator.set_switch("page_base", base)
    privacy = PrivacyClient(
        base_url=simulator.privacy_url,
        client_id=org.client_id,
        ims_org_id=org.ims_org_id,
        token_provider=token_provider,
        page_base=base,
    )
    assert _list(privacy) == expected
    assert counted(JOBS) == len(expected) // SIZE + 1


def test_zero_based_server_is_listed_from_page_zero(simulator, privacy, expected, counted):
    simulator.set_switch("page_base", 0)
    assert _list(privacy) == expected
    assert counted(JOBS) == len(expected) // SIZE + 1


def test_lenient_server_that_reads_page_zero_as_one_costs_one_repeated_page(
    simulator, privacy, expected, counted
):
    simulator.set_switch("page_base", "1-lenient")
    assert _list(privacy) == expected
    assert counted(JOBS) == 1 + len(expected) // SIZE + 1


@pytest.mark.parametrize("key", ["jobs", "jobDetails"])
def test_jobs_are_read_under_either_key(simulator, privacy, expected, key):
    simulator.set_switch("jobs_key", key)
    assert _list(privacy) == expected


def test_total_records_counting_one_page_changes_nothing(simulator, privacy, expected, counted):
    simulator.set_switch("total_records", "page")
    assert _list(privacy) == expected
    assert counted(JOBS) == 1 + len(expected) // SIZE + 1


def test_iso_dates_read_the_same_as_adobe_dates(simulator, privacy):
    adobe_dates = {job.job_id: job.created_at for job in privacy.list_jobs(regulation="gdpr")}
    assert adobe_dates
    simulator.set_switch("date_format", "iso")
    iso_dates = {job.job_id: job.created_at for job in privacy.list_jobs(regulation="gdpr")}
    # Adobe's format stops at the minute; ISO 8601 carries the seconds.
    assert {k: v.replace(second=0, microsecond=0) for k, v in iso_dates.items()} == adobe_dates
    assert all(when.tzinfo == UTC for when in iso_dates.values())


def test_a_page_that_lost_items_is_asked_again(simulator, privacy, expected, counted):
    simulator.add_fault("short_page", drop=2, count=1, endpoint=JOBS)
    assert _list(privacy) == expected
    assert counted(JOBS) == 1 + len(expected) // SIZE + 1 + 1


def test_a_page_short_again_when_asked_again_ends_the_listing_incomplete(
    simulator, privacy, expected
):
    """The listing yields every job it read, then says it fell short of totalRecords."""
    simulator.add_fault("short_page", drop=2, count=2, endpoint=JOBS)
    yielded = []
    with pytest.raises(AdobeIncompleteListing) as caught:
        for job in privacy.iter_jobs(regulation="gdpr", size=SIZE):
            yielded.append(job.job_id)
    assert len(yielded) == len(set(yielded)) == len(expected) - 2
    assert set(yielded) < expected
    error = caught.value
    assert (error.listed, error.total, error.regulation) == (
        len(expected) - 2,
        len(expected),
        "gdpr",
    )
    assert not error.permanent


def test_an_incomplete_window_does_not_stop_the_others(simulator, privacy, sim_clock):
    """iter_jobs_since lists every window, then reports the jobs missing from all of them."""
    since = sim_clock().date() - timedelta(days=44)
    everything = {job.job_id for job in privacy.iter_jobs_since(regulation="gdpr", since=since)}
    first_window = privacy.list_jobs(
        regulation="gdpr", from_date=since, to_date=since + timedelta(days=30)
    )
    listing = privacy.iter_jobs_since(regulation="gdpr", since=since, size=SIZE)
    yielded = [next(listing).job_id for _ in first_window]
    # The second window's first page loses a job, on its first try and on the retry. (The first
    # window's newest page could hold jobs of the shared boundary day, which the second window
    # lists again: today's jobs are listed once.)
    simulator.add_fault("short_page", drop=1, count=2, endpoint=JOBS)
    with pytest.raises(AdobeIncompleteListing) as caught:
        for job in listing:
            yielded.append(job.job_id)
    assert len(set(yielded)) == len(yielded) == len(everything) - 1
    assert (caught.value.listed, caught.value.total) == (len(everything) - 1, len(everything))


def test_a_page_cut_off_in_transfer_is_fetched_again(simulator, privacy, expected, counted):
    simulator.add_fault("truncated_page", fraction=0.5, count=1, endpoint=JOBS)
    assert _list(privacy) == expected
    assert counted(JOBS) == 1 + len(expected) // SIZE + 1 + 1


def test_malformed_json_is_a_bad_response_without_retry(simulator, privacy, counted):
    simulator.add_fault("malformed_json", count=1, endpoint=JOBS)
    with pytest.raises(AdobeBadResponse) as caught:
        _list(privacy)
    assert caught.value.field == "<body>"
    assert counted(JOBS) == 2  # page 0 refused, page 1 malformed


def test_rate_limit_with_retry_after_waits_that_long_then_succeeds(
    simulator, waiting_privacy, waits, expected, counted
):
    simulator.add_fault("rate_limit", retry_after=1, count=1, endpoint=JOBS)
    assert _list(waiting_privacy) == expected
    assert waits == [1.0]
    assert counted(JOBS) == 1 + 1 + len(expected) // SIZE + 1


def test_rate_limit_without_retry_after_backs_off_then_succeeds(
    simulator, waiting_privacy, waits, expected, counted
):
    simulator.add_fault("rate_limit", count=1, endpoint=JOBS)
    assert _list(waiting_privacy) == expected
    # The first backoff: FAST_RETRY's base, jittered within its upper half.
    assert len(waits) == 1
    assert FAST_RETRY.backoff_base / 2 <= waits[0] <= FAST_RETRY.backoff_base
    assert counted(JOBS) == 1 + 1 + len(expected) // SIZE + 1


def test_a_long_retry_after_is_raised_at_once_for_the_scheduler(
    simulator, waiting_privacy, waits, counted
):
    simulator.add_fault("rate_limit", retry_after=120, endpoint=JOBS)
    with pytest.raises(AdobeRateLimited) as caught:
        _list(waiting_privacy)
    assert (caught.value.retry_after, caught.value.from_server) == (120, True)
    assert waits == []  # not slept through: the worker is freed at once
    assert counted(JOBS) == 1


def test_persistent_rate_limit_gives_up_after_the_retries(simulator, privacy, counted):
    simulator.add_fault("rate_limit", endpoint=JOBS)
    with pytest.raises(AdobeRateLimited) as caught:
        _list(privacy)
    assert not caught.value.from_server
    assert caught.value.retry_after > 0
    assert counted(JOBS) == 1 + FAST_RETRY.max_retries


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_server_error_is_retried_and_recovers(simulator, privacy, expected, counted, status):
    simulator.add_fault("server_error", status=status, count=1, endpoint=JOBS)
    assert _list(privacy) == expected
    assert counted(JOBS) == 1 + 1 + len(expected) // SIZE + 1


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_persistent_server_error_is_unavailable(simulator, privacy, counted, status):
    simulator.add_fault("server_error", status=status, body_format="html", endpoint=JOBS)
    with pytest.raises(AdobeUnavailable) as caught:
        _list(privacy)
    assert caught.value.status == status
    assert counted(JOBS) == 1 + FAST_RETRY.max_retries


def test_a_slow_answer_past_the_timeout_is_retried(simulator, org, token_provider, counted):
    privacy = PrivacyClient(
        base_url=simulator.privacy_url,
        client_id=org.client_id,
        ims_org_id=org.ims_org_id,
        token_provider=token_provider,
        timeout=0.3,
        retry=FAST_RETRY,
    )
    simulator.add_fault("slow", seconds=0.8, count=1, endpoint=JOBS)
    page = privacy.list_jobs_page(regulation="gdpr", page=1)
    assert page.jobs
    assert counted(JOBS, expect=2) == 2


def test_a_persistently_slow_server_is_unavailable(simulator, org, token_provider, counted):
    privacy = PrivacyClient(
        base_url=simulator.privacy_url,
        client_id=org.client_id,
        ims_org_id=org.ims_org_id,
        token_provider=token_provider,
        timeout=0.2,
        retry=FAST_RETRY,
    )
    simulator.add_fault("slow", seconds=0.4, count=3, endpoint=JOBS)
    with pytest.raises(AdobeUnavailable, match="no response within"):
        privacy.list_jobs_page(regulation="gdpr", page=1)
    assert counted(JOBS, expect=3) == 3


def test_a_dropped_connection_is_retried(simulator, privacy, counted):
    simulator.add_fault("drop_connection", count=1, endpoint=JOBS)
    assert privacy.list_jobs_page(regulation="gdpr", page=1).jobs
    assert counted(JOBS) == 2


def test_a_revoked_token_is_refreshed_once_and_the_call_retried(
    simulator, org, privacy, token_provider, counted
):
    privacy.list_jobs_page(regulation="gdpr", page=1)
    simulator.revoke_tokens(org.ims_org_id)
    simulator.reset_requests()
    assert privacy.list_jobs_page(regulation="gdpr", page=1).jobs
    assert counted(JOBS) == 2
    assert simulator.token_issuances(org.ims_org_id) == 1
    assert token_provider.fetch_count == 2


def test_a_token_refused_twice_is_an_auth_error_not_a_loop(simulator, org, privacy, counted):
    simulator.add_fault("revoked_token", endpoint=JOBS)
    with pytest.raises(AdobeAuthError) as caught:
        privacy.list_jobs_page(regulation="gdpr", page=1)
    assert caught.value.status == 401
    assert counted(JOBS) == 2
    assert simulator.token_issuances(org.ims_org_id) == 2  # the first token and one refresh


def test_an_expired_token_after_a_day_is_refreshed(simulator, org, privacy, counted):
    privacy.list_jobs_page(regulation="gdpr", page=1)
    simulator.advance(hours=25)
    assert privacy.list_jobs_page(regulation="gdpr", page=1).jobs
    assert simulator.token_issuances(org.ims_org_id) == 2


def test_backfill_lists_45_days_in_windows_of_at_most_30(simulator, org, privacy, counted):
    today = datetime.fromtimestamp(simulator.now(), tz=UTC).date()
    jobs = list(privacy.iter_jobs_since(regulation="gdpr", since=today - timedelta(days=60)))
    ids = [job.job_id for job in jobs]
    assert len(ids) == len(set(ids))
    listed = simulator.jobs(org.ims_org_id, regulation="gdpr", limit=100_000)["jobs"]
    oldest = datetime.combine(today - timedelta(days=45), datetime.min.time(), tzinfo=UTC)
    expected = {
        job["job_id"]
        for job in listed
        if job["visible"]
        and datetime.fromisoformat(job["created_at"].replace("Z", "+00:00")) >= oldest
    }
    assert set(ids) == expected
    statuses = simulator.requests()["statuses"][JOBS]
    # Two windows (45 days = 30 + 15) of one page each; page 0 is refused only the first time.
    assert statuses == {"400": 1, "200": 2}


def test_a_backfill_just_before_our_midnight_lists_what_adobe_still_returns(
    simulator, org, token_provider
):
    """Adobe's day turned a moment before ours: it refuses our oldest day, so the backfill lists
    from the day after, the oldest Adobe still returns, instead of failing the regulation."""
    sim_today = datetime.fromtimestamp(simulator.now(), tz=UTC).date()
    our_clock = datetime.combine(sim_today, datetime.min.time(), tzinfo=UTC) - timedelta(seconds=2)
    late = privacy_client_for(simulator, org, token_provider, lambda: our_clock)
    ids = {job.job_id for job in late.iter_jobs_since(regulation="gdpr", since=date(2000, 1, 1))}
    on_time = privacy_client_for(
        simulator, org, token_provider, lambda: datetime.fromtimestamp(simulator.now(), tz=UTC)
    )
    expected = {
        job.job_id
        for job in on_time.iter_jobs_since(regulation="gdpr", since=sim_today - timedelta(days=45))
    }
    assert ids == expected and ids
    assert simulator.requests()["statuses"][JOBS]["400"] >= 1  # Adobe did refuse our first day


def test_a_legacy_regulation_code_is_sent_as_given_and_adobe_refuses_it(simulator, privacy):
    # Lookout maps legacy codes before calling the client; the client leaves judging to Adobe,
    # which stopped accepting the pre-2025 codes after 28 July 2025.
    with pytest.raises(AdobeInvalidRequest) as caught:
        privacy.list_jobs(regulation="ucpa_usa")
    assert caught.value.status == 400 and "ucpa_ut_usa" in caught.value.message


def test_a_503_with_retry_after_waits_as_told(simulator, waiting_privacy, waits, counted):
    simulator.add_fault(
        "error",
        status=503,
        headers={"Retry-After": "1"},
        body={"error_code": "503000", "message": "Service Unavailable"},
        count=1,
        endpoint=JOBS,
    )
    assert waiting_privacy.list_jobs_page(regulation="gdpr", page=1).jobs
    assert waits == [1.0]
    assert counted(JOBS) == 2

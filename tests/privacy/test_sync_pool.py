"""Job details read by a pool of threads: every job once, within Adobe's rate limit, through a
401, a 404 and a 429, and never a database connection outside the run's own thread."""

from __future__ import annotations

import threading
import time

import pytest
from django.db.backends.base.base import BaseDatabaseWrapper

from adobe.ratelimit import RateGate
from dashboard.models import AdobeRequestHour, Credential
from dashboard.services.tokens import token_get
from privacy.models import PrivacyJob, ProductResponse
from privacy.services import sync as sync_module
from privacy.services import sync_store
from privacy.services.sync import privacy_sync
from simulator.control import JOB, JOBS
from tests.conftest import onboard_oauth

CONCURRENCY = 8


@pytest.fixture
def synced_org(sim_org, adobe, settings):
    settings.LOOKOUT_PRIVACY_DETAIL_CONCURRENCY = CONCURRENCY
    onboard_oauth(sim_org, adobe.org(0))
    return sim_org


def simulator_total(adobe, organization) -> int:
    return adobe.counts()["orgs"][organization.ims_org_id]["total"]


def stored(organization) -> int:
    return PrivacyJob.objects.filter(organization=organization, gone_at__isnull=True).count()


def responses(adobe, route: str, status: str) -> int:
    return int(adobe.requests()["statuses"].get(route, {}).get(status, 0))


@pytest.fixture
def gates(monkeypatch) -> list:
    """Every rate gate a sync builds, each remembering when it was held and when a request was
    let through (every request of the run's clients waits at it first)."""
    made = []
    plain = sync_module.RateGate

    class WatchedGate(plain):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.held_at: list[tuple[float, float]] = []
            self.passed: list[tuple[float, float]] = []  # (began waiting, let through)
            made.append(self)

        def hold(self, seconds: float) -> None:
            super().hold(seconds)
            self.held_at.append((time.monotonic(), seconds))

        def wait(self) -> float:
            began = time.monotonic()
            waited = super().wait()
            self.passed.append((began, time.monotonic()))
            return waited

    monkeypatch.setattr(sync_module, "RateGate", WatchedGate)
    return made


def test_the_pool_reads_every_job_once_and_stores_them_all(adobe, synced_org, monkeypatch):
    threads: set[str] = set()
    read_one = sync_store.DetailBatch._read_one

    def read(self, job_id):
        threads.add(threading.current_thread().name)
        return read_one(self, job_id)

    monkeypatch.setattr(sync_store.DetailBatch, "_read_one", read)

    result = privacy_sync(organization_id=synced_org.pk)

    total = simulator_total(adobe, synced_org)
    assert result.error == "" and result.details == total
    assert stored(synced_org) == total
    assert adobe.request_count(JOB) == total  # each job's detail read once
    assert PrivacyJob.objects.filter(detail_fetched_at__isnull=True).count() == 0
    assert ProductResponse.objects.filter(job__organization=synced_org).exists()
    # Read by the pool, counted once each: in the run's summary and on the operations page.
    assert len(threads) > 1 and all(name.startswith("privacy-detail") for name in threads)
    sent = adobe.request_count(JOB) + adobe.request_count(JOBS)
    assert result.requests == sent
    assert AdobeRequestHour.objects.get(service="privacy").requests == sent


def test_the_pool_reads_the_same_rows_as_one_by_one(adobe, synced_org, settings):
    privacy_sync(organization_id=synced_org.pk)
    pooled = sorted(
        PrivacyJob.objects.values_list("job_id", "status", "raw_detail", "download_url")
    )
    PrivacyJob.objects.all().delete()
    settings.LOOKOUT_PRIVACY_DETAIL_CONCURRENCY = 1

    privacy_sync(organization_id=synced_org.pk, backfill=True)

    one_by_one = sorted(
        PrivacyJob.objects.values_list("job_id", "status", "raw_detail", "download_url")
    )
    assert pooled == one_by_one


def test_pool_threads_never_open_a_database_connection(adobe, synced_org, monkeypatch):
    """Django's connections are per thread: one opened in a pool thread would never be closed."""
    elsewhere: list[str] = []
    ensure = BaseDatabaseWrapper.ensure_connection
    main = threading.current_thread()

    def ensure_connection(self):
        if threading.current_thread() is not main:
            elsewhere.append(threading.current_thread().name)
        return ensure(self)

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", ensure_connection)

    result = privacy_sync(organization_id=synced_org.pk)

    assert result.error == "" and result.details > CONCURRENCY
    assert [name for name in elsewhere if name.startswith("privacy-detail")] == []


def test_a_429_seen_by_one_thread_pauses_every_thread(adobe, synced_org, gates):
    adobe.add_fault("rate_limit", endpoint=JOB, retry_after=1, count=1)

    started = time.monotonic()
    result = privacy_sync(organization_id=synced_org.pk)

    assert result.error == "" and stored(synced_org) == simulator_total(adobe, synced_org)
    assert time.monotonic() - started >= 1
    assert responses(adobe, JOB, "429") == 1
    (gate,) = gates  # one gate for the run's two clients
    ((held, seconds),) = gate.held_at
    assert seconds == 1
    # No request that came to the gate after the 429 was sent before the pause ended (only the
    # ones already in flight got their answers meanwhile), and the pool went on after it.
    slack = 0.05
    assert not [
        (began, out) for began, out in gate.passed if began > held and out < held + seconds - slack
    ]
    assert len([out for _began, out in gate.passed if out > held + seconds - slack]) > CONCURRENCY


def test_under_adobes_rate_limit_the_pool_slows_down_and_stores_every_job(adobe, synced_org, gates):
    """The simulator allows 50 requests a second: the pool pauses once per refusal burst,
    instead of every thread retrying into the limit on its own."""
    adobe.set_switch("rate_limit_per_second", 50)

    started = time.monotonic()
    result = privacy_sync(organization_id=synced_org.pk)
    elapsed = time.monotonic() - started

    total = simulator_total(adobe, synced_org)
    assert result.error == "" and stored(synced_org) == total
    assert adobe.request_count(JOB) - responses(adobe, JOB, "429") == total
    refused = responses(adobe, JOB, "429") + responses(adobe, JOBS, "429")
    sent = adobe.request_count(JOB) + adobe.request_count(JOBS)
    assert refused >= 1
    (gate,) = gates
    assert gate.holds == refused  # every 429 paused the whole run, none was slept alone
    # A pause (at least a second: Retry-After is whole seconds) costs at most the requests in
    # flight when it began: the run's thread's and the pool's.
    assert refused <= (elapsed + 1) * (CONCURRENCY + 1)
    assert sent - refused <= 50 + 50 * elapsed + 5  # a full bucket, then the rate


def test_a_401_in_the_pool_ends_with_every_job_stored_after_one_token_refresh(
    adobe, synced_org, monkeypatch, caplog
):
    """Tokens are revoked just before the first big page is stored: its details are refused
    in the pool's threads, read again in the run's thread with one new token, and the pool
    carries on with that token for the pages after it."""
    store = sync_store.store_listed_page
    pages = {"before": 0, "after": 0}

    def revoke_then_store(**kwargs):
        if pages["after"] == 0 and len(kwargs["jobs"]) > CONCURRENCY:
            adobe.revoke_tokens(org=synced_org.ims_org_id)
            pages["after"] = 1
        elif pages["after"]:
            pages["after"] += 1
        else:
            pages["before"] += 1
        return store(**kwargs)

    monkeypatch.setattr(sync_store, "store_listed_page", revoke_then_store)
    token_get(credential_id=Credential.objects.get(organization=synced_org).pk)
    issued = adobe.token_issuances(synced_org.ims_org_id)

    with caplog.at_level("INFO", logger="privacy.services.sync_store"):
        result = privacy_sync(organization_id=synced_org.pk)

    total = simulator_total(adobe, synced_org)
    assert pages["after"] > 1  # the pool read pages after the refresh
    assert result.error == "" and result.details == total
    assert stored(synced_org) == total
    assert PrivacyJob.objects.filter(detail_fetched_at__isnull=True).count() == 0
    assert "A job detail got 401: reading" in caplog.text
    assert responses(adobe, JOB, "401") >= 1
    assert adobe.token_issuances(synced_org.ims_org_id) == issued + 1


def test_a_404_on_a_detail_read_by_the_pool_keeps_the_job_for_another_look(adobe, synced_org):
    adobe.add_fault("error", status=404, endpoint=JOB, count=2)

    result = privacy_sync(organization_id=synced_org.pk)

    assert result.error == "" and result.unread == 2
    assert stored(synced_org) == simulator_total(adobe, synced_org)
    unread = PrivacyJob.objects.filter(detail_fetched_at__isnull=True)
    assert unread.count() == 2
    assert all(job.next_detail_at is not None and job.gone_at is None for job in unread)


def test_a_failing_detail_fails_the_run_in_its_words_and_stops_the_pool(adobe, synced_org):
    adobe.add_fault("server_error", status=503, endpoint=JOB)

    result = privacy_sync(organization_id=synced_org.pk)

    assert result.error  # Adobe's failure, in words, recorded on the sync state
    # Each detail is tried 4 times (READ_RETRY); the pool gave up on the first page.
    assert adobe.request_count(JOB) <= 4 * (CONCURRENCY + 1) * 2
    assert stored(synced_org) == 0


def test_a_rate_gate_holds_every_caller_until_the_longest_hold_ends():
    now = [10.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    gate = RateGate(clock=lambda: now[0], sleep=sleep)
    assert gate.wait() == 0 and slept == []

    gate.hold(2)
    gate.hold(1)  # a shorter hold does not shorten the pause
    assert gate.remaining() == 2
    assert gate.wait() == 2 and slept == [2]
    assert gate.wait() == 0  # open again, for every caller
    assert (gate.holds, gate.waited) == (2, 2)

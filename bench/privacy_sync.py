"""Privacy job sync at scale: about 100,000 jobs over 10 organizations, on PostgreSQL.

    createdb -h 127.0.0.1 -U postgres bench_privacy
    LOOKOUT_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_privacy \\
        .venv/bin/python bench/privacy_sync.py [--orgs 10] [--jobs-per-org 14750] \\
            [--rate-limit 200] [--rate-limited-orgs 1] [--latency-ms 10] [--latency-orgs 1]

Starts its own simulator (frozen clock), empties the bench database's Lookout tables (never point
it at real data), onboards one OAuth credential per organization, then, in this one process (as
one worker process would):

1. backfills every organization with ``privacy_sync`` (every regulation, 45 days, every job's
   detail, ``LOOKOUT_PRIVACY_DETAIL_CONCURRENCY`` details at a time), recording each request it
   makes;
2. replays exactly those requests with a sequential bare ``requests`` loop (one session,
   ``.json()``, no parsing, no database), right after each organization's backfill so that both
   see the same load on a shared machine. Prints both times and their ratio (the target: 0.6 at
   most);
3. runs an unchanged incremental poll of every organization: time and requests (and detail calls,
   which must be 0);
4. prints the peak RSS of this process after the first organization and after all of them;
5. backfills the first ``--rate-limited-orgs`` organizations again (their jobs deleted first) with
   the simulator's rate limit on (``--rate-limit`` requests a second per integration; 0 skips
   it): time, requests, the 429s Adobe answered, how often the pool paused, and the jobs stored
   against the simulator's own count;
6. backfills the first ``--latency-orgs`` organizations again (jobs deleted first), and replays
   those requests bare, with every Privacy Service answer ``--latency-ms`` late (the simulator's
   ``slow`` fault; 0 skips it), as a remote Adobe answers: the same ratio where the network, not
   this machine's two cores, sets the pace;
7. times the job list page (``privacy:job_list``) of one organization at that size through
   ``django.test.Client``: median and 95th percentile latency and SQL queries per page, for the
   first page, a later page, a status filter, a search and "late only".
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import signal
import statistics
import sys
import threading
import time
from dataclasses import dataclass

import requests
from harness import (  # bench/ is on sys.path when a bench runs as a script
    ROOT,
    configure_django,
    onboard_simulated_orgs,
    start_simulator,
)

BENCH_DIR = ROOT / "var" / "bench-privacy"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=10)
    # Adobe forgets jobs 30 days after they finish: about 68 % of the generated jobs are still
    # returned, so 14,750 per organization is about 100,000 jobs to sync.
    parser.add_argument("--jobs-per-org", type=int, default=14_750)
    parser.add_argument("--page-samples", type=int, default=40)
    parser.add_argument("--rate-limit", type=float, default=200, help="requests/s; 0: skip")
    parser.add_argument("--rate-limited-orgs", type=int, default=1)
    parser.add_argument(
        "--latency-ms", type=float, default=10, help="per Privacy Service answer; 0: skip"
    )
    parser.add_argument("--latency-orgs", type=int, default=1)
    args = parser.parse_args()

    # A terminated bench still stops its simulator (finally blocks run on SystemExit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    started = time.perf_counter()
    simulator, url = start_simulator(
        "--orgs", str(args.orgs), "--jobs-per-org", str(args.jobs_per_org)
    )
    print(f"simulator with {args.orgs} x {args.jobs_per_org:,} jobs up in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    try:
        if not os.environ.get("LOOKOUT_BENCH_DATABASE_URL"):
            print("LOOKOUT_BENCH_DATABASE_URL is not set: SQLite (the figures asked for are "
                  "PostgreSQL's)")  # fmt: skip
        # Onboarding queues token refreshes nobody runs here: keep them off the real broker.
        vendor = configure_django(
            url, name="bench-privacy", CELERY_BROKER_URL="filesystem://", ADOBE_HTTP_TIMEOUT="30"
        )
        run(url, args, vendor)
    finally:
        simulator.terminate()
        simulator.wait(timeout=10)


def run(url: str, args: argparse.Namespace, vendor: str) -> None:
    from django.core.management import call_command
    from django.db import connection

    from dashboard.models import Credential
    from dashboard.services.tokens import token_get
    from privacy.models import PrivacyJob, ProductResponse
    from privacy.services import sync as sync_module
    from simulator.control import JOB, JOBS, SimulatorControl

    control = SimulatorControl(url)
    call_command("migrate", verbosity=0)
    # Jobs first, in SQL: Django's cascading delete would load every row and raise this
    # process's peak RSS above anything the sync does.
    with connection.cursor() as cursor:
        for model in (ProductResponse, PrivacyJob):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608 - table names
    # Replaces the organizations (cascading to sync states and credentials).
    organizations = []
    for credential in onboard_simulated_orgs(control):
        organization = credential.organization
        token_get(credential_id=credential.pk)  # tokens are not what is measured
        organizations.append(organization)
    expected = sum(org["total"] for org in control.counts()["orgs"].values())
    print(f"database {vendor}; {expected:,} jobs visible in the simulator; "
          f"RSS before syncing {rss_mb():.0f} MB")  # fmt: skip

    # 1 and 2. Each organization's backfill, then the same requests bare (backfill_and_replay).
    sessions = []
    for organization, generated in zip(organizations, control.orgs(), strict=True):
        credential = Credential.objects.get(organization=organization)
        session = requests.Session()
        session.headers.update(
            {
                "Authorization": f"Bearer {token_get(credential_id=credential.pk)}",
                "x-api-key": generated.client_id,
                "x-gw-ims-org-id": generated.ims_org_id,
                "Accept": "application/json",
            }
        )
        sessions.append(session)
    timed = backfill_and_replay(control, organizations, sessions, sync_module)
    rss_after_all = rss_mb()
    stored = PrivacyJob.objects.count()
    print(f"backfill: {stored:,} jobs ({ProductResponse.objects.count():,} product responses) "
          f"in {timed.backfill_time:.1f} s = {stored / timed.backfill_time:,.0f} jobs/s; "
          f"{timed.listed:,} list + {timed.detailed:,} detail requests")  # fmt: skip
    assert stored == expected, (stored, expected)
    print(f"bare fetch of the same {timed.replayed:,} requests: {timed.bare_time:.1f} s; "
          f"backfill / bare = {timed.ratio:.2f}")  # fmt: skip
    print(f"  side by side: {timed.side_by_side()}")

    # 3. An incremental poll with nothing changed.
    control.reset_requests()
    t0 = time.perf_counter()
    for organization in organizations:
        result = sync_module.privacy_sync(organization_id=organization.pk)
        assert not result.full_listing and not result.error, result
    poll_time = time.perf_counter() - t0
    polled = control.requests()["endpoints"]
    print(f"unchanged poll of {len(organizations)} organizations: {poll_time:.2f} s, "
          f"{polled.get(JOBS, 0)} list requests, {polled.get(JOB, 0)} detail requests")  # fmt: skip

    # 4. Memory.
    print(f"peak RSS of the syncing process: {timed.rss_after_first:.0f} MB after the first "
          f"organization's backfill, {rss_after_all:.0f} MB after all "
          f"{len(organizations)}")  # fmt: skip

    # 5. A backfill under the simulator's rate limit.
    if args.rate_limit > 0:
        rate_limited_backfill(
            control, organizations[: args.rate_limited_orgs], args.rate_limit, sync_module
        )

    # 6. The backfill and the bare loop again, with Adobe a network away.
    if args.latency_ms > 0:
        latency_backfill(
            control,
            organizations[: args.latency_orgs],
            sessions[: args.latency_orgs],
            args.latency_ms,
            sync_module,
        )

    # 7. The job list page.
    job_list_latency(organizations[0], args.page_samples)


@dataclass
class Timed:
    backfill_time: float = 0.0
    bare_time: float = 0.0
    replayed: int = 0
    listed: int = 0
    detailed: int = 0
    rss_after_first: float = 0.0

    @property
    def ratio(self) -> float:
        return self.backfill_time / self.bare_time

    def side_by_side(self) -> str:
        from django.conf import settings

        verdict = "met" if self.ratio <= 0.6 else "NOT met"
        return (
            f"Lookout backfill ({settings.LOOKOUT_PRIVACY_DETAIL_CONCURRENCY} detail threads) "
            f"{self.backfill_time:.1f} s | sequential bare loop {self.bare_time:.1f} s | ratio "
            f"{self.ratio:.2f} (target <= 0.60: {verdict})"
        )


def backfill_and_replay(control, organizations, sessions, sync_module) -> Timed:
    """Each organization's backfill, recording every request the sync's sessions answer (to a
    file: a list in memory would be counted in the syncing process's RSS), then at once the same
    requests, bare: both see the same load on a shared machine, and the same Adobe."""
    from simulator.control import JOB, JOBS

    timed = Timed()
    recording = threading.Lock()  # the detail pool's threads record too: one line at a time
    recorded = None
    make_client = sync_module.privacy_client

    def recording_client(**kwargs):
        counted = kwargs.pop("on_response", None)

        def on_response(response):
            with recording:
                recorded.write(f"{response.url}\n")
            if counted is not None:
                counted(response)

        return make_client(**kwargs, on_response=on_response)

    sync_module.privacy_client = recording_client
    try:
        for organization, session in zip(organizations, sessions, strict=False):
            recorded = (BENCH_DIR / "requests.txt").open("w")
            control.reset_requests()  # the simulator counts the sync's requests, not the replay's
            t0 = time.perf_counter()
            result = sync_module.privacy_sync(organization_id=organization.pk, backfill=True)
            timed.backfill_time += time.perf_counter() - t0
            recorded.close()
            endpoints = control.requests()["endpoints"]
            timed.listed += endpoints.get(JOBS, 0)
            timed.detailed += endpoints.get(JOB, 0)
            if result.error:
                sys.exit(f"backfill of {organization} failed: {result.error}")
            timed.rss_after_first = timed.rss_after_first or rss_mb()
            with (BENCH_DIR / "requests.txt").open() as lines:
                for line in lines:
                    t0 = time.perf_counter()
                    response = session.get(line.strip(), timeout=30)
                    if response.status_code == 200:
                        response.json()
                    timed.bare_time += time.perf_counter() - t0
                    timed.replayed += 1
    finally:
        sync_module.privacy_client = make_client
    return timed


def jobs_delete(organizations) -> None:
    """Delete the organizations' jobs, in SQL (as at the start: RSS)."""
    from django.db import connection

    from privacy.models import PrivacyJob, ProductResponse

    ids = [organization.pk for organization in organizations]
    jobs, products = PrivacyJob._meta.db_table, ProductResponse._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {products} WHERE job_id IN "  # noqa: S608 - table names
            f"(SELECT id FROM {jobs} WHERE organization_id = ANY(%s))",
            [ids],
        )
        cursor.execute(f"DELETE FROM {jobs} WHERE organization_id = ANY(%s)", [ids])  # noqa: S608


def latency_backfill(control, organizations, sessions, latency_ms: float, sync_module) -> None:
    """The organizations' backfill again, and its bare replay, with every Privacy Service answer
    ``latency_ms`` late (the simulator's ``slow`` fault), as a remote Adobe answers: what a pool
    of detail threads is for. Without it the simulator answers in about a millisecond and both
    loops are bound by this machine's cores."""

    jobs_delete(organizations)
    control.add_fault("slow", seconds=latency_ms / 1000, surface="privacy")
    try:
        timed = backfill_and_replay(control, organizations, sessions, sync_module)
    finally:
        control.clear_faults()
    print(f"with {latency_ms:g} ms of network latency per request ({len(organizations)} "
          f"organization{'s' if len(organizations) != 1 else ''}, {timed.replayed:,} requests): "
          f"{timed.side_by_side()}")  # fmt: skip


def rate_limited_backfill(control, organizations, rate: float, sync_module) -> None:
    """Delete the organizations' jobs and backfill them again while the simulator refuses more
    than ``rate`` requests a second per integration (429 with Retry-After)."""

    from privacy.models import PrivacyJob
    from simulator.control import JOB, JOBS

    ids = [organization.pk for organization in organizations]
    jobs_delete(organizations)
    gates = []
    plain_gate = sync_module.RateGate

    class SeenGate(plain_gate):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            gates.append(self)

    control.set_switch("rate_limit_per_second", rate)
    control.reset_requests()
    sync_module.RateGate = SeenGate
    # Each 429 logs a warning with its retry: counted below instead.
    logging.getLogger("adobe.http").setLevel(logging.ERROR)
    try:
        t0 = time.perf_counter()
        for organization in organizations:
            result = sync_module.privacy_sync(organization_id=organization.pk, backfill=True)
            if result.error:
                sys.exit(f"rate-limited backfill of {organization} failed: {result.error}")
        elapsed = time.perf_counter() - t0
    finally:
        sync_module.RateGate = plain_gate
        logging.getLogger("adobe.http").setLevel(logging.NOTSET)
        control.clear_faults()
    made = control.requests()
    sent = made["endpoints"].get(JOB, 0) + made["endpoints"].get(JOBS, 0)
    refused = sum(int(by_status.get("429", 0)) for by_status in made["statuses"].values())
    stored = PrivacyJob.objects.filter(organization_id__in=ids).count()
    counts = control.counts()["orgs"]
    expected = sum(counts[organization.ims_org_id]["total"] for organization in organizations)
    print(f"rate-limited backfill ({rate:g} requests/s per integration, {len(organizations)} "
          f"organization{'s' if len(organizations) != 1 else ''}): {stored:,} jobs stored, "
          f"simulator counts {expected:,}; {elapsed:.1f} s; {sent:,} requests "
          f"= {sent / elapsed:,.0f}/s, {refused:,} answered 429 ({refused / sent:.1%}); the pool "
          f"paused {sum(g.holds for g in gates)} times, its threads waited "
          f"{sum(g.waited for g in gates):.1f} s in all")  # fmt: skip
    assert stored == expected, (stored, expected)


def job_list_latency(organization, samples: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    from dashboard.models import Membership
    from dashboard.services.organizations import membership_add
    from privacy.models import PrivacyJob

    try:
        url = reverse("privacy:job_list", kwargs={"org_code": organization.code})
    except NoReverseMatch:
        print("job list page: privacy:job_list does not exist yet; not measured")
        return
    user, _ = get_user_model().objects.get_or_create(username="bench-viewer")
    if not Membership.objects.filter(organization=organization, user=user).exists():
        membership_add(organization=organization, user=user, role=Membership.Role.VIEWER)
    client = Client()
    client.force_login(user)
    jobs = PrivacyJob.objects.filter(organization=organization)
    some = jobs.order_by("job_id")[len(jobs) // 2]
    variants = {
        "first page": {},
        "page 20": {"page": 20},
        "status=error": {"status": "error"},
        "search by request id": {"q": some.request_id},
        "late only": {"late": "on"},
    }
    print(f"job list page ({jobs.count():,} jobs in the organization, {samples} requests each):")
    for name, query in variants.items():
        client.get(url, query)  # warm-up
        timings, queries = [], 0
        for _ in range(samples):
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                response = client.get(url, query)
                timings.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.status_code
            queries = len(captured.captured_queries)
        print(f"  {name:<22} median {statistics.median(timings):6.1f} ms, "
              f"p95 {percentile(timings, 0.95):6.1f} ms, {queries} SQL queries")  # fmt: skip


if __name__ == "__main__":
    main()

"""Privacy job sync at scale: about 100,000 jobs over 10 organizations, on PostgreSQL.

    createdb -h 127.0.0.1 -U postgres bench_privacy
    LOOKOUT_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_privacy \\
        .venv/bin/python bench/privacy_sync.py [--orgs 10] [--jobs-per-org 14750]

Starts its own simulator (frozen clock), empties the bench database's Lookout tables (never point
it at real data), onboards one OAuth credential per organization, then, in this one process (as
one worker process would):

1. backfills every organization with ``privacy_sync`` (every regulation, 45 days, every job's
   detail), recording each request it makes;
2. replays exactly those requests with a bare ``requests`` loop (one session, ``.json()``, no
   parsing, no database): the floor the sync cannot beat. Prints both times and their ratio;
3. runs an unchanged incremental poll of every organization: time and requests (and detail calls,
   which must be 0);
4. prints the peak RSS of this process after the first organization and after all of them;
5. times the job list page (``privacy:job_list``) of one organization at that size through
   ``django.test.Client``: median and 95th percentile latency and SQL queries per page, for the
   first page, a later page, a status filter, a search and "late only".
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import statistics
import sys
import time

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

    # 1. Backfill, recording every request the sync's sessions answer (to a file: a list in
    # memory would be counted in the syncing process's RSS).
    recorded = (BENCH_DIR / "requests.txt").open("w")
    make_client = sync_module.privacy_client

    def recording_client(**kwargs):
        counted = kwargs.pop("on_response", None)
        org_index = len(recorded_orgs) - 1

        def on_response(response):
            recorded.write(f"{org_index} {response.url}\n")
            if counted is not None:
                counted(response)

        return make_client(**kwargs, on_response=on_response)

    recorded_orgs: list[int] = []
    sync_module.privacy_client = recording_client
    control.reset_requests()
    backfill_time = 0.0
    rss_after_first = 0.0
    for organization in organizations:
        recorded_orgs.append(organization.pk)
        t0 = time.perf_counter()
        result = sync_module.privacy_sync(organization_id=organization.pk, backfill=True)
        backfill_time += time.perf_counter() - t0
        if result.error:
            sys.exit(f"backfill of {organization} failed: {result.error}")
        rss_after_first = rss_after_first or rss_mb()
    sync_module.privacy_client = make_client
    recorded.close()
    rss_after_all = rss_mb()
    stored = PrivacyJob.objects.count()
    requests_made = control.requests()
    print(f"backfill: {stored:,} jobs ({ProductResponse.objects.count():,} product responses) "
          f"in {backfill_time:.1f} s = {stored / backfill_time:,.0f} jobs/s; "
          f"{requests_made['endpoints'].get(JOBS, 0):,} list + "
          f"{requests_made['endpoints'].get(JOB, 0):,} detail requests")  # fmt: skip
    assert stored == expected, (stored, expected)

    # 2. The same requests, bare.
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
    bare_time, replayed = 0.0, 0
    with (BENCH_DIR / "requests.txt").open() as lines:
        for line in lines:
            org_index, request_url = line.split(" ", 1)
            t0 = time.perf_counter()
            response = sessions[int(org_index)].get(request_url.strip(), timeout=30)
            if response.status_code == 200:
                response.json()
            bare_time += time.perf_counter() - t0
            replayed += 1
    print(f"bare fetch of the same {replayed:,} requests: {bare_time:.1f} s; "
          f"backfill / bare = {backfill_time / bare_time:.2f}")  # fmt: skip

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
    print(f"peak RSS of the syncing process: {rss_after_first:.0f} MB after the first "
          f"organization's backfill, {rss_after_all:.0f} MB after all "
          f"{len(organizations)}")  # fmt: skip

    # 5. The job list page.
    job_list_latency(organizations[0], args.page_samples)


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

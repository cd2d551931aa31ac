"""How fast does PrivacyClient list jobs, next to aepp and a bare `requests` loop on the same pages?

    python bench/fetch_privacy.py                      # starts a simulator (10 orgs x 10,000 jobs)
    python bench/fetch_privacy.py --url http://127.0.0.1:8765   # reuse a running simulator

The client lists 100,000 jobs (every organization x regulation x <= 30-day window of the last
45 days, repeated if the data holds fewer): typed parsing, page-base discovery, date windows,
retries on standby. The bare loop then fetches exactly the pages the client fetched successfully,
with one session and `response.json()`, and no parsing: the limit the client cannot beat. aepp
(Adobe's own wrapper, `pip install --no-deps -r requirements-compat.txt`) fetches the same pages
with `Privacy.getJobs`, configured as its docs say with only the base URLs pointed at the
simulator; it returns raw dictionaries and parses nothing. All three use tokens fetched
beforehand. After an untimed warm-up pass, the loops alternate for a few rounds and each keeps its
best. Prints the rates (jobs/s), the ratios of time to the bare loop's, the requests each made,
and each loop's CPU time in this process (the simulator's excluded), which a busy machine
disturbs less than wall time.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adobe import CachedTokenProvider, IMSClient, PrivacyClient  # noqa: E402
from adobe.privacy import BACKFILL_WINDOW, MAX_LOOKBACK  # noqa: E402
from simulator.control import JOBS, SimulatorControl  # noqa: E402

logger = logging.getLogger(__name__)

READY = "Simulator listening on "


@dataclass(frozen=True)
class Listing:
    """One `GET /jobs` listing: an organization, a regulation and a date window."""

    org_index: int
    regulation: str
    from_date: date
    to_date: date


def start_simulator(orgs: int, jobs_per_org: int) -> tuple[subprocess.Popen[str], str, float]:
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--port", "0", "--orgs", str(orgs),
         "--jobs-per-org", str(jobs_per_org), "--frozen-clock"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith(READY):
            return process, line[len(READY) :].strip(), time.monotonic() - started
    process.kill()
    raise SystemExit("the simulator did not start")


def plan(control: SimulatorControl, today: date) -> list[Listing]:
    """Every (organization, regulation, window) that holds jobs."""
    counts = control.counts()["orgs"]
    windows = []
    start = today - MAX_LOOKBACK
    while True:
        end = min(start + BACKFILL_WINDOW, today)
        windows.append((start, end))
        if end >= today:
            break
        start = end + timedelta(days=1)  # no shared boundary day: each job is listed once
    listings = []
    for org in control.orgs():
        for regulation in sorted(counts[org.ims_org_id]["by_regulation"]):
            listings += [Listing(org.index, regulation, a, b) for a, b in windows]
    return listings


def cycle(listings: list[Listing]) -> Iterator[Listing]:
    while True:
        yield from listings


def run_client(
    clients: dict[int, PrivacyClient], listings: list[Listing], target: int, size: int
) -> tuple[int, float, list[tuple[Listing, int]]]:
    """List with PrivacyClient until `target` jobs; returns jobs, seconds and pages per listing."""
    jobs = 0
    done: list[tuple[Listing, int]] = []
    started = time.perf_counter()
    for listing in cycle(listings):
        listed = sum(
            1
            for _ in clients[listing.org_index].iter_jobs(
                regulation=listing.regulation,
                size=size,
                from_date=listing.from_date,
                to_date=listing.to_date,
            )
        )
        jobs += listed
        done.append((listing, listed // size + 1))  # pages with a 200, the last one short
        if jobs >= target:
            break
    return jobs, time.perf_counter() - started, done


def run_bare(
    control: SimulatorControl, tokens: dict[int, str], done: list[tuple[Listing, int]], size: int
) -> tuple[int, float]:
    """The same pages with a bare session: no validation, no typed objects, no tolerance."""
    orgs = {org.index: org for org in control.orgs()}
    session = requests.Session()
    url = f"{control.privacy_url}/jobs"
    jobs = 0
    started = time.perf_counter()
    for listing, pages in done:
        org = orgs[listing.org_index]
        headers = {
            "Authorization": f"Bearer {tokens[listing.org_index]}",
            "x-api-key": org.client_id,
            "x-gw-ims-org-id": org.ims_org_id,
        }
        for page in range(1, pages + 1):
            params = {
                "regulation": listing.regulation,
                "size": size,
                "page": page,
                "fromDate": listing.from_date.isoformat(),
                "toDate": listing.to_date.isoformat(),
            }
            body = session.get(url, params=params, headers=headers, timeout=30).json()
            jobs += len(body.get("jobDetails") or body.get("jobs") or [])
    return jobs, time.perf_counter() - started


def aepp_clients(control: SimulatorControl) -> tuple[dict[int, Any], str] | None:
    """One ``aepp.privacyservice.Privacy`` per organization and aepp's version, or None when aepp
    is not installed.

    aepp keeps its configuration in module-level dicts that each ``Privacy()`` copies when it is
    built (and fetches its token then), so configuring one organization after another is enough.
    """
    try:
        from aepp import config as aepp_config
        from aepp import configs, privacyservice
    except ImportError:
        return None
    clients = {}
    for org in control.orgs():
        configs.configure(
            org_id=org.ims_org_id,
            client_id=org.client_id,
            secret=org.client_secret,
            scopes=",".join(org.scopes),
            environment="prod",
        )
        # The base URLs, and nothing else (as tests/simulator/test_aepp_compat.py does).
        aepp_config.endpoints["global"] = control.url
        aepp_config.config_object["imsEndpoint"] = control.ims_url
        aepp_config.config_object["oauthTokenEndpointV2"] = f"{control.ims_url}/ims/token/v3"
        clients[org.index] = privacyservice.Privacy()
    return clients, importlib.metadata.version("aepp")


def run_aepp(
    clients: dict[int, Any], done: list[tuple[Listing, int]], size: int
) -> tuple[int, float]:
    """The same pages through aepp's ``getJobs``: raw dictionaries, as aepp returns them."""
    jobs = 0
    started = time.perf_counter()
    for listing, pages in done:
        client = clients[listing.org_index]
        for page in range(1, pages + 1):
            body = client.getJobs(
                regulation=listing.regulation,
                limit=size,
                page=page,
                fromDate=listing.from_date.isoformat(),
                toDate=listing.to_date.isoformat(),
            )
            jobs += len(body.get("jobDetails") or body.get("jobs") or [])
    return jobs, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running simulator; default: start one")
    parser.add_argument("--orgs", type=int, default=10)
    parser.add_argument("--jobs-per-org", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=100_000, help="how many jobs to list")
    parser.add_argument("--size", type=int, default=1000, help="page size (max 1000)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds of each loop")
    args = parser.parse_args()

    process = None
    url = args.url
    if not url:
        process, url, startup = start_simulator(args.orgs, args.jobs_per_org)
        print(f"simulator: {args.orgs} orgs x {args.jobs_per_org} jobs, up in {startup:.2f} s")
    control = SimulatorControl(url)
    try:
        now = datetime.fromtimestamp(control.now(), tz=UTC)
        ims = IMSClient(base_url=control.ims_url)
        clients: dict[int, PrivacyClient] = {}
        tokens: dict[int, str] = {}
        for org in control.orgs():
            provider = CachedTokenProvider(
                lambda org=org: ims.exchange_oauth(
                    client_id=org.client_id, client_secret=org.client_secret, scopes=org.scopes
                )
            )
            tokens[org.index] = provider()  # fetched before timing, for both loops
            clients[org.index] = PrivacyClient(
                base_url=control.privacy_url,
                client_id=org.client_id,
                ims_org_id=org.ims_org_id,
                token_provider=provider,
                clock=lambda: now,
            )
        listings = plan(control, now.date())
        aepp, aepp_version = aepp_clients(control) or (None, "")
        if aepp is None:
            print("aepp is not installed (pip install --no-deps -r requirements-compat.txt)")

        # A first, untimed pass lets the simulator build what it caches, so no loop pays for
        # that; then the loops alternate and each keeps its best round.
        _client_jobs, _s, done = run_client(clients, listings, args.jobs, args.size)
        if aepp is not None:
            run_aepp(aepp, done, args.size)  # untimed too: its sessions open their connections
        client_runs, bare_runs, aepp_runs = [], [], []
        # CPU time of this process (the simulator's work excluded): steadier than wall time on a
        # busy machine, and what the client itself adds.
        cpu: dict[str, list[float]] = {"client": [], "bare": [], "aepp": []}
        aepp_jobs, aepp_requests = 0, {}
        for _round in range(args.rounds):
            control.reset_requests()
            cpu_started = time.process_time()
            client_jobs, client_s, done = run_client(clients, listings, args.jobs, args.size)
            cpu["client"].append(time.process_time() - cpu_started)
            client_runs.append(client_s)
            client_requests = control.requests()["statuses"].get(JOBS, {})
            control.reset_requests()
            cpu_started = time.process_time()
            bare_jobs, bare_s = run_bare(control, tokens, done, args.size)
            cpu["bare"].append(time.process_time() - cpu_started)
            bare_runs.append(bare_s)
            bare_requests = control.requests()["statuses"].get(JOBS, {})
            if aepp is not None:
                control.reset_requests()
                cpu_started = time.process_time()
                aepp_jobs, aepp_s = run_aepp(aepp, done, args.size)
                cpu["aepp"].append(time.process_time() - cpu_started)
                aepp_runs.append(aepp_s)
                aepp_requests = control.requests()["statuses"].get(JOBS, {})
        if bare_jobs != client_jobs:
            print(f"warning: the bare loop saw {bare_jobs} jobs, the client {client_jobs}")
        if aepp is not None and aepp_jobs != client_jobs:
            print(f"warning: aepp saw {aepp_jobs} jobs, the client {client_jobs}")

        client_rate, bare_rate = client_jobs / min(client_runs), bare_jobs / min(bare_runs)
        print(f"listings: {len(done)} (org x regulation x window), page size {args.size}")
        print(
            f"PrivacyClient: {client_jobs} jobs, best of {args.rounds} in {min(client_runs):.2f} s"
            f" = {client_rate:,.0f} jobs/s (requests per round: {client_requests})"
        )
        print(
            f"bare requests: {bare_jobs} jobs, best of {args.rounds} in {min(bare_runs):.2f} s"
            f" = {bare_rate:,.0f} jobs/s (requests per round: {bare_requests})"
        )
        if aepp_runs:
            aepp_rate, aepp_best = aepp_jobs / min(aepp_runs), min(aepp_runs)
            print(
                f"{'aepp ' + aepp_version + ':':<14} {aepp_jobs} jobs, best of {args.rounds}"
                f" in {aepp_best:.2f} s"
                f" = {aepp_rate:,.0f} jobs/s (requests per round: {aepp_requests})"
            )
        # Time per job relative to the bare loop's: 1.10 means 10% slower than the wire allows.
        print(f"ratio client/bare (time): {bare_rate / client_rate:.2f}")
        if aepp_runs:
            print(f"ratio aepp/bare (time):   {bare_rate / aepp_rate:.2f}")
        best_cpu = {name: min(runs) for name, runs in cpu.items() if runs}
        print(
            "CPU in this process, best round: "
            + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in best_cpu.items())
            + f"; client/bare {best_cpu['client'] / best_cpu['bare']:.2f}"
            + (
                f", aepp/bare {best_cpu['aepp'] / best_cpu['bare']:.2f}"
                if "aepp" in best_cpu
                else ""
            )
        )
    finally:
        control.close()
        if process is not None:
            process.terminate()
            process.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

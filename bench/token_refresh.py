"""Token refresh at scale: 200 credentials, 4 worker processes, overlapping refresh requests.

    .venv/bin/python bench/token_refresh.py [--credentials 200] [--workers 4] [--rounds 2]

Starts its own simulator and Celery worker (4 prefork processes), onboards one OAuth credential
per simulated organization, then runs refresh rounds the way production does (two overlapping
beat ticks plus one more refresh request per credential) and prints, per round, the wall time until
every credential holds a fresh token and the IMS calls made per credential (from the simulator's
counters). The database is LOOKOUT_BENCH_DATABASE_URL (its Lookout tables are emptied: never
point it at real data), else SQLite under var/bench/; the broker is REDIS_URL when set, else the
filesystem broker under var/bench/.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from datetime import timedelta

from harness import (  # bench/ is on sys.path when a bench runs as a script
    ROOT,
    configure_django,
    onboard_simulated_orgs,
    start_simulator,
)

BENCH_DIR = ROOT / "var" / "bench-tokens"


def start_worker(workers: int) -> subprocess.Popen:
    log = (BENCH_DIR / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "dashboard",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            str(workers),
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=os.environ,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while " ready." not in (BENCH_DIR / "worker.log").read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            sys.exit("the Celery worker did not start; see var/bench/worker.log")
        time.sleep(0.2)
    return process


def main() -> None:
    # A `timeout` or Ctrl-C must still stop the worker and the simulator (the finally below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--credentials", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    simulator, url = start_simulator("--orgs", str(args.credentials), "--jobs-per-org", "10")
    worker = None
    try:
        configure_django(url, name="bench-tokens")
        from django.core.management import call_command
        from django.db import connection
        from django.utils import timezone

        from dashboard.celery import app
        from dashboard.models import Credential
        from dashboard.tasks import token_refresh_task, tokens_refresh_due_task
        from simulator.control import SimulatorControl

        control = SimulatorControl(url)
        call_command("migrate", verbosity=0)
        onboard_simulated_orgs(control)
        app.control.purge()  # onboarding queued first refreshes: the rounds below are measured
        worker = start_worker(args.workers)
        print(
            f"{args.credentials} credentials, {args.workers} worker processes, "
            f"database {connection.vendor}, broker {app.conf.broker_url.split(':')[0]}"
        )
        for round_number in range(1, args.rounds + 1):
            # Every token due: none yet in round 1, nearly expired afterwards.
            Credential.objects.update(token_expires_at=timezone.now() + timedelta(minutes=30))
            if round_number == 1:
                Credential.objects.update(token_expires_at=None, access_token_encrypted="")
            control.reset_requests()
            started = time.perf_counter()
            since = timezone.now()
            tokens_refresh_due_task.delay()
            tokens_refresh_due_task.delay()  # an overlapping beat tick
            for pk in Credential.objects.values_list("pk", flat=True):
                token_refresh_task.delay(credential_id=pk)  # and a third request each
            while (
                Credential.objects.filter(token_obtained_at__gte=since).count() < args.credentials
            ):
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
            time.sleep(2)  # let the duplicate tasks finish: they must not call IMS
            issuances = control.requests()["token_issuances"]
            calls = [issuances.get(g.ims_org_id, {}).get("total", 0) for g in control.orgs()]
            print(
                f"round {round_number}: every token fresh in {elapsed:.2f} s "
                f"({args.credentials / elapsed:.0f} credentials/s); IMS calls per credential: "
                f"min {min(calls)}, mean {statistics.mean(calls):.2f}, max {max(calls)} "
                f"({sum(calls)} calls for {3 * args.credentials} refresh requests)"
            )
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        simulator.terminate()
        simulator.wait(timeout=10)


if __name__ == "__main__":
    main()

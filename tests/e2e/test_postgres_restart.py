"""PostgreSQL restarted under load, on a private cluster: never the shared one on 5432.

The scenario makes its own cluster (``pg_createcluster``, trust authentication on loopback, a free
port), runs a second, small Lookout on it (gunicorn with 2 workers, one Celery worker, one beat;
the main stack's simulator, and its Redis under another database number), signs members in and
keeps them requesting pages while the worker syncs, restarts the cluster (``pg_ctlcluster …
restart``, fast mode) and checks that requests failed cleanly (an answer within the patience, 5xx at
worst, no hang and no dropped connection) and that pages and syncs recover without restarting
Lookout (Django's CONN_HEALTH_CHECKS drops the dead persistent connections; CONN_MAX_AGE is 60).
The cluster is stopped and dropped afterwards, whatever happened.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.e2e import report
from tests.e2e.pages import Member
from tests.e2e.processes import free_port, utcnow
from tests.e2e.stack import POSTGRES_ORG, Stack, say, wait_for
from tests.services import require

pytestmark = pytest.mark.e2e

MEMBERS = 6
BEFORE_S, AFTER_S = 3.0, 12.0
PATIENCE_S = 15.0
# Requests that start this long after the restart finished must all succeed.
RECOVERY_LIMIT_S = 5.0


def _as_root(argv: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return argv
    require(bool(shutil.which("sudo")), "not root and no sudo: pg_createcluster needs root")
    return ["sudo", "-n", *argv]


def _run(argv: list[str], timeout: float = 120) -> str:
    result = subprocess.run(
        _as_root(argv), capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@dataclass
class Cluster:
    version: str
    name: str
    port: int

    def ctl(self, action: str, *options: str) -> float:
        started = time.monotonic()
        _run(
            [
                "pg_ctlcluster",
                "--skip-systemctl-redirect",
                self.version,
                self.name,
                action,
                *options,
            ]
        )
        return time.monotonic() - started


@pytest.fixture
def cluster():
    for tool in ("pg_createcluster", "pg_ctlcluster", "pg_dropcluster"):
        require(
            bool(shutil.which(tool)),
            f"{tool} is not installed (Debian package postgresql-common): the database restart "
            "scenario runs on a private cluster and never restarts the shared one",
        )
    versions = sorted(Path("/usr/lib/postgresql").iterdir(), key=lambda p: p.name)
    require(bool(versions), "no PostgreSQL server under /usr/lib/postgresql")
    made = Cluster(version=versions[-1].name, name=f"e2e{os.getpid()}", port=free_port())
    _run(
        [
            "pg_createcluster",
            made.version,
            made.name,
            "--port",
            str(made.port),
            "--",
            "--auth-local=trust",
            "--auth-host=trust",
        ]
    )
    try:
        made.ctl("start")
        yield made
    finally:
        with contextlib.suppress(Exception):
            _run(["pg_dropcluster", made.version, made.name, "--stop"])


@dataclass
class Traffic:
    results: list[tuple[float, float, str]] = field(default_factory=list)  # start, took, outcome
    lock: threading.Lock = field(default_factory=threading.Lock)


def _browse(member: Member, paths: list[str], until: float, traffic: Traffic) -> None:
    i = 0
    while time.monotonic() < until:
        path = paths[i % len(paths)]
        i += 1
        started = time.monotonic()
        try:
            outcome = str(member.get(path, timeout=PATIENCE_S).status_code)
        except Exception as exc:
            outcome = type(exc).__name__
        with traffic.lock:
            traffic.results.append((started, time.monotonic() - started, outcome))
        time.sleep(0.2)


def test_postgres_restart_under_load_fails_cleanly_and_recovers(stack: Stack, cluster: Cluster):
    small = Stack(
        server_url=f"postgres://postgres@127.0.0.1:{cluster.port}/lookout",
        redis_db=1,
        web_workers=2,
        encryption_key=stack.encryption_key,
    )
    tails = ""
    try:
        small.start_small(sim=stack.sim, redis_port=stack.redis_port, org_index=POSTGRES_ORG)
        org = small.orgs[POSTGRES_ORG]
        wait_for(lambda: small.sync_healthy(org), timeout=90, what="the second stack's first sync")
        members = [small.admin() for _ in range(MEMBERS)]
        paths = ["/", f"/orgs/{org.code}/", org.jobs_path, f"{org.jobs_path}?partial=1"]
        traffic = Traffic()
        until = time.monotonic() + BEFORE_S + AFTER_S + 5
        threads = [
            threading.Thread(target=_browse, args=(m, paths, until, traffic), daemon=True)
            for m in members
        ]
        for thread in threads:
            thread.start()
        time.sleep(BEFORE_S)
        restart_started = time.monotonic()
        took = cluster.ctl("restart", "--mode", "fast")
        restarted, restarted_at = time.monotonic(), utcnow()
        say(f"PostgreSQL cluster {cluster.name} restarted in {took:.1f} s")
        for thread in threads:
            thread.join(timeout=BEFORE_S + AFTER_S + PATIENCE_S + 10)

        def synced_after_restart() -> bool:
            state = small.sync_state(org)
            return bool(
                state and state["last_success_at"] and state["last_success_at"] > restarted_at
            )

        try:
            wait_for(
                lambda: synced_after_restart() and small.sync_healthy(org),
                timeout=60,
                what="a sync that started after the restart to succeed",
            )
            sync_recovery = time.monotonic() - restarted
        except AssertionError:
            sync_recovery = None
        alive = {name: s.running() for name, s in small.services.items()}
        tails = small.tails()
        expected, present, duplicates = small.completeness(org)
        ims = small.ims_calls(org)
    finally:
        small.stop(keep_logs=False)

    results = sorted(traffic.results)
    failures = [r for r in results if r[2] != "200"]
    dropped = [r for r in failures if not r[2].isdigit()]
    server_errors = [r for r in failures if r[2].isdigit() and int(r[2]) >= 500]
    other = [r for r in failures if r[2].isdigit() and int(r[2]) < 500]
    slowest = max((r[1] for r in results), default=0)
    late = [r for r in failures if r[0] > restarted + RECOVERY_LIMIT_S]
    last_failure = max((r[0] + r[1] for r in failures), default=restart_started)
    page_recovery = max(0.0, last_failure - restarted)
    problems = []
    if dropped:
        problems.append(f"{len(dropped)} requests got no answer ({dropped[0][2]})")
    if other:
        problems.append(f"{len(other)} requests answered {other[0][2]}")
    if slowest > PATIENCE_S:
        problems.append(f"a request hung {slowest:.1f} s")
    if late:
        problems.append(f"{len(late)} requests failed more than {RECOVERY_LIMIT_S:.0f} s after")
    if sync_recovery is None:
        problems.append("no sync succeeded within 60 s of the restart")
    stopped = [name for name, running in alive.items() if not running]
    if stopped:
        problems.append(f"processes exited: {stopped}")
    if present != expected:
        problems.append(f"{expected - present} jobs missing")
    row = report.record(
        report.Row(
            scenario="PostgreSQL restarted under load",
            fault=f"private cluster restarted ({took:.1f} s) under {MEMBERS} members",
            expected=expected,
            present=present,
            duplicates=duplicates,
            ims_calls=ims,
            recovery_s=round(max(page_recovery, sync_recovery or 0), 1),
        )
    )
    if problems:
        problems.append(f"the second stack's logs:\n{tails}")
    row.verdict = (
        f"ok ({len(results)} requests, {len(server_errors)} answered 5xx during the restart, "
        f"slowest {slowest:.1f} s; pages back {page_recovery:.1f} s after, syncs "
        f"{sync_recovery:.1f} s after)"
        if not problems
        else "FAIL: " + "; ".join(problems[:-1])
    )
    assert not problems, "; ".join(problems)

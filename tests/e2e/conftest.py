"""The end-to-end resilience suite: one stack of real processes for the whole package.

`stack` (package scope) starts Lookout as separate processes on loopback ports (tests/e2e/stack.py)
and onboards the *base* organizations the later scenarios watch. Scenarios run in the order of
`SCENARIO_ORDER` (the token-expiry scenario moves the simulator's clock a day ahead, so it goes
last). A failing scenario's report carries the tail of every process log; the logs stay on disk
(the path is printed) when anything failed. At the end the terminal summary prints the table of
tests/e2e/report.py.

Needs PostgreSQL (DATABASE_URL) and the redis-server binary: skipped with the reason on a laptop
without them, failed when CI is set (tests/services.require).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e import report
from tests.e2e.stack import BASE_ORGS, Stack, say, wait_for
from tests.services import require

# The fault matrix runs in the background once its fifty members have browsed: a failed sync waits
# a minute before its next attempt, and an uncertain submission two before its first check.
# Meanwhile the database scenario runs on a stack of its own; the scenarios that disturb the main
# stack (killing, restarting, rotating) wait for the matrix's sync rows first, and the broker
# outage and the clock jump for its submissions too.
SCENARIO_ORDER = [
    "test_adobe_faults_under_load/load",
    "test_postgres_restart",
    "test_adobe_faults_under_load/sync",
    "test_processes",
    "test_key_rotation",
    "test_redis_down",
    "test_adobe_faults_under_load/submission",
    "test_token_expiry",
]

_failed: list[str] = []


def pytest_collection_modifyitems(config, items):
    """Run the e2e tests in SCENARIO_ORDER, in the places pytest collected them."""
    positions = [i for i, item in enumerate(items) if _scenario_of(item) in SCENARIO_ORDER]
    if not positions:
        return
    e2e = [items[i] for i in positions]
    e2e.sort(key=lambda item: SCENARIO_ORDER.index(_scenario_of(item)))  # stable otherwise
    for position, item in zip(positions, e2e, strict=True):
        items[position] = item


E2E_DIR = Path(__file__).resolve().parent


def _scenario_of(item) -> str:
    """The item's place in SCENARIO_ORDER; "" for any test outside tests/e2e."""
    if Path(str(item.path)).resolve().parent != E2E_DIR:
        return ""
    module = Path(str(item.path)).stem
    if module != "test_adobe_faults_under_load":
        return module
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return f"{module}/load"
    return f"{module}/{'submission' if str(callspec.id).startswith('submission') else 'sync'}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    if rep.failed and _scenario_of(item) in SCENARIO_ORDER:
        _failed.append(item.nodeid)
        stack = _STACK.get("stack")
        if stack is not None:
            rep.sections.append(("process log tails", stack.tails()))
    return rep


def pytest_terminal_summary(terminalreporter):
    lines = report.render()
    if not lines:
        return
    terminalreporter.section("Lookout end-to-end resilience")
    for line in lines:
        terminalreporter.write_line(line)


_STACK: dict[str, Stack] = {}


def _database_server() -> str:
    url = os.environ.get("DATABASE_URL", "")
    require(
        url.startswith(("postgres://", "postgresql://")),
        "DATABASE_URL is not a PostgreSQL URL: the e2e stack runs on PostgreSQL",
    )
    return url


@pytest.fixture(scope="package")
def stack() -> Iterator[Stack]:
    server = _database_server()
    require(
        bool(shutil.which("redis-server")),
        "redis-server is not installed (Debian package redis-server): the e2e stack runs its "
        "own Redis so that it can stop and start it",
    )
    started = time.monotonic()
    running = Stack(server_url=server)
    _STACK["stack"] = running
    try:
        running.start(base_orgs=BASE_ORGS[1:])
        for index in BASE_ORGS:
            wait_for(
                lambda index=index: running.backfilled(index),
                timeout=90,
                what=f"the first sync of base organization {index}",
            )
        say(f"base organizations synced; setup took {time.monotonic() - started:.1f} s")
        yield running
    finally:
        keep = bool(_failed)
        running.stop(keep_logs=keep)
        _STACK.pop("stack", None)
        if keep:
            say(f"logs kept in {running.logs}")

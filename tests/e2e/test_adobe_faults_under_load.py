"""Every simulator fault during backfill, polling, token refresh and submission, while fifty
signed-in members browse.

The rows of the matrix (tests/e2e/matrix.py, one fault in one phase on its own organization each)
and the members (tests/e2e/browsing.py: distinct users signed in through /login/, arriving over
20 s, then reading each page 2 to 8 s, for LOOKOUT_E2E_LOAD_SECONDS) all start together in
`campaign`. The fixture returns once the members are done; the rows go on in the background and
each row's test waits for its own, in the order of conftest.SCENARIO_ORDER.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import pytest

from tests.e2e import report
from tests.e2e.browsing import (
    ARRIVALS_S,
    LOAD_MEMBERS,
    LOAD_SECONDS,
    MEMBER_PASSWORD,
    Browsing,
    browse,
    load_figures,
)
from tests.e2e.matrix import CASES, Case, RowRun, run_row
from tests.e2e.pages import PAGE_PATIENCE_S
from tests.e2e.processes import utcnow
from tests.e2e.stack import BASE_ORGS, Stack, SyncWatcher, say

pytestmark = pytest.mark.e2e


@dataclass
class Campaign:
    runs: dict[str, RowRun]
    threads: dict[str, threading.Thread]
    load: report.LoadFigures | None


def _selected(request) -> tuple[list[Case], bool]:
    ids, load = set(), False
    for item in request.session.items:
        if getattr(item, "module", None) is None or item.module.__name__ != __name__:
            continue
        if item.originalname == "test_fault_row":
            ids.add(item.callspec.params["case"].id)
        elif item.originalname == "test_fifty_members_browse_without_errors":
            load = True
    return [case for case in CASES if case.id in ids], load


def _load_users(stack: Stack, cases: list[Case]) -> list[dict[str, Any]]:
    """Fifty members (viewers and members by turns) of the demo organization, one more base
    organization and one organization of the matrix each."""
    sim = stack.sim
    matrix = [case.index for case in cases]
    users = []
    for n in range(LOAD_MEMBERS):
        indexes = [BASE_ORGS[0], BASE_ORGS[1 + n % 3]]
        if matrix:
            indexes.append(matrix[n % len(matrix)])
        role = "viewer" if n % 2 else "member"
        users.append(
            {
                "username": f"e2e-member-{n + 1:02d}",
                "password": MEMBER_PASSWORD,
                "memberships": [[sim.org(i).ims_org_id, role] for i in indexes],
            }
        )
    return users


# Package scope: the rows are judged later, between other scenarios (conftest.py's
# SCENARIO_ORDER), and the campaign must not run twice.
@pytest.fixture(scope="package")
def campaign(stack: Stack, request) -> Campaign:
    cases, load = _selected(request)
    started = time.monotonic()
    sim = stack.sim
    runs = {case.id: RowRun(case=case) for case in cases}
    for run in runs.values():
        run.row = report.Row(scenario=run.case.phase, fault=run.case.fault.label)
    # Backfill faults go in before their organizations exist in Lookout.
    backfill_at = utcnow()
    for run in runs.values():
        if run.case.phase == "backfill":
            run.fault_at = backfill_at
            run.fault_id = sim.add_fault(
                run.case.fault.kind,
                org=sim.org(run.case.index).ims_org_id,
                count=run.case.fault.count,
                **run.case.scope,
                **run.case.fault.params,
            )["id"]
    users = _load_users(stack, cases) if load else []
    onboarded = stack.onboard([case.index for case in cases], users=users)
    for run in runs.values():
        run.org = onboarded[run.case.index]
    say(f"fault matrix: {len(runs)} rows onboarded in {time.monotonic() - started:.1f} s")

    threads = {
        run.case.id: threading.Thread(
            target=run_row, args=(stack, run), name=run.case.id, daemon=True
        )
        for run in runs.values()
    }
    for case_id, thread in threads.items():
        group = "submission rows" if runs[case_id].case.phase == "submission" else "sync rows"
        stack.background.setdefault(group, []).append(thread)
    figures = None
    with SyncWatcher(stack) as watcher:
        load_began, load_started = time.monotonic(), utcnow()
        browsing, members = Browsing(), []
        if load:
            until = time.monotonic() + LOAD_SECONDS
            by_ims = {org.ims_org_id: org for org in stack.orgs.values()}
            for user in users:
                orgs = [by_ims[ims_org_id] for ims_org_id, _role in user["memberships"]]
                members.append(
                    threading.Thread(
                        target=browse,
                        args=(stack, user["username"], MEMBER_PASSWORD, orgs, until, browsing),
                        name=user["username"],
                        daemon=True,
                    )
                )
        for thread in [*threads.values(), *members]:
            thread.start()
        for thread in members:
            thread.join(timeout=LOAD_SECONDS + ARRIVALS_S + 2 * PAGE_PATIENCE_S)
        if load:
            load_ended = utcnow()
            syncs = sum(len(v) for v in watcher.runs_between(load_started, load_ended).values())
            figures = load_figures(browsing, began=load_began, syncs=syncs)
            report.LOAD.append(figures)
            for line in figures.lines():
                say(line)
    # The rows go on in the background: each row's test waits for its own (conftest.py's
    # SCENARIO_ORDER runs the database scenario, which has a stack of its own, meanwhile).
    say(f"fault matrix: load done {time.monotonic() - started:.1f} s after onboarding")
    return Campaign(runs=runs, threads=threads, load=figures)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_fault_row(campaign: Campaign, case: Case):
    run, thread = campaign.runs[case.id], campaign.threads[case.id]
    thread.join(timeout=240)  # under pytest-timeout's 300 s
    if thread.is_alive():
        run.problems.append("still running when the campaign gave up on it")
    report.record(run.row)
    assert not run.problems, (
        f"{case.phase} / {case.fault.label}: "
        + "; ".join(run.problems)
        + "\n  "
        + "\n  ".join(run.detail)
    )


def test_fifty_members_browse_without_errors(campaign: Campaign):
    figures = campaign.load
    assert figures is not None
    assert figures.pages > figures.members, "the members hardly browsed"
    assert figures.syncs_during > 0, "no sync completed while they browsed"
    assert figures.errors == 0, "\n".join(figures.error_samples)

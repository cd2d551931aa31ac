"""Lookout's own processes failing: a worker killed mid-backfill, beat restarted, two beats.

Celery delivers at least once (``acks_late``), beat may tick twice, a worker may die holding a
task: the claim on the organization's row (dashboard.runs) is what keeps an Adobe call from
happening twice, and its lease is what lets the next run take over a killed one.
"""

from __future__ import annotations

import contextlib
import itertools
import time
from datetime import timedelta

import pytest
from celery import Celery

from simulator.control import JOB
from tests.e2e import report
from tests.e2e.processes import utcnow
from tests.e2e.stack import BASE_ORGS, INTERVALS, KILL_ORG, Org, Stack, SyncWatcher, say, wait_for

pytestmark = pytest.mark.e2e

LEASE_S = float(INTERVALS["LOOKOUT_PRIVACY_SYNC_LEASE"])
DUE_CHECK_S = float(INTERVALS["LOOKOUT_PRIVACY_DUE_CHECK_INTERVAL"])
SYNC_INTERVAL_S = float(INTERVALS["LOOKOUT_PRIVACY_SYNC_INTERVAL"])
# Beyond the lease and beat's due check, what a takeover may take: queueing and a free worker.
TAKEOVER_SLACK_S = 6.0
# One sync interval and a little: every watched organization syncs, and its token refresh is due.
BEAT_WINDOW_S = SYNC_INTERVAL_S + 4


def _worker_holding(stack: Stack, org: Org) -> str | None:
    """Which of the stack's workers is running the organization's sync right now."""
    app = Celery(broker=stack.redis_url)
    try:
        active = app.control.inspect(timeout=1.0).active() or {}
    finally:
        app.close()
    for hostname, tasks in active.items():
        for task in tasks:
            if task.get("kwargs", {}).get("organization_id") == org.id:
                return f"worker-{hostname.split('@')[0].removeprefix('e2e-')}"
    return None


def test_worker_killed_mid_backfill_is_taken_over_within_its_lease(stack: Stack):
    stack.wait_background("sync rows", timeout=200)  # the fault matrix's syncs, recovering
    sim = stack.sim
    # A backfill long enough to kill part-way: 300 more jobs, each detail 50 ms slower.
    generated = sim.org(KILL_ORG)
    sim.create_jobs(
        generated.ims_org_id,
        regulation="gdpr",
        action="access",
        count=300,
        status="complete",
        created_seconds_ago=2 * 86400,
    )
    slow = sim.add_fault("slow", org=generated.ims_org_id, endpoint=JOB, seconds=0.05)["id"]
    try:
        org = stack.onboard([KILL_ORG])[KILL_ORG]
        holder = wait_for(
            lambda: len(stack.job_ids(org)) >= 60 and _worker_holding(stack, org),
            timeout=90,
            what="the backfill to be part-way through, on a worker we can name",
            interval=0.5,
        )
        victim = stack.sync_state(org)
        assert victim["lease_owner"] and victim["backfilled_at"] is None
        before_kill = len(stack.job_ids(org))
        stack.services[holder].kill()
        killed_at, killed = utcnow(), time.monotonic()
        say(f"killed {holder} (SIGKILL) with {before_kill} jobs stored")

        def took_over() -> dict | None:
            state = stack.sync_state(org)
            moved_on = state["lease_owner"] not in ("", victim["lease_owner"])
            finished = state["last_success_at"] is not None and state["last_success_at"] > killed_at
            return state if moved_on or finished else None

        wait_for(
            took_over,
            timeout=LEASE_S + DUE_CHECK_S + 30,
            what="another run to take the killed run's organization over",
            interval=0.2,
        )
        takeover_s = time.monotonic() - killed
        stack.services[holder].start()
        wait_for(
            lambda: stack.backfilled(KILL_ORG) and stack.sync_healthy(org),
            timeout=120,
            what="the backfill to complete after the takeover",
            interval=0.5,
        )
        recovered_s = time.monotonic() - killed
        restarted_works = wait_for(
            lambda: "succeeded in" in stack.services[holder].output(),
            timeout=45,
            what=f"the restarted {holder} to run a task",
        )
    finally:
        with contextlib.suppress(RuntimeError):
            sim.remove_fault(slow)
    expected, present, duplicates = stack.completeness(org)
    ims = stack.ims_calls(org)
    without_detail = stack.jobs_without_products(org)
    row = report.record(
        report.Row(
            scenario="worker SIGKILL mid-backfill",
            fault=f"{holder} killed with {before_kill} jobs stored",
            expected=expected,
            present=present,
            duplicates=duplicates,
            ims_calls=ims,
            recovery_s=round(recovered_s, 1),
        )
    )
    problems = []
    if takeover_s > LEASE_S + DUE_CHECK_S + TAKEOVER_SLACK_S:
        problems.append(
            f"the killed run blocked its organization {takeover_s:.1f} s "
            f"(lease {LEASE_S:.0f} s + due check {DUE_CHECK_S:.0f} s)"
        )
    # At most one run at a time: nobody may take over while the killed run's lease could live.
    lease_left = (victim["lease_until"] - killed_at).total_seconds()
    if takeover_s < lease_left - 0.5:
        problems.append(
            f"taken over {takeover_s:.1f} s after the kill, while its lease had "
            f"{lease_left:.1f} s left: two runs at once"
        )
    if present != expected or without_detail:
        problems.append(f"{expected - present} jobs missing, {without_detail} without detail")
    if duplicates:
        problems.append(f"{duplicates} duplicated jobs")
    if ims > 1:
        problems.append(f"{ims} IMS calls: the takeover should reuse the stored token")
    if not restarted_works:
        problems.append(f"the restarted {holder} ran nothing")
    row.verdict = (
        f"ok (taken over {takeover_s:.1f} s after the kill)"
        if not problems
        else "FAIL: " + "; ".join(problems)
    )
    assert not problems, "; ".join(problems)


def _watched(stack: Stack) -> list[Org]:
    orgs = [stack.orgs[i] for i in [*BASE_ORGS, KILL_ORG] if i in stack.orgs]
    return [org for org in orgs if stack.sync_healthy(org)]


def _expire_tokens_soon(stack: Stack, orgs: list[Org]) -> None:
    """Make each watched credential's token due for refresh (20 min left, under the refresh
    margin of an hour, over the 10 min a token must keep): beat's next token check queues a
    refresh of each, and a doubled check must not make a second IMS call."""
    stack.sql(
        "UPDATE dashboard_credential SET token_expires_at = now() + interval '20 minutes' "
        "WHERE organization_id = ANY(%s)",
        [org.id for org in orgs],
    )


def _beat_window(stack: Stack, *, scenario: str, fault: str, action, undo) -> None:
    stack.wait_background("sync rows", timeout=200)
    watched = _watched(stack)
    assert len(watched) >= 3, "the base organizations are not healthy to start with"
    ims_before = {org.id: stack.ims_calls(org) for org in watched}
    problems: list[str] = []
    with SyncWatcher(stack) as watcher:
        time.sleep(1)
        started_at = utcnow()
        action()
        _expire_tokens_soon(stack, watched)
        time.sleep(BEAT_WINDOW_S)
        ended_at = utcnow()
        undo()
    window_runs = watcher.runs_between(started_at - timedelta(seconds=SYNC_INTERVAL_S), ended_at)
    tolerance = timedelta(seconds=1)
    syncs = 0
    for org in watched:
        runs = window_runs.get(org.id, [])
        syncs += len([t for t in runs if t >= started_at])
        gaps = [b - a for a, b in itertools.pairwise(runs)]
        too_close = [g for g in gaps if g < timedelta(seconds=SYNC_INTERVAL_S) - tolerance]
        if too_close:
            problems.append(
                f"{org.sim.name}: two syncs {min(too_close).total_seconds():.1f} s apart "
                f"(interval {SYNC_INTERVAL_S:.0f} s)"
            )
        if not [t for t in runs if t >= started_at]:
            problems.append(f"{org.sim.name} did not sync during the {BEAT_WINDOW_S:.0f} s window")
    absorbed = sum(
        "skipped: running elsewhere or not due" in line
        for worker in stack.workers
        for line in worker.lines_between(started_at, ended_at)
    )
    ims = {org.id: stack.ims_calls(org) - ims_before[org.id] for org in watched}
    for org in watched:
        if ims[org.id] != 1:
            problems.append(f"{org.sim.name}: {ims[org.id]} IMS calls for one due refresh")
    totals = [stack.completeness(org) for org in watched]
    expected = sum(t[0] for t in totals)
    present = sum(t[1] for t in totals)
    duplicates = sum(t[2] for t in totals)
    if present != expected:
        problems.append(f"{expected - present} jobs missing")
    row = report.record(
        report.Row(
            scenario=scenario,
            fault=fault,
            expected=expected,
            present=present,
            duplicates=duplicates,
            ims_calls=sum(ims.values()),
        )
    )
    row.verdict = (
        f"ok ({syncs} syncs of {len(watched)} organizations, one token refresh each; "
        f"{absorbed} sync tasks found their organization not due)"
        if not problems
        else "FAIL: " + "; ".join(problems)
    )
    assert not problems, "; ".join(problems)


def test_beat_restarted_runs_no_sync_and_no_refresh_twice(stack: Stack):
    beat = stack.services["beat"]

    def restart() -> None:
        beat.stop()
        beat.start()

    _beat_window(
        stack,
        scenario="beat restarted",
        fault="beat stopped (SIGTERM) and started again",
        action=restart,
        undo=lambda: None,
    )
    assert "Sending due task" in beat.output(), "the restarted beat queued nothing"


def test_two_beats_run_no_sync_and_no_refresh_twice(stack: Stack):
    second = stack.add_beat("beat-2")
    try:
        _beat_window(
            stack,
            scenario="two beats",
            fault="a second beat started by mistake",
            action=second.start,
            undo=second.stop,
        )
        assert "(privacy.jobs_sync_due)" in second.output(), (
            "the second beat queued nothing: the scenario proved nothing"
        )
    finally:
        second.stop()


def test_a_sync_message_delivered_twice_runs_once(stack: Stack):
    """At-least-once delivery: beat's sync message for a due organization delivered twice at
    once (as a redelivery after a lost acknowledgement would be) reaches both workers; the claim
    lets one run, and the other finds it running or, once it finished, not due."""
    stack.wait_background("sync rows", timeout=200)
    watched = _watched(stack)
    assert len(watched) >= 3, "the base organizations are not healthy to start with"
    ims_before = {org.id: stack.ims_calls(org) for org in watched}
    # Due now, as when beat's due check fans out (a running sync is left alone).
    stack.sql(
        "UPDATE privacy_privacysyncstate SET next_attempt_at = now() "
        "WHERE organization_id = ANY(%s) AND lease_until IS NULL",
        [org.id for org in watched],
    )
    app = Celery(broker=stack.redis_url)
    started_at = utcnow()
    try:
        for org in watched:
            for _ in range(2):
                app.send_task(
                    "privacy.jobs_sync", kwargs={"organization_id": org.id, "scheduled": True}
                )
    finally:
        app.close()
    time.sleep(6)
    ended_at = utcnow()
    lines = [
        line for worker in stack.workers for line in worker.lines_between(started_at, ended_at)
    ]
    problems = []
    runs = skipped = 0
    for org in watched:
        ran = sum(f"Privacy sync of {org.id}: " in line for line in lines)
        absorbed = sum(f"Privacy sync of {org.id} skipped" in line for line in lines)
        runs, skipped = runs + ran, skipped + absorbed
        if ran + absorbed < 2:
            problems.append(f"{org.sim.name}: only {ran + absorbed} of its 2 deliveries ran")
        if ran > 1:
            problems.append(f"{org.sim.name}: {ran} syncs for one request delivered twice")
    ims = sum(stack.ims_calls(org) - ims_before[org.id] for org in watched)
    if ims:
        problems.append(f"{ims} IMS calls")
    totals = [stack.completeness(org) for org in watched]
    row = report.record(
        report.Row(
            scenario="sync delivered twice",
            fault=f"each of {len(watched)} sync requests published twice at once",
            expected=sum(t[0] for t in totals),
            present=sum(t[1] for t in totals),
            duplicates=sum(t[2] for t in totals),
            ims_calls=ims,
        )
    )
    row.verdict = (
        f"ok ({runs} runs, {skipped} deliveries found the sync running or just done)"
        if not problems
        else "FAIL: " + "; ".join(problems)
    )
    assert not problems, "; ".join(problems)

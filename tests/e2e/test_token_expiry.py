"""Adobe's clock moves past every token's expiry while the workers are down.

Both workers are stopped, the simulator's clock is moved 25 hours ahead (its tokens live 24), and
the workers are started again. Lookout still believes its tokens valid (it reckons expiry on its
own clock), so the first call of each organization meets a 401; the client asks IMS once for a new
token and carries on. Nobody presses "Test connection": the credentials recover by themselves,
each with one IMS call, and none is flagged "needs attention".

Runs last (conftest.SCENARIO_ORDER): the simulator's dates are a day ahead afterwards.
"""

from __future__ import annotations

import time

import pytest

from tests.e2e import report
from tests.e2e.processes import utcnow
from tests.e2e.stack import BASE_ORGS, KILL_ORG, Stack, say, wait_for
from tests.pages import text_by_testid

pytestmark = pytest.mark.e2e

AHEAD_S = 25 * 3600


def test_tokens_recover_without_an_admin_after_adobe_clock_passes_their_expiry(stack: Stack):
    stack.wait_background(timeout=200)  # nothing else may be running when the clock jumps
    watched = [
        stack.orgs[i]
        for i in [*BASE_ORGS, KILL_ORG]
        if i in stack.orgs and stack.sync_healthy(stack.orgs[i])
    ]
    assert len(watched) >= 3, "the base organizations are not healthy to start with"
    sim = stack.sim
    for worker in stack.workers:
        worker.stop()
    ims_before = {org.id: stack.ims_calls(org) for org in watched}
    sim.advance(AHEAD_S)
    valid = [t for t in sim.tokens() if t["valid"]]
    assert not valid, f"{len(valid)} tokens still valid at Adobe after the clock moved"
    say("workers stopped; Adobe's clock moved 25 h ahead; starting the workers again")
    restarted_at, restarted = utcnow(), time.monotonic()
    for worker in stack.workers:
        worker.start()

    def recovered() -> bool:
        for org in watched:
            state = stack.sync_state(org)
            if not state["last_success_at"] or state["last_success_at"] < restarted_at:
                return False
        return all(stack.sync_healthy(org) for org in watched)

    problems = []
    try:
        wait_for(recovered, timeout=90, what="every organization to sync with a new token")
        recovery_s = round(time.monotonic() - restarted, 1)
    except AssertionError as exc:
        problems.append(str(exc))
        recovery_s = None
    ims = {org.id: stack.ims_calls(org) - ims_before[org.id] for org in watched}
    admin = stack.admin()
    for org in watched:
        if ims[org.id] != 1:
            problems.append(f"{org.sim.name}: {ims[org.id]} IMS calls (one expected)")
        for credential in stack.credentials(org):
            if credential["needs_attention"] or credential["consecutive_failures"]:
                problems.append(f"{org.sim.name}: credential says {credential['last_error']!r}")
            if (
                not credential["token_obtained_at"]
                or credential["token_obtained_at"] < restarted_at
            ):
                problems.append(f"{org.sim.name}: no new token")
        health = text_by_testid(admin.get(f"/orgs/{org.code}/credentials/").text, "token-health")
        if health != "Token is valid.":
            problems.append(f"{org.sim.name}: the credentials page says {health!r}")
    valid_now = {t["ims_org_id"] for t in sim.tokens() if t["valid"]}
    if missing := [org.sim.name for org in watched if org.ims_org_id not in valid_now]:
        problems.append(f"no valid token at Adobe for {missing}")
    totals = [stack.completeness(org) for org in watched]
    row = report.record(
        report.Row(
            scenario="Adobe clock past token expiry",
            fault="workers down; simulator clock +25 h; workers up",
            expected=sum(t[0] for t in totals),
            present=sum(t[1] for t in totals),
            duplicates=sum(t[2] for t in totals),
            ims_calls=sum(ims.values()),
            recovery_s=recovery_s,
        )
    )
    if row.present != row.expected:
        problems.append(f"{row.expected - row.present} jobs missing")
    row.verdict = (
        f"ok (one IMS call per credential, {len(watched)} credentials)"
        if not problems
        else "FAIL: " + "; ".join(problems)
    )
    assert not problems, "; ".join(problems)

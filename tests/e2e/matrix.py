"""The fault matrix: every simulator fault in every phase it applies to, one row each.

Each row runs on its own simulator organization, in its own thread, so that the rows run side by
side (a failed sync waits a minute before its next attempt, dashboard.runs ``TRANSIENT``). A row

1. injects its fault (scoped to its organization) and makes the phase happen: onboarding (the
   backfill), three new jobs at Adobe (the next poll), the organization's tokens revoked at
   Adobe (the refresh that follows the 401), or a request submitted on the page;
2. waits for the fault's effect: a run that failed (the job list must then say so in words) or
   one that succeeded regardless; for a submission, the message the page showed;
3. clears the fault and measures the time until Lookout is complete and healthy again: every job
   Adobe holds is in Lookout with its per-product detail, the sync shows no error, the credential
   is not "needs attention"; for a submission, exactly one job at Adobe for the person, shown
   in Lookout, the submission "Accepted by Adobe" (resubmitting, as a person would, only when
   Lookout said it was not accepted or not received).

What a row found goes into its `report.Row` and, when something is wrong, its ``problems``.
"""

from __future__ import annotations

import contextlib
import re
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from simulator.control import CREATE_JOBS, JOB, JOBS, SimulatorControl
from tests.e2e import report
from tests.e2e.pages import Member, messages
from tests.e2e.processes import utcnow
from tests.e2e.stack import MATRIX_FIRST, Org, Stack, wait_for
from tests.pages import text_by_testid, text_of

RECOVERY_DEADLINE_S = 180.0
# A run that still lacks jobs after this many clean syncs since the fault cleared will not get
# them before the next full listing (a day later): the row stops waiting and reports them.
CLEAN_SYNCS_TO_SETTLE = 2
# A job whose detail Adobe did not return must be booked for another look within this (the
# shortest re-read backoff of privacy/services/sync_store.py, DETAIL_BACKOFF_MIN, and a minute).
DETAIL_LOOK_WITHIN = timedelta(minutes=11)


@dataclass(frozen=True)
class Fault:
    label: str
    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    count: int | None = None  # None: until the row clears it
    endpoint: str | None = None
    # Lasts until cleared and makes the run fail: a member must see the failure in words.
    fails_the_run: bool = True


RATE_LIMIT_RA = Fault("429, Retry-After: 2", "rate_limit", {"retry_after": 2})
RATE_LIMIT = Fault("429, no Retry-After", "rate_limit", {"retry_after": None})
SERVER_ERROR = Fault("503", "server_error", {"status": 503})
SLOW = Fault("slow: 3 s, past the 2 s timeout", "slow", {"seconds": 3})
MALFORMED = Fault("malformed JSON", "malformed_json")
TRUNCATED = Fault("truncated body", "truncated_page", {"fraction": 0.5})
SHORT_PAGE = Fault("short pages (1 job dropped)", "short_page", {"drop": 1}, endpoint=JOBS)
REVOKED = Fault("token revoked (next call 401)", "revoked_token", count=1, fails_the_run=False)
DROPPED = Fault("connection dropped", "drop_connection")
DETAIL_404 = Fault(
    "404 on job details",
    "error",
    {
        "status": 404,
        "body": {
            "type": "/placeholder/type/uri",
            "status": 404,
            "title": "NotFoundError",
            "detail": "Job not found",
        },
    },
    endpoint=JOB,
    fails_the_run=False,
)
ANSWER_LOST = Fault("accepted, answer lost", "drop_after_processing", fails_the_run=False)


@dataclass(frozen=True)
class Case:
    phase: str  # backfill | polling | token refresh | submission
    fault: Fault
    index: int  # the simulator organization it runs on

    @property
    def id(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", f"{self.phase} {self.fault.label}".lower()).strip("-")
        return slug

    @property
    def scope(self) -> dict[str, Any]:
        if self.phase == "token refresh":
            return {"surface": "ims"}
        if self.phase == "submission":
            return {"endpoint": CREATE_JOBS}
        return {"surface": "privacy", "endpoint": self.fault.endpoint}


SYNC_FAULTS = [
    RATE_LIMIT_RA,
    RATE_LIMIT,
    SERVER_ERROR,
    SLOW,
    MALFORMED,
    TRUNCATED,
    SHORT_PAGE,
    REVOKED,
    DROPPED,
    DETAIL_404,
]
IMS_FAULTS = [RATE_LIMIT_RA, RATE_LIMIT, SERVER_ERROR, SLOW, MALFORMED, TRUNCATED, DROPPED]
SUBMISSION_FAULTS = [
    RATE_LIMIT_RA,
    RATE_LIMIT,
    SERVER_ERROR,
    SLOW,
    MALFORMED,
    TRUNCATED,
    REVOKED,
    DROPPED,
    ANSWER_LOST,
]
_phases = [
    ("backfill", SYNC_FAULTS),
    ("polling", SYNC_FAULTS),
    ("token refresh", IMS_FAULTS),
    ("submission", SUBMISSION_FAULTS),
]
CASES = [
    Case(phase, fault, MATRIX_FIRST + i)
    for i, (phase, fault) in enumerate((p, f) for p, faults in _phases for f in faults)
]


@dataclass
class RowRun:
    case: Case
    org: Org | None = None
    row: report.Row | None = None
    problems: list[str] = field(default_factory=list)
    detail: list[str] = field(default_factory=list)
    fault_id: int | None = None
    fault_at: datetime | None = None
    ims_before: int = 0


def _seen_on_job_list(member: Member, org: Org) -> str:
    page = member.get(org.jobs_path)
    return (
        text_by_testid(page.text, "sync-state")
        if page.status_code == 200
        else f"HTTP {page.status_code}"
    )


def _remove_fault(sim: SimulatorControl, fault_id: int | None) -> None:
    if fault_id is None:
        return
    with contextlib.suppress(RuntimeError):  # a counted fault retires once it has fired
        sim.remove_fault(fault_id)


def _visible_ids(stack: Stack, org: Org) -> set[str]:
    return {job["job_id"] for job in stack.adobe_jobs(org) if job["visible"]}


def run_sync_row(stack: Stack, run: RowRun, admin: Member, sim: SimulatorControl) -> None:
    case, org = run.case, run.org
    assert org is not None
    if case.phase != "backfill":
        wait_for(
            lambda: stack.backfilled(case.index), timeout=150, what=f"{org.ims_org_id} backfill"
        )
        run.ims_before = stack.ims_calls(org)
        run.fault_at = utcnow()
        run.fault_id = sim.add_fault(
            case.fault.kind,
            org=org.ims_org_id,
            count=case.fault.count,
            **case.scope,
            **case.fault.params,
        )["id"]
        sim.create_jobs(
            org.ims_org_id, regulation="gdpr", action="access", count=3, created_seconds_ago=30
        )
        if case.phase == "token refresh":
            sim.revoke_tokens(org=org.ims_org_id)
    fault_at = run.fault_at
    assert fault_at is not None

    def effect() -> str | None:
        state = stack.sync_state(org)
        if state is None:
            return None
        if state["consecutive_failures"] and (state["last_error_at"] or fault_at) >= fault_at:
            return "failed"
        if (
            state["last_success_at"] is not None
            and state["last_success_at"] >= fault_at
            and state["lease_until"] is None
        ):
            return "succeeded"
        return None

    outcome = wait_for(effect, timeout=90, what=f"a run of {case.id} under the fault", interval=0.5)
    seen = _seen_on_job_list(admin, org)
    if outcome == "failed":
        # The failure must be there in words (unless the next attempt is already running, or
        # it already succeeded: then look again).
        deadline = time.monotonic() + 10
        while "failed" not in seen.lower() and time.monotonic() < deadline:
            if not (stack.sync_state(org) or {}).get("consecutive_failures"):
                break
            time.sleep(0.5)
            seen = _seen_on_job_list(admin, org)
        if "failed" not in seen.lower() and (stack.sync_state(org) or {}).get(
            "consecutive_failures"
        ):
            run.problems.append(f"the run failed but the job list did not say so: {seen!r}")
    run.row.seen = seen
    run.detail.append(f"under the fault the run {outcome}; the job list said: {seen!r}")
    if case.fault.fails_the_run and outcome != "failed" and case.fault is not SHORT_PAGE:
        run.detail.append("the fault did not fail the run (absorbed by retries)")
    _remove_fault(sim, run.fault_id)
    cleared, cleared_at = time.monotonic(), utcnow()

    complete, waited = _wait_complete(stack, org, cleared, cleared_at)
    if not complete:
        owed = _owed_details(stack, org, cleared_at)
        if owed is not None:
            # Every job still lacking its detail is booked for another look (a detail Adobe did
            # not return is owed, never taken as read). Skip the wait for that look by moving
            # it to now, as the clock would, and check that the look really fills them in.
            run.detail.append(
                f"{owed['jobs']} jobs still lack their detail {waited:.0f} s after the fault "
                f"cleared; their next look is booked {owed['booked_s']:.0f} s after it"
            )
            stack.sql(
                "UPDATE privacy_privacyjob j SET next_detail_at = now() "
                "WHERE j.organization_id = %s AND j.gone_at IS NULL AND NOT EXISTS "
                "(SELECT 1 FROM privacy_productresponse p WHERE p.job_id = j.id)",
                org.id,
            )
            moved = time.monotonic()
            complete, _ = _wait_complete(stack, org, moved, utcnow())
            if complete:
                run.row.recovery_s = round(owed["booked_s"] + time.monotonic() - moved, 1)
                run.row.verdict_note = (
                    f"detail re-read at its booked look, {owed['booked_s'] / 60:.0f} min later"
                )
                return
    run.row.recovery_s = round(max(0.0, waited), 1) if complete else None
    if not complete:
        state = stack.sync_state(org) or {}
        run.problems.append(
            f"not complete and healthy {waited:.0f} s after the fault cleared; sync state: "
            f"error={state.get('last_error')!r}, failures={state.get('consecutive_failures')}"
        )


def _wait_complete(stack: Stack, org: Org, since: float, since_at: datetime) -> tuple[bool, float]:
    """Wait until every job Adobe shows is in Lookout with its detail and the sync shows no
    error; give up after CLEAN_SYNCS_TO_SETTLE clean syncs without it (the rest would come with
    the next full listing, a day later) or the deadline. (complete?, seconds waited)"""
    clean_syncs: set[datetime] = set()
    deadline = since + RECOVERY_DEADLINE_S
    while time.monotonic() < deadline:
        state = stack.sync_state(org)
        healthy = (
            state is not None
            and not state["last_error"]
            and not state["consecutive_failures"]
            and state["lease_until"] is None
            and state["last_success_at"] is not None
        )
        if healthy:
            if state["last_success_at"] >= since_at:
                clean_syncs.add(state["last_success_at"])
            missing = _visible_ids(stack, org) - set(stack.job_ids(org))
            if not missing and stack.jobs_without_products(org) == 0:
                return True, time.monotonic() - since
            if len(clean_syncs) >= CLEAN_SYNCS_TO_SETTLE:
                break
        time.sleep(0.5)
    return False, time.monotonic() - since


def _owed_details(stack: Stack, org: Org, cleared_at: datetime) -> dict[str, float] | None:
    """When the only gap is jobs without their detail, each booked for another look within
    DETAIL_LOOK_WITHIN of the fault clearing: how many, and how long after it the last look is."""
    if _visible_ids(stack, org) - set(stack.job_ids(org)):
        return None
    rows = stack.sql(
        "SELECT j.next_detail_at FROM privacy_privacyjob j WHERE j.organization_id = %s "
        "AND j.gone_at IS NULL AND NOT EXISTS "
        "(SELECT 1 FROM privacy_productresponse p WHERE p.job_id = j.id)",
        org.id,
    )
    if not rows or any(row["next_detail_at"] is None for row in rows):
        return None
    booked_s = max((row["next_detail_at"] - cleared_at).total_seconds() for row in rows)
    if booked_s > DETAIL_LOOK_WITHIN.total_seconds():
        return None
    return {"jobs": len(rows), "booked_s": max(0.0, booked_s)}


def _submission_rows(stack: Stack, org: Org) -> list[dict[str, Any]]:
    return stack.sql(
        "SELECT state, job_ids, error, created_at FROM privacy_privacysubmission "
        "WHERE organization_id = %s ORDER BY created_at",
        org.id,
    )


def _submit(member: Member, org: Org, subject: str) -> tuple[int, str]:
    """Send an access request for one person from the request page: (HTTP status, the messages
    shown, or the form's errors when it was refused)."""
    page = member.post_form(
        f"/orgs/{org.code}/privacy/request/",
        {
            "regulation": "gdpr",
            "actions": ["access"],
            "products": ["analytics"],
            "subjects": f"{subject} | Email:{subject}@example.com",
        },
    )
    if page.status_code != 200:
        errors = re.findall(r'class="(?:errors|field-error)"[^>]*>(.*?)</', page.text, re.S)
        return page.status_code, "form refused: " + " / ".join(text_of(e) for e in errors)
    return page.status_code, messages(page.text)


def run_submission_row(stack: Stack, run: RowRun, admin: Member, sim: SimulatorControl) -> None:
    case, org = run.case, run.org
    assert org is not None
    wait_for(lambda: stack.backfilled(case.index), timeout=150, what=f"{org.ims_org_id} backfill")
    run.ims_before = stack.ims_calls(org)
    run.fault_at = utcnow()
    run.fault_id = sim.add_fault(
        case.fault.kind,
        org=org.ims_org_id,
        count=case.fault.count,
        **case.scope,
        **case.fault.params,
    )["id"]
    subject = f"e2e-{case.index}"
    status, shown = _submit(admin, org, subject)
    run.row.seen = shown
    at_adobe = [job for job in stack.adobe_jobs(org) if not job["generated"]]
    recorded = _submission_rows(stack, org)
    if not recorded:
        run.problems.append(f"nothing was recorded: HTTP {status}, {shown!r}")
        return
    first = recorded[-1]
    run.detail.append(
        f"HTTP {status}, the page said {shown!r}; state {first['state']!r}; "
        f"jobs at Adobe right after: {len(at_adobe)}"
    )
    if status != 200:
        run.problems.append(f"submitting answered HTTP {status}")
    if at_adobe and first["state"] == "failed":
        run.problems.append(
            "Adobe created the job, yet Lookout recorded the submission as not accepted "
            f"({shown!r}): a person would submit it again"
        )
    _remove_fault(sim, run.fault_id)
    cleared = time.monotonic()

    attempts, complete = 1, False
    deadline = cleared + RECOVERY_DEADLINE_S
    while time.monotonic() < deadline:
        latest = _submission_rows(stack, org)[-1]
        if latest["state"] in ("failed", "not_received"):
            if attempts >= 2:
                run.problems.append(f"the second submission ended {latest['state']!r} too")
                break
            attempts += 1  # as a person would, once Lookout says Adobe does not have it
            status, shown = _submit(admin, org, subject)
            run.detail.append(f"resubmitted after {latest['state']!r}: {shown!r}")
            continue
        if latest["state"] == "sent":
            at_adobe = [job for job in stack.adobe_jobs(org) if not job["generated"]]
            present = set(stack.job_ids(org))
            if (
                at_adobe
                and {job["job_id"] for job in at_adobe} <= present
                and stack.jobs_without_products(org) == 0
            ):
                complete = True
                break
        time.sleep(0.5)
    run.row.recovery_s = round(time.monotonic() - cleared, 1) if complete else None
    at_adobe = [job for job in stack.adobe_jobs(org) if not job["generated"]]
    present = set(stack.job_ids(org))
    run.row.expected = 1
    run.row.present = len({job["job_id"] for job in at_adobe} & present)
    run.row.duplicates = max(0, len(at_adobe) - 1)
    states = [row["state"] for row in _submission_rows(stack, org)]
    run.detail.append(f"submissions: {states}; jobs at Adobe for the person: {len(at_adobe)}")
    if not complete:
        run.problems.append(
            f"the person's request was not accepted and shown in {RECOVERY_DEADLINE_S:.0f} s "
            f"(submissions {states}, jobs at Adobe {len(at_adobe)})"
        )
    if len(at_adobe) > 1:
        run.problems.append(f"{len(at_adobe)} jobs at Adobe for one person's one request")
    page = admin.get(f"/orgs/{org.code}/privacy/request/").text
    newest = re.search(r'data-testid="submission-row">(.*?)</tr>', page, re.S)
    newest_text = text_of(newest.group(1)) if newest else ""
    if complete and "Accepted by Adobe" not in newest_text:
        run.problems.append(f"the newest submission reads {newest_text!r}")


def finish_row(stack: Stack, run: RowRun, admin: Member) -> None:
    """The figures every row reports, and what a member would notice on the pages."""
    org, row = run.org, run.row
    assert org is not None and row is not None
    row.ims_calls = stack.ims_calls(org) - run.ims_before
    if run.case.phase != "submission":
        expected = _visible_ids(stack, org)
        present = stack.job_ids(org)
        row.expected = len(expected)
        row.present = len(expected & set(present))
        row.duplicates = len(present) - len(set(present))
        without_detail = stack.jobs_without_products(org)
        if expected - set(present):
            run.problems.append(f"{len(expected - set(present))} of Adobe's jobs missing")
        if without_detail:
            run.problems.append(f"{without_detail} jobs without their per-product detail")
        listed = admin.get(org.jobs_path).text
        unlisted = [job_id for job_id in expected if job_id not in listed]
        if unlisted:
            run.problems.append(f"{len(unlisted)} of Adobe's jobs not on the job list page")
    if row.duplicates:
        run.problems.append(f"{row.duplicates} duplicates")
    ims_limit = {"backfill": 1, "polling": 0, "token refresh": 4, "submission": 0}[run.case.phase]
    if run.case.fault.kind == "revoked_token":
        ims_limit += run.case.fault.count or 0
    if row.ims_calls > ims_limit:
        run.problems.append(f"{row.ims_calls} IMS calls (at most {ims_limit} expected)")
    for credential in stack.credentials(org):
        if credential["needs_attention"]:
            run.problems.append(f"credential flagged 'needs attention': {credential['last_error']}")
        elif credential["consecutive_failures"]:
            run.problems.append(f"credential still failing: {credential['last_error']}")
    credentials_page = admin.get(f"/orgs/{org.code}/credentials/").text
    if "Needs attention" in text_by_testid(credentials_page, "token-health"):
        run.problems.append("the credentials page says 'Needs attention'")
    if run.problems:
        row.verdict = "FAIL: " + "; ".join(run.problems)
    else:
        row.verdict = f"ok ({row.verdict_note})" if row.verdict_note else "ok"


def run_row(stack: Stack, run: RowRun) -> None:
    sim = SimulatorControl(stack.sim.url)
    admin = stack.admin()
    try:
        if run.case.phase == "submission":
            run_submission_row(stack, run, admin, sim)
        else:
            run_sync_row(stack, run, admin, sim)
        finish_row(stack, run, admin)
    except Exception as exc:
        run.problems.append(f"{type(exc).__name__}: {exc}")
        run.detail.append(traceback.format_exc())
        run.row.verdict = "FAIL: " + "; ".join(run.problems)
    finally:
        _remove_fault(sim, run.fault_id)
        sim.close()

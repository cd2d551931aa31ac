"""Members browsing: each a thread that signs in through /login/ and opens pages as a person
does, recording how long each page took and anything but a complete 200 page."""

from __future__ import annotations

import os
import random
import re
import threading
import time
from dataclasses import dataclass, field

from tests.e2e import report
from tests.e2e.pages import PAGE_PATIENCE_S, Member
from tests.e2e.stack import Org, Stack

LOAD_SECONDS = float(os.environ.get("LOOKOUT_E2E_LOAD_SECONDS", "60"))
LOAD_MEMBERS = int(os.environ.get("LOOKOUT_E2E_LOAD_MEMBERS", "50"))
# Seconds a member reads a page before the next one (uniform between the two), and over how
# many seconds the members arrive and sign in.
THINK_S = tuple(float(s) for s in os.environ.get("LOOKOUT_E2E_THINK_SECONDS", "2,8").split(","))
ARRIVALS_S = 20.0
MEMBER_PASSWORD = "e2e-member-password-9"


@dataclass
class Browsing:
    sign_ins: list[float] = field(default_factory=list)
    pages: list[tuple[float, float]] = field(default_factory=list)  # (when it started, seconds)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def browse(
    stack: Stack, username: str, password: str, orgs: list[Org], until: float, out: Browsing
) -> None:
    rng = random.Random(username)
    member = Member(stack.web_url, username, password, timeout=PAGE_PATIENCE_S)
    time.sleep(rng.uniform(0, ARRIVALS_S))  # people arrive over a while, not all at once
    started = time.monotonic()
    try:
        member.sign_in()
    except Exception as exc:
        with out.lock:
            out.errors.append(f"{username} sign-in: {exc}"[:300])
        return
    with out.lock:
        out.sign_ins.append(time.monotonic() - started)
    details: list[str] = []
    while time.monotonic() < until:
        org = rng.choice(orgs)
        choices = [
            "/",
            f"/orgs/{org.code}/",
            org.jobs_path,
            f"{org.jobs_path}?status=complete",
            f"{org.jobs_path}?sort=-adobe_created_at&late=on",
            f"{org.jobs_path}?partial=1",
            f"/orgs/{org.code}/status/",
            f"/orgs/{org.code}/credentials/",
        ]
        path = rng.choice(choices + details[-3:])
        started = time.monotonic()
        try:
            page = member.get(path)
            elapsed = time.monotonic() - started
            problem = ""
            if page.status_code != 200:
                problem = f"HTTP {page.status_code}"
            elif "/login/" in page.url:
                problem = "signed out"
            elif "partial=1" not in path and "</html>" not in page.text:
                problem = "incomplete page"
            if path.startswith(org.jobs_path) and not problem:
                details.extend(re.findall(r'href="(/privacy/jobs/[0-9a-f-]+/)"', page.text)[:3])
        except Exception as exc:
            elapsed, problem = time.monotonic() - started, type(exc).__name__
        with out.lock:
            out.pages.append((started, elapsed))
            if problem:
                out.errors.append(f"{username} {path}: {problem}")
        time.sleep(rng.uniform(*THINK_S))


def load_figures(browsing: Browsing, *, began: float, syncs: int) -> report.LoadFigures:
    everyone_in = began + ARRIVALS_S + report.percentile(browsing.sign_ins, 1.0)
    steady = [took for at, took in browsing.pages if at >= everyone_in]
    took = [took for _at, took in browsing.pages]
    return report.LoadFigures(
        members=LOAD_MEMBERS,
        seconds=LOAD_SECONDS,
        pages=len(took),
        errors=len(browsing.errors),
        median_ms=report.median(took) * 1000,
        p95_ms=report.percentile(took, 0.95) * 1000,
        max_ms=max(took, default=0) * 1000,
        steady_median_ms=report.median(steady) * 1000,
        steady_p95_ms=report.percentile(steady, 0.95) * 1000,
        sign_in_median_ms=report.median(browsing.sign_ins) * 1000,
        sign_in_p95_ms=report.percentile(browsing.sign_ins, 0.95) * 1000,
        syncs_during=syncs,
        error_samples=browsing.errors[:10],
    )

"""Many organizations, few workers: 1,000 organizations kept in sync by 4 Celery worker processes.

    createdb -h 127.0.0.1 -U postgres bench_fleet
    LOOKOUT_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_fleet \\
    REDIS_URL=redis://127.0.0.1:6379/7 \\
        .venv/bin/python bench/fleet.py [--orgs 1000] [--jobs-per-org 20] [--scale 7.5]

The production stack, on this machine: its own simulator (``--orgs 1000 --jobs-per-org 20``,
frozen clock), PostgreSQL (LOOKOUT_BENCH_DATABASE_URL: its Lookout tables are emptied, never point
it at real data), Redis (REDIS_URL: that Redis database is emptied, give the bench one of its
own), ONE ``celery -A dashboard worker --pool prefork --concurrency 4`` (4 worker processes) and
the real ``celery -A dashboard beat``. Every interval of the schedule is divided by ``--scale``
(7.5: the 15-minute sync interval becomes 120 s, beat's 1-minute due check 8 s, the token check
40 s, the Status poll 16 s, the notification scan 8 s, the daily full listing 3.2 h): a cycle's
work per organization is unchanged, only the deadline is shorter, so the polling phase puts the
load of ``orgs x scale`` organizations (7,500) on the workers.

Phases, each measured on its own:

1. **onboard + backfill**: 1,000 organizations and their OAuth credentials through the services
   the pages use (``organization_create``, ``credential_create``, then the "organization ready"
   hook that queues the first sync), 100 per transaction, while the workers and beat run: the
   first token of each and a first full sync (1,000 x N jobs) go through the queue.
2. **steady polling**: ``--cycles`` sync intervals left to beat, untouched.
3. **all due at once**: every organization's next attempt set to now (what a broker outage or a
   bulk onboarding lines up); the time until all are synced again is the capacity of the workers.
4. **a day later**: Lookout's clock moved one day for tokens and full listings (each credential's
   token set to expire in 30 minutes, each last full listing a day older; the simulator's tokens
   stay valid: only Lookout decides when to refresh): one IMS call per credential is due, and the
   daily full listing of every organization.

A sampler reads ``LLEN celery`` and every PrivacySyncState row every ``--sample`` seconds (sync lag
= now - last_success_at, which is a run's start); the worker's log gives each sync task's run
time; /proc gives CPU seconds of the worker (with its pool), beat, the simulator, every
PostgreSQL process of the machine and the whole machine; the simulator counts IMS and Privacy
Service requests per phase. Everything is printed at the end as Markdown tables.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from harness import ROOT, configure_django, start_simulator  # bench/ is on sys.path

NAME = "bench-fleet"
BENCH_DIR = ROOT / "var" / NAME
PRODUCTION = {  # the production value of every interval the bench shortens (settings' defaults)
    "LOOKOUT_PRIVACY_SYNC_INTERVAL": 900,
    "LOOKOUT_PRIVACY_DUE_CHECK_INTERVAL": 60,
    "LOOKOUT_TOKEN_REFRESH_INTERVAL": 300,
    "LOOKOUT_STATUS_POLL_INTERVAL": 120,
    "LOOKOUT_NOTIFICATION_SCAN_INTERVAL": 60,
    "LOOKOUT_PRIVACY_FULL_LISTING_INTERVAL": 86_400,
}
TICK = os.sysconf("SC_CLK_TCK")
TASK_LINE = re.compile(
    r"Task (?P<name>[\w.]+)\[[^\]]+\] succeeded in (?P<secs>[\d.e-]+)s: (?P<rv>.*)"
)
REQUESTS = re.compile(r"in ([\d,]+) requests")


# ---------------------------------------------------------------------------------------------
# CPU from /proc


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds of the process and of its reaped children)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    # fields[1] is ppid; utime, stime, cutime, cstime are fields 14-17 of stat (11-14 here).
    return int(fields[1]), sum(int(v) for v in fields[11:15]) / TICK


def _comm(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def cpu_tree(root: int) -> float:
    """CPU seconds of ``root`` and every living descendant (a prefork worker's pool)."""
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (found := _stat(int(entry))):
            parents[int(entry)], cpu[int(entry)] = found
    total, wanted = 0.0, {root}
    for pid in sorted(cpu):  # children have larger pids, except after a pid wrap: good enough
        if pid in wanted or parents.get(pid) in wanted:
            wanted.add(pid)
            total += cpu[pid]
    return total


def cpu_postgres() -> float:
    """Every PostgreSQL process of the machine (the postmaster holds its ended backends' CPU)."""
    return sum(
        found[1]
        for pid in os.listdir("/proc")
        if pid.isdigit() and _comm(pid) in {"postgres", "postmaster"} and (found := _stat(int(pid)))
    )


def cpu_machine() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / TICK, sum(values[:8]) / TICK


# ---------------------------------------------------------------------------------------------
# Processes


def spawn(name: str, argv: list[str], env: dict[str, str], ready: str) -> subprocess.Popen:
    log_path = BENCH_DIR / f"{name}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + 90
    while ready not in log_path.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"{name} did not start; see {log_path}")
        time.sleep(0.2)
    return process


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


# ---------------------------------------------------------------------------------------------
# Sampling


@dataclass
class Sample:
    at: datetime
    queued: int
    max_lag: float | None  # None while an organization has never synced
    never: int


@dataclass
class Sampler:
    """Every ``every`` seconds: the queue's depth and every organization's last success."""

    redis_url: str
    orgs: int
    every: float
    samples: list[Sample] = field(default_factory=list)
    successes: dict[int, set[datetime]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> Sampler:
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        import redis
        from django.db import connection
        from django.utils import timezone

        from privacy.models import PrivacySyncState

        client = redis.Redis.from_url(self.redis_url)
        table = PrivacySyncState._meta.db_table
        try:
            while not self._stop.wait(self.every):
                queued = int(client.llen("celery"))
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT organization_id, last_success_at FROM {table}")  # noqa: S608
                    rows = cursor.fetchall()
                now = timezone.now()
                seen = [success for _, success in rows if success is not None]
                for org_id, success in rows:
                    if success is not None:
                        self.successes.setdefault(org_id, set()).add(success)
                never = self.orgs - len(seen)
                max_lag = (now - min(seen)).total_seconds() if seen and not never else None
                self.samples.append(Sample(now, queued, max_lag, never))
        finally:
            client.close()
            connection.close()

    def between(self, start: datetime, end: datetime) -> list[Sample]:
        return [s for s in self.samples if start <= s.at <= end]

    def runs_between(self, start: datetime, end: datetime) -> dict[int, list[datetime]]:
        """Each organization's successful runs that started within [start, end]."""
        return {
            org: sorted(t for t in times if start <= t <= end)
            for org, times in self.successes.items()
        }

    def gaps_ending_between(self, start: datetime, end: datetime) -> list[float]:
        """Seconds between two successive runs of one organization, the second within [start,
        end] (the first may be earlier)."""
        return [
            (b - a).total_seconds()
            for times in self.successes.values()
            for a, b in itertools.pairwise(sorted(times))
            if start <= b <= end
        ]


# ---------------------------------------------------------------------------------------------
# Phases


@dataclass
class Phase:
    name: str
    started: datetime
    cpu_start: dict[str, float]
    log_offset: int
    ended: datetime | None = None
    cpu: dict[str, float] = field(default_factory=dict)
    requests: dict = field(default_factory=dict)
    log: str = ""
    note: str = ""
    load: float = 0.0  # the machine's 1-minute load average at the end

    @property
    def seconds(self) -> float:
        assert self.ended is not None
        return (self.ended - self.started).total_seconds()


class Bench:
    def __init__(self, args: argparse.Namespace, url: str) -> None:
        from simulator.control import SimulatorControl

        self.args = args
        self.control = SimulatorControl(url, timeout=120)
        self.worker: subprocess.Popen | None = None
        self.beat: subprocess.Popen | None = None
        self.simulator_pid = 0
        self.phases: list[Phase] = []
        self.sampler: Sampler | None = None

    # -- measuring ----------------------------------------------------------------------------

    def cpu(self) -> dict[str, float]:
        busy, total = cpu_machine()
        return {
            "worker": cpu_tree(self.worker.pid) if self.worker else 0.0,
            "beat": cpu_tree(self.beat.pid) if self.beat else 0.0,
            "simulator": cpu_tree(self.simulator_pid),
            "postgres": cpu_postgres(),
            "bench": cpu_tree(os.getpid())
            - sum(  # this process and its sampler thread
                cpu_tree(p.pid) for p in (self.worker, self.beat) if p
            )
            - cpu_tree(self.simulator_pid),
            "machine": busy,
            "machine_total": total,
        }

    def begin(self, name: str) -> Phase:
        from django.utils import timezone

        self.control.reset_requests()
        log = BENCH_DIR / "worker.log"
        phase = Phase(name, timezone.now(), self.cpu(), log.stat().st_size if log.exists() else 0)
        self.phases.append(phase)
        print(f"[{time.strftime('%H:%M:%S')}] {name} ...", flush=True)
        return phase

    def end(self, phase: Phase, note: str = "") -> Phase:
        from django.utils import timezone

        phase.ended = timezone.now()
        after = self.cpu()
        phase.cpu = {key: after[key] - phase.cpu_start[key] for key in after}
        phase.requests = self.control.requests()
        with (BENCH_DIR / "worker.log").open("rb") as log:
            log.seek(phase.log_offset)
            phase.log = log.read().decode(errors="replace")
        phase.note = note
        phase.load = os.getloadavg()[0]
        time.sleep(self.args.sample + 0.5)  # the sampler sees the phase's last runs
        print(f"[{time.strftime('%H:%M:%S')}]   {phase.seconds:.0f} s {note}", flush=True)
        return phase

    def wait(self, what: str, done, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                sys.exit(f"timed out after {timeout:.0f} s waiting for {what}")
            time.sleep(1)

    # -- the stack ----------------------------------------------------------------------------

    def start_processes(self) -> None:
        env = {**os.environ, "LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1"}
        self.worker = spawn(
            "worker",
            [sys.executable, "-m", "celery", "-A", "dashboard", "worker", "--pool", "prefork",
             "--concurrency", str(self.args.processes), "--loglevel", "INFO",
             "--hostname", f"fleet-{os.getpid()}@%h", "--without-gossip", "--without-mingle"],
            env,
            " ready.",
        )  # fmt: skip
        self.beat = spawn(
            "beat",
            [sys.executable, "-m", "celery", "-A", "dashboard", "beat", "--loglevel", "INFO",
             "--schedule", str(BENCH_DIR / "beat-schedule")],
            env,
            "beat: Starting...",
        )  # fmt: skip

    def stop_processes(self) -> None:
        stop(self.beat)
        stop(self.worker)

    # -- the phases ---------------------------------------------------------------------------

    def onboard(self) -> None:
        """Every simulated organization and its OAuth credential, as the pages onboard them."""
        from django.db import transaction

        from dashboard import hooks
        from dashboard.models import Credential
        from dashboard.services.credentials import CredentialInput, credential_create
        from dashboard.services.organizations import organization_create
        from simulator.orgs import generate_orgs

        # GET /_simulator/orgs makes an RSA key pair per organization (about 50 ms each, a
        # minute for 1,000); an OAuth credential needs none of it. The simulator generates its
        # organizations from its seed alone, so the same call gives the same ids and secrets:
        # checked against the simulator for the first and the last.
        config = self.control.config()
        generated = generate_orgs(seed=config["seed"], count=config["orgs"])
        for index in (0, len(generated) - 1):
            real = self.control.org(index)
            assert (real.client_id, real.client_secrets[0]) == (
                generated[index].client_id,
                generated[index].generated_secrets[0],
            ), "the simulator's organizations are not generate_orgs(seed)"
        for start in range(0, len(generated), 100):
            with transaction.atomic():
                for org in generated[start : start + 100]:
                    organization = organization_create(name=org.name, ims_org_id=org.ims_org_id)
                    credential_create(
                        organization=organization,
                        created_by=None,
                        data=CredentialInput(
                            kind=Credential.Kind.OAUTH,
                            name=org.name,
                            client_id=org.client_id,
                            client_secrets=list(org.generated_secrets),
                            scopes=list(org.scopes),
                        ),
                    )
                    hooks.organization_ready_on_commit(organization.pk)

    def all_synced_since(self, since: datetime, *, backfilled: bool = False) -> bool:
        from privacy.models import PrivacySyncState

        rows = PrivacySyncState.objects.filter(last_success_at__gte=since)
        if backfilled:
            rows = rows.filter(backfilled_at__isnull=False)
        return rows.count() >= self.args.orgs

    def run(self) -> None:
        from django.db.models import F
        from django.utils import timezone

        from dashboard.models import Credential
        from privacy.models import PrivacySyncState

        scale = self.args.scale
        interval = int(os.environ["LOOKOUT_PRIVACY_SYNC_INTERVAL"])
        self.start_processes()
        self.sampler = Sampler(os.environ["REDIS_URL"], self.args.orgs, self.args.sample).start()

        phase = self.begin("onboard + backfill")
        t0 = time.monotonic()
        self.onboard()
        onboarded = time.monotonic() - t0
        self.wait(
            "every first sync",
            lambda: self.all_synced_since(phase.started, backfilled=True),
            self.args.timeout,
        )
        self.end(phase, f"(onboarding itself {onboarded:.0f} s)")

        phase = self.begin("steady polling")
        time.sleep(self.args.cycles * interval)
        self.end(phase)

        phase = self.begin("all due at once")
        PrivacySyncState.objects.update(next_attempt_at=timezone.now())
        self.wait("every organization synced", lambda: self.all_synced_since(phase.started), 600)
        self.end(phase)
        time.sleep(3 * int(os.environ["LOOKOUT_PRIVACY_DUE_CHECK_INTERVAL"]))  # let it settle

        if not self.args.skip_day:
            phase = self.begin("a day later")
            now = timezone.now()
            # Lookout's clock one day on: every token 23.5 h old, every full listing a day older.
            Credential.objects.update(token_expires_at=now + timedelta(minutes=30))
            PrivacySyncState.objects.update(
                full_listing_at=F("full_listing_at") - timedelta(days=1)
            )
            self.wait(
                "every token refreshed and every organization fully listed",
                lambda: (
                    Credential.objects.filter(token_obtained_at__gte=now).count() >= self.args.orgs
                    and PrivacySyncState.objects.filter(full_listing_at__gte=now).count()
                    >= self.args.orgs
                ),
                self.args.timeout,
            )
            self.end(phase)
        self.sampler.stop()
        self.report(scale, interval)

    # -- the report ---------------------------------------------------------------------------

    def report(self, scale: float, interval: int) -> None:
        from simulator.control import IMS_TOKEN, JOB, JOBS

        orgs, processes = self.args.orgs, self.args.processes
        assert self.sampler is not None
        print()
        print(
            f"{orgs:,} organizations x {self.args.jobs_per_org} jobs; one prefork worker with "
            f"{processes} processes, one beat; PostgreSQL, Redis; {os.cpu_count()} cores. "
            f"Intervals / {scale:g}: sync every {interval} s (production 900 s), due check every "
            f"{os.environ['LOOKOUT_PRIVACY_DUE_CHECK_INTERVAL']} s (60 s)."
        )
        print()
        header = (
            "| phase | wall s | syncs run | syncs/s | per process/s | sync task s mean / p95 "
            "| sync tasks not run (not due, expired) | other tasks | max lag s | queue max "
            "| IMS calls | Privacy GET /jobs + /jobs/{id} | CPU s: worker / beat / simulator / "
            "PostgreSQL | machine busy (others' share) | load avg |"
        )
        print(header)
        print("|" + "---|" * (header.count("|") - 1))
        summary: dict[str, dict] = {}
        for phase in self.phases:
            stats = self.phase_stats(phase)
            summary[phase.name] = stats
            endpoints = phase.requests.get("endpoints", {})
            cpu = phase.cpu
            total = cpu["machine_total"] or 1.0
            busy = cpu["machine"] / total * 100
            ours = sum(cpu[k] for k in ("worker", "beat", "simulator", "postgres", "bench"))
            others = max(0.0, cpu["machine"] - ours) / total * 100
            print(
                f"| {phase.name} | {phase.seconds:.0f} | {stats['runs']:,} | "
                f"{stats['runs'] / phase.seconds:.1f} | "
                f"{stats['runs'] / phase.seconds / processes:.2f} | "
                f"{stats['mean']:.2f} / {stats['p95']:.2f} | "
                f"{stats['skipped']:,}, {stats['expired']:,} | {stats['other']} | "
                f"{_num(stats['max_lag'])} | {stats['queue_max']:,} | "
                f"{endpoints.get(IMS_TOKEN, 0):,} | "
                f"{endpoints.get(JOBS, 0):,} + {endpoints.get(JOB, 0):,} | "
                f"{cpu['worker']:.0f} / {cpu['beat']:.0f} / {cpu['simulator']:.0f} / "
                f"{cpu['postgres']:.0f} | {busy:.0f} % ({others:.0f} %) | {phase.load:.1f} |"
            )
        print()
        for phase in self.phases:
            series = [s.queued for s in self.sampler.between(phase.started, phase.ended)]
            stride = max(1, -(-len(series) // 40))
            shown = " ".join(
                str(max(series[i : i + stride])) for i in range(0, len(series), stride)
            )
            print(
                f"queue depth ({phase.name}, max of each {stride * self.args.sample:g} s): {shown}"
            )
        print()
        self.key_figures(summary, scale, interval)

    def phase_stats(self, phase: Phase) -> dict:
        assert self.sampler is not None and phase.ended is not None
        durations, skipped, other = [], 0, {}
        for line in phase.log.splitlines():
            match = TASK_LINE.search(line)
            if not match:
                continue
            if match["name"] != "privacy.jobs_sync":
                short = match["name"].split(".", 1)[1]
                other[short] = other.get(short, 0) + 1
                continue
            found = REQUESTS.search(match["rv"])
            if found and found[1] == "0":
                skipped += 1  # claimed by nobody: running elsewhere or not due
            else:
                durations.append(float(match["secs"]))
        durations.sort()
        samples = self.sampler.between(phase.started, phase.ended)
        lags = [s.max_lag for s in samples if s.max_lag is not None]
        runs = self.sampler.runs_between(phase.started, phase.ended)
        return {
            "runs": sum(len(times) for times in runs.values()),
            "runs_by_org": runs,
            "tasks_ran": len(durations),
            "busy": sum(durations),
            "mean": statistics.mean(durations) if durations else 0.0,
            "p95": durations[int(0.95 * (len(durations) - 1))] if durations else 0.0,
            "skipped": skipped,
            "expired": phase.log.count("Discarding revoked task: privacy.jobs_sync"),
            "other": ", ".join(f"{n} {name}" for name, n in sorted(other.items())) or "-",
            "max_lag": max(lags) if lags else None,
            "queue_max": max((s.queued for s in samples), default=0),
        }

    def key_figures(self, summary: dict[str, dict], scale: float, interval: int) -> None:
        orgs, processes = self.args.orgs, self.args.processes
        steady = summary["steady polling"]
        burst = summary["all due at once"]
        burst_phase = next(p for p in self.phases if p.name == "all due at once")
        steady_phase = next(p for p in self.phases if p.name == "steady polling")
        due = int(os.environ["LOOKOUT_PRIVACY_DUE_CHECK_INTERVAL"])
        # The longest time between two successive runs of one organization while polling.
        assert self.sampler is not None and steady_phase.ended is not None
        gaps = self.sampler.gaps_ending_between(steady_phase.started, steady_phase.ended)
        capacity = burst["runs"] / burst_phase.seconds
        worker_cpu = steady_phase.cpu["worker"] / steady_phase.seconds
        print("| figure | measured | what it means at the production interval (900 s) |")
        print("|---|---|---|")
        print(
            f"| one full cycle, all {orgs:,} due at once | {burst_phase.seconds:.0f} s "
            f"({capacity:.1f} organizations/s, {capacity / processes:.2f} per process) | "
            f"needed: {orgs / 900:.2f}/s; these {processes} processes would keep "
            f"{capacity * 900:,.0f} organizations within 900 s |"
        )
        print(
            f"| steady polling: runs per organization per interval | "
            f"{steady['runs'] / orgs / (steady_phase.seconds / interval):.2f} "
            f"({steady['runs']:,} runs in {steady_phase.seconds:.0f} s) | 1.00 means every "
            f"organization synced once per interval, no backlog, at {scale:g}x the production "
            f"load ({orgs * scale:,.0f} organizations' worth) |"
        )
        print(
            f"| steady polling: longest time between two runs of one organization | "
            f"{max(gaps, default=0):.0f} s (interval {interval} s + due check {due} s + queue "
            f"and run) | {900 + 60 + max(0.0, max(gaps, default=0) - interval - due):.0f} s at "
            "most: 900 s + the 60 s due check + the same queue wait (less: the load is "
            f"{scale:g}x lower) |"
        )
        print(
            f"| worst sync lag (now - last_success_at), steady polling | "
            f"{_num(steady['max_lag'])} s | {_production(steady['max_lag'], interval, due)} |"
        )
        print(
            f"| worst sync lag, all due at once | {_num(burst['max_lag'])} s | the same "
            f"backlog ({burst_phase.seconds:.0f} s to clear) on top of the interval |"
        )
        print(
            f"| sync task run time (steady polling) | mean {steady['mean'] * 1000:.0f} ms, p95 "
            f"{steady['p95'] * 1000:.0f} ms; {steady['busy']:.0f} worker-process seconds for "
            f"{steady['tasks_ran']:,} syncs | the same per sync |"
        )
        print(
            f"| worker CPU (steady polling) | {worker_cpu:.2f} cores ({worker_cpu * 100:.0f} % "
            f"of one) for {steady['runs'] / steady_phase.seconds:.1f} syncs/s: "
            f"{steady_phase.cpu['worker'] / max(1, steady['runs']) * 1000:.0f} ms CPU a sync | "
            f"{orgs / 900 * steady_phase.cpu['worker'] / max(1, steady['runs']):.2f} cores for "
            f"{orgs:,} organizations |"
        )
        self.ims_figure()

    def ims_figure(self) -> None:
        from simulator.control import IMS_TOKEN

        orgs = self.args.orgs
        calls = {p.name: p.requests.get("endpoints", {}).get(IMS_TOKEN, 0) for p in self.phases}
        between = calls.get("steady polling", 0) + calls.get("all due at once", 0)
        polled = sum(
            p.seconds for p in self.phases if p.name in {"steady polling", "all due at once"}
        )
        day = calls.get("a day later")
        day_text = (
            f"{day:,} at the day boundary ({day / orgs:.2f} per credential)"
            if day is not None
            else "day boundary skipped"
        )
        print(
            f"| IMS calls per credential per day | onboarding {calls['onboard + backfill']:,} "
            f"({calls['onboard + backfill'] / orgs:.2f} per credential); {between} while polling "
            f"({polled * self.args.scale / 3600:.1f} h of production polling); {day_text} | "
            f"tokens live 24 h and are refreshed 1 h before they end: 24 / 23 = 1.04 a day |"
        )


def _production(lag: float | None, interval: int, due: int) -> str:
    """A lag measured on shortened intervals, at production's: the interval and the due check's
    wait scale up; the queue wait and the run itself (what is left) do not."""
    if lag is None:
        return "-"
    return f"at most 900 + 60 + {max(0.0, lag - interval - due):.0f} s"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orgs", type=int, default=1000)
    parser.add_argument("--jobs-per-org", type=int, default=20)
    parser.add_argument("--processes", type=int, default=4, help="worker pool processes")
    parser.add_argument("--scale", type=float, default=7.5, help="production intervals / this")
    parser.add_argument("--cycles", type=int, default=3, help="sync intervals of steady polling")
    parser.add_argument("--sample", type=float, default=2.0, help="seconds between samples")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds a phase may take")
    parser.add_argument("--skip-day", action="store_true", help="no day-boundary phase")
    args = parser.parse_args()
    for variable in ("LOOKOUT_BENCH_DATABASE_URL", "REDIS_URL"):
        if not os.environ.get(variable):
            sys.exit(f"{variable} is not set: this bench runs on PostgreSQL and Redis (see --help)")

    # A terminated bench still stops its processes (finally blocks run on SystemExit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    started = time.perf_counter()
    simulator, url = start_simulator(
        "--orgs", str(args.orgs), "--jobs-per-org", str(args.jobs_per_org), "--log-level", "ERROR"
    )
    print(f"simulator with {args.orgs:,} x {args.jobs_per_org} jobs up in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    bench = None
    try:
        intervals = {
            name: str(max(1, round(value / args.scale))) for name, value in PRODUCTION.items()
        }
        configure_django(
            url,
            name=NAME,
            CELERY_BROKER_URL=os.environ["REDIS_URL"],
            **intervals,
        )
        empty_everything(os.environ["REDIS_URL"])
        bench = Bench(args, url)
        bench.simulator_pid = simulator.pid
        bench.run()
    finally:
        if bench is not None:
            if bench.sampler is not None:
                bench.sampler.stop()
            bench.stop_processes()
        simulator.terminate()
        simulator.wait(timeout=10)


def empty_everything(redis_url: str) -> None:
    """Migrate, then empty the bench database's Lookout tables and the bench's Redis database."""
    import redis
    from django.core.management import call_command
    from django.db import connection

    from dashboard.models import AdobeRequestHour, Organization
    from privacy.models import PrivacyJob, ProductResponse

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        for model in (ProductResponse, PrivacyJob, AdobeRequestHour):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608 - table names
    Organization.objects.all().delete()
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()


if __name__ == "__main__":
    main()

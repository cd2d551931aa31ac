"""The whole Lookout stack as separate processes on loopback ports, for the end-to-end suite.

`Stack.start()` brings up, in this order:

* a private ``redis-server`` on a free port, without persistence (``--save "" --appendonly no``),
  so a scenario can stop it and start it again without touching the shared Redis;
* a dedicated PostgreSQL database, ``<name of DATABASE_URL>_e2e_<pid>``, on the server of
  ``DATABASE_URL``: created here, migrated by ``manage.py migrate`` in a subprocess, dropped at the
  end. The test process reads it with its own psycopg connection (`Stack.sql`), never through
  Django's connection, which belongs to pytest-django's test database;
* the Adobe simulator (``python -m simulator --port 0``, its clock ticking);
* ``manage.py demo_setup --simulator`` (the simulator's first organization and its admin), then
  more organizations onboarded by ``tests/e2e/seed.py`` through ``manage.py onboard_credential``;
* gunicorn serving ``dashboard.wsgi`` (3 sync workers, as in docker-compose.yml), two Celery
  workers (``--concurrency 1``, hostnames ``e2e-a@…`` and ``e2e-b@…``) and one beat.

Every process gets the same environment (`Stack.env`), with intervals short enough for scenarios
to finish in seconds (`INTERVALS`), and writes its log to its own file; `Stack.tails()` gives the
end of each for failure reports.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
from cryptography.fernet import Fernet
from psycopg.rows import dict_row

from simulator.control import SimulatedOrg, SimulatorControl
from tests.e2e.pages import Member
from tests.e2e.processes import (
    PROJECT_ROOT,
    PYTHON,
    Service,
    beat_service,
    free_port,
    redis_service,
    simulator_service,
    simulator_url,
    web_service,
    worker_service,
)

# What the scenarios rely on; each is the environment variable of dashboard/settings.py.
INTERVALS = {
    # An organization is synced every 10 s, and beat looks for due syncs every 2 s.
    "LOOKOUT_PRIVACY_SYNC_INTERVAL": "10",
    "LOOKOUT_PRIVACY_DUE_CHECK_INTERVAL": "2",
    # A killed sync's lease frees itself after 6 s (the heartbeat renews it every 2 s).
    "LOOKOUT_PRIVACY_SYNC_LEASE": "6",
    # Beat looks for tokens to refresh every 5 s (refresh margin: the default hour).
    "LOOKOUT_TOKEN_REFRESH_INTERVAL": "5",
    "LOOKOUT_STATUS_POLL_INTERVAL": "10",
    # A submission whose answer was lost is called "not received" 20 s after it was sent if
    # Adobe has no job from it by then (settings of the uncertain-submission work).
    "LOOKOUT_PRIVACY_UNCERTAIN_WINDOW": "20",
    # Any Adobe call gives up after 2 s, so a `slow` fault of 3 s is past the timeout.
    "ADOBE_HTTP_TIMEOUT": "2",
    "LOOKOUT_HEALTHZ_TIMEOUT": "2",
    "LOOKOUT_LIVE_REFRESH_SECONDS": "5",
}
# Simulator organizations by role (indexes; the simulator makes SIMULATOR_ORGS of them).
BASE_ORGS = [0, 1, 2, 3]  # 0 is demo_setup's; watched by the process, broker and database scenarios
KILL_ORG = 4  # the backfill whose worker is killed
MATRIX_FIRST = 5  # the fault matrix takes one organization per row from here
POSTGRES_ORG = 41  # the second stack, on its own PostgreSQL cluster
SIMULATOR_ORGS = 42
SIMULATOR_JOBS_PER_ORG = 40


def say(message: str) -> None:
    """Progress on the terminal (shown with -s)."""
    print(f"[e2e {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def wait_for(
    condition: Callable[[], Any], *, timeout: float, what: str, interval: float = 0.25
) -> Any:
    """The first truthy value of ``condition()``; AssertionError naming ``what`` on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


@dataclass
class Org:
    """A simulator organization onboarded in Lookout."""

    sim: SimulatedOrg
    id: int  # Lookout's primary key
    code: str  # Lookout's UUID, in URLs

    @property
    def ims_org_id(self) -> str:
        return self.sim.ims_org_id

    @property
    def jobs_path(self) -> str:
        return f"/orgs/{self.code}/privacy/"


def _database_url_parts(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": parts.username or "postgres",
        "password": parts.password or "",
        "dbname": parts.path.lstrip("/"),
    }


def _database_url(parts: dict[str, Any]) -> str:
    auth = parts["user"] + (f":{parts['password']}" if parts["password"] else "")
    return f"postgres://{auth}@{parts['host']}:{parts['port']}/{parts['dbname']}"


@dataclass
class Stack:
    """Lookout and its parts, each a separate process; see the module docstring."""

    server_url: str  # DATABASE_URL of the PostgreSQL server the e2e database goes on
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="lookout-e2e-")))
    services: dict[str, Service] = field(default_factory=dict)
    orgs: dict[int, Org] = field(default_factory=dict)  # by simulator index
    admin_password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    demo_login: tuple[str, str] = ("", "")
    sim: SimulatorControl | None = None
    redis_port: int = 0
    redis_db: int = 0
    web_port: int = 0
    web_workers: int = 3
    encryption_key: str = field(default_factory=lambda: Fernet.generate_key().decode())
    secret_key: str = field(default_factory=lambda: f"e2e-{secrets.token_urlsafe(40)}")
    # Threads a scenario leaves running after its test returned, by group (`wait_background`).
    background: dict[str, list[threading.Thread]] = field(default_factory=dict)

    ADMIN = "e2e-admin"  # admin of every organization the suite onboards

    def __post_init__(self) -> None:
        self.logs = self.root / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        server = _database_url_parts(self.server_url)
        self.db = {**server, "dbname": f"{server['dbname'] or 'lookout'}_e2e_{os.getpid()}"}
        self.keys_file = self.root / "encryption_keys"
        self.keys_file.write_text(self.encryption_key + "\n")
        self.keys_file.chmod(0o600)
        self._local = threading.local()
        self._admin_lock = threading.Lock()
        self._admin_member: Member | None = None

    # -- environment ---------------------------------------------------------------------------

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/{self.redis_db}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def database_url(self) -> str:
        return _database_url(self.db)

    def env(self) -> dict[str, str]:
        """The environment of every process of this stack."""
        env = {
            key: value
            for key, value in os.environ.items()
            if key
            not in {
                "SECRET_KEY_FILE",
                "LOOKOUT_ENCRYPTION_KEYS",
                "LOOKOUT_ENCRYPTION_KEYS_FILE",
                "REDIS_URL",
                "CELERY_BROKER_URL",
                "PYTEST_CURRENT_TEST",
            }
        }
        assert self.sim is not None
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "dashboard.settings",
                "PYTHONUNBUFFERED": "1",
                "DEBUG": "false",
                "SECRET_KEY": self.secret_key,
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                "CELERY_BROKER_URL": self.redis_url,
                "LOOKOUT_ENCRYPTION_KEYS_FILE": str(self.keys_file),
                "LOOKOUT_VAR_DIR": str(self.root / "var"),
                "STATIC_ROOT": str(self.root / "static"),
                "ADOBE_IMS_URL": self.sim.ims_url,
                "ADOBE_PRIVACY_API_URL": self.sim.privacy_url,
                "ADOBE_STATUS_API_URL": self.sim.status_url,
                "LOG_LEVEL": "INFO",
                **INTERVALS,
            }
        )
        return env

    # -- start and stop ------------------------------------------------------------------------

    def start(self, *, base_orgs: Sequence[int] = ()) -> Stack:
        """Start every part; ``base_orgs`` (simulator indexes besides demo_setup's first one) are
        onboarded while the web and worker processes boot."""
        started = time.monotonic()
        self.redis_port = free_port()
        self.services["redis"] = redis_service(self.redis_port, self.logs).start()
        self._start_simulator()
        self._create_database()
        env = self.env()
        self.web_port = free_port()
        self.services["web"] = web_service(env, self.web_port, self.web_workers, self.logs)
        for name in ("worker-a", "worker-b"):
            self.services[name] = worker_service(name, env, self.logs)
        self.services["beat"] = beat_service("beat", env, self.logs, self.root / "var")

        # The processes boot (imports, gunicorn's workers) while the database is migrated and
        # the organizations onboarded; nothing reads the database before a task is queued.
        def prepare() -> None:
            self.manage("migrate", "--noinput", timeout=180)
            self._demo_setup()
            # e2e-admin joins the demo organization as an admin too.
            self.onboard(
                list(base_orgs),
                users=[
                    {
                        "username": self.ADMIN,
                        "password": self.admin_password,
                        "memberships": [[self.orgs[0].ims_org_id, "admin"]],
                    }
                ],
            )

        failures: list[BaseException] = []

        def run(step: Callable[[], Any]) -> None:
            try:
                step()
            except BaseException as exc:  # reported below, with the step's own message
                failures.append(exc)

        for name in ("web", "worker-a", "worker-b"):
            self.services[name].spawn()
        steps = [prepare, *(self.services[n].wait_ready for n in ("web", "worker-a", "worker-b"))]
        threads = [threading.Thread(target=run, args=(step,)) for step in steps]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]
        if len(self.orgs) != 1 + len(base_orgs):
            raise RuntimeError("onboarding the base organizations failed (see above)")
        self.services["beat"].start()
        say(f"stack up in {time.monotonic() - started:.1f} s: {self.describe()}")
        return self

    def start_small(self, *, sim: SimulatorControl, redis_port: int, org_index: int) -> Stack:
        """A second, smaller instance (gunicorn, one worker, one beat) on this stack's database
        server, sharing the simulator and the Redis server (its own database number)."""
        started = time.monotonic()
        self.sim, self.redis_port = sim, redis_port
        self._create_database()
        env = self.env()
        self.web_port = free_port()
        self.services["web"] = web_service(env, self.web_port, self.web_workers, self.logs)
        self.services["worker-a"] = worker_service("worker-a", env, self.logs)
        self.services["beat"] = beat_service("beat", env, self.logs, self.root / "var")

        def prepare() -> None:
            self.manage("migrate", "--noinput", timeout=180)
            self.onboard([org_index])

        self.services["web"].spawn()
        self.services["worker-a"].spawn()
        threads = [
            threading.Thread(target=step)
            for step in (
                prepare,
                self.services["web"].wait_ready,
                self.services["worker-a"].wait_ready,
            )
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for name in ("web", "worker-a"):
            if not self.services[name].running():
                raise RuntimeError(f"{name} did not start:\n{self.services[name].tail(60)}")
        if org_index not in self.orgs:
            raise RuntimeError("onboarding failed (see above)")
        self.services["beat"].start()
        say(f"second stack up in {time.monotonic() - started:.1f} s: {self.describe()}")
        return self

    def describe(self) -> str:
        return (
            f"web {self.web_url}, simulator {self.sim.url if self.sim else '-'}, "
            f"redis :{self.redis_port}, database {self.db['dbname']}, logs {self.logs}"
        )

    def stop(self, *, keep_logs: bool) -> None:
        for name in reversed(list(self.services)):
            with contextlib.suppress(Exception):
                self.services[name].stop(timeout=10)
        with contextlib.suppress(Exception):
            self._drop_database()
        if self.sim is not None and "simulator" in self.services:
            self.sim.close()
        if not keep_logs:
            shutil.rmtree(self.root, ignore_errors=True)

    def _start_simulator(self) -> None:
        service = simulator_service(SIMULATOR_ORGS, SIMULATOR_JOBS_PER_ORG, self.logs)
        self.services["simulator"] = service.start()
        self.sim = SimulatorControl(simulator_url(service))

    def add_beat(self, name: str) -> Service:
        """Another beat (each with its own schedule file): two beats started by mistake."""
        self.services[name] = beat_service(name, self.env(), self.logs, self.root / "var")
        return self.services[name]

    # -- the database --------------------------------------------------------------------------

    def _admin_connection(self) -> psycopg.Connection:
        return psycopg.connect(
            **{**self.db, "dbname": "postgres"}, autocommit=True, connect_timeout=5
        )

    def _create_database(self) -> None:
        with self._admin_connection() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db["dbname"]}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.db["dbname"]}"')

    def _drop_database(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        with self._admin_connection() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.db["dbname"]}" WITH (FORCE)')

    def sql(self, query: str, *params: Any) -> list[dict[str, Any]]:
        """Read Lookout's database (one autocommit connection per thread, opened again once if
        the server dropped it: the database scenario restarts its server)."""
        for attempt in (1, 2):
            conn = getattr(self._local, "conn", None)
            if conn is None or conn.closed:
                conn = psycopg.connect(**self.db, autocommit=True, row_factory=dict_row)
                self._local.conn = conn
            try:
                with conn.cursor() as cursor:
                    cursor.execute(query, params)
                    return cursor.fetchall() if cursor.description else []
            except psycopg.OperationalError:
                conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    # -- management commands and onboarding ----------------------------------------------------

    def manage(
        self, *args: str, timeout: float = 120, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=PROJECT_ROOT,
            env=env or self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            )
        return result

    def _demo_setup(self) -> None:
        """The demo organization (the simulator's first) and its admin, as `make run` does."""
        assert self.sim is not None
        result = self.manage("demo_setup", "--url", f"{self.web_url}/", "--simulator", self.sim.url)
        fields = dict(
            line.strip().split(": ", 1)
            for line in result.stdout.splitlines()
            if line.strip().startswith(("username: ", "password: "))
        )
        self.demo_login = (fields["username"], fields["password"])
        row = self.sql(
            "SELECT id, code FROM dashboard_organization WHERE ims_org_id = %s",
            self.sim.org(0).ims_org_id,
        )[0]
        self.orgs[0] = Org(sim=self.sim.org(0), id=row["id"], code=str(row["code"]))

    def onboard(
        self,
        indexes: list[int],
        *,
        users: list[dict[str, Any]] | None = None,
        env: dict[str, str] | None = None,
    ) -> dict[int, Org]:
        """Onboard simulator organizations (tests/e2e/seed.py, `onboard_credential` for each
        credential) with ``e2e-admin`` as their admin, and create ``users``."""
        assert self.sim is not None
        seed_dir = self.root / "seed"
        seed_dir.mkdir(exist_ok=True)
        spec_orgs = []
        for index in indexes:
            generated = self.sim.org(index)
            secret_file = seed_dir / f"secret-{index}"
            secret_file.write_text(generated.client_secret + "\n")
            secret_file.chmod(0o600)
            spec_orgs.append(
                {
                    "index": index,
                    "name": f"{generated.name} #{index}",
                    "ims_org_id": generated.ims_org_id,
                    "client_id": generated.client_id,
                    "secret_file": str(secret_file),
                    "scopes": list(generated.scopes),
                    "technical_account_id": generated.technical_account_id,
                    "technical_account_email": generated.technical_account_email,
                }
            )
        spec = {
            "admin": {"username": self.ADMIN, "password": self.admin_password},
            "orgs": spec_orgs,
            "users": users or [],
        }
        stamp = f"{time.monotonic_ns()}"
        spec_path, out_path = seed_dir / f"spec-{stamp}.json", seed_dir / f"out-{stamp}.json"
        spec_path.write_text(json.dumps(spec))
        result = subprocess.run(
            [PYTHON, str(Path(__file__).with_name("seed.py")), str(spec_path), str(out_path)],
            cwd=PROJECT_ROOT,
            env=env or self.env(),
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"seeding failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        created = json.loads(out_path.read_text())
        onboarded = {}
        for index in indexes:
            row = created["orgs"][self.sim.org(index).ims_org_id]
            onboarded[index] = Org(sim=self.sim.org(index), id=row["id"], code=row["code"])
        if env is None:
            self.orgs.update(onboarded)
        return onboarded

    def admin(self) -> Member:
        """e2e-admin, signed in once (admin of every organization the suite onboarded); each
        caller gets its own tab of that session."""
        with self._admin_lock:
            if self._admin_member is None:
                self._admin_member = Member(self.web_url, self.ADMIN, self.admin_password)
                self._admin_member.sign_in()
            return self._admin_member.clone()

    def wait_background(self, *groups: str, timeout: float) -> None:
        """Let what earlier scenarios left running (those ``groups``, or all) finish before
        disturbing the stack."""
        deadline = time.monotonic() + timeout
        for group, threads in self.background.items():
            if groups and group not in groups:
                continue
            for thread in threads:
                thread.join(timeout=max(0.0, deadline - time.monotonic()))

    # -- roles ---------------------------------------------------------------------------------

    @property
    def workers(self) -> list[Service]:
        return [s for name, s in self.services.items() if name.startswith("worker-")]

    def tails(self, lines: int = 25) -> str:
        return "\n".join(
            f"----- {name} ({service.log_path}) -----\n{service.tail(lines)}"
            for name, service in self.services.items()
        )

    # -- reading Lookout's data ----------------------------------------------------------------

    def sync_state(self, org: Org) -> dict[str, Any] | None:
        rows = self.sql("SELECT * FROM privacy_privacysyncstate WHERE organization_id = %s", org.id)
        return rows[0] if rows else None

    def job_ids(self, org: Org) -> list[str]:
        """Every job row Lookout keeps for the organization (gone ones included)."""
        return [
            row["job_id"]
            for row in self.sql(
                "SELECT job_id FROM privacy_privacyjob WHERE organization_id = %s", org.id
            )
        ]

    def jobs_without_products(self, org: Org) -> int:
        """Jobs whose detail (per-product outcomes) never arrived: what a job page would lack."""
        return self.sql(
            "SELECT count(*) AS n FROM privacy_privacyjob j WHERE j.organization_id = %s "
            "AND j.gone_at IS NULL AND NOT EXISTS "
            "(SELECT 1 FROM privacy_productresponse p WHERE p.job_id = j.id)",
            org.id,
        )[0]["n"]

    def backfilled(self, index: int) -> bool:
        """Simulator organization ``index`` is onboarded, its first sync succeeded, and nothing
        holds it now."""
        org = self.orgs.get(index)
        state = self.sync_state(org) if org is not None else None
        return bool(
            state
            and state["last_success_at"] is not None
            and state["backfilled_at"] is not None
            and state["lease_until"] is None
        )

    def sync_healthy(self, org: Org) -> bool:
        """Synced at least once, and the job list shows no error."""
        state = self.sync_state(org)
        return bool(
            state
            and not state["last_error"]
            and not state["consecutive_failures"]
            and state["last_success_at"] is not None
        )

    def completeness(self, org: Org) -> tuple[int, int, int]:
        """(jobs Adobe shows now, how many of them Lookout has, Lookout rows repeated)."""
        expected = {job["job_id"] for job in self.adobe_jobs(org) if job["visible"]}
        present = self.job_ids(org)
        return len(expected), len(expected & set(present)), len(present) - len(set(present))

    def credentials(self, org: Org) -> list[dict[str, Any]]:
        return self.sql("SELECT * FROM dashboard_credential WHERE organization_id = %s", org.id)

    # -- reading the simulator -----------------------------------------------------------------

    def adobe_jobs(self, org: Org) -> list[dict[str, Any]]:
        """Every job Adobe holds for the organization (visible or past retention)."""
        assert self.sim is not None
        return self.sim.jobs(org.ims_org_id, limit=100_000)["jobs"]

    def ims_calls(self, org: Org) -> int:
        """IMS token requests (both grants, faulted ones included) made for the organization."""
        assert self.sim is not None
        by_org = self.sim.requests()["by_org"].get(org.ims_org_id, {})
        return sum(n for route, n in by_org.items() if route.startswith("POST /ims/"))


class SyncWatcher:
    """Samples every organization's last sync success a few times a second, in a thread.

    A sync run stamps ``last_success_at`` with its start, and runs of one organization are at
    least LOOKOUT_PRIVACY_SYNC_INTERVAL apart, so sampling every 0.2 s sees every run: the runs
    seen tell how many syncs completed in a window and whether two ran too close together.
    """

    def __init__(self, stack: Stack, *, every: float = 0.2) -> None:
        self.stack, self.every = stack, every
        self.runs: dict[int, list[datetime]] = {}  # organization id -> run starts, in order
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="sync watcher", daemon=True)

    def __enter__(self) -> SyncWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _watch(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(psycopg.Error):
                for row in self.stack.sql(
                    "SELECT organization_id, last_success_at FROM privacy_privacysyncstate "
                    "WHERE last_success_at IS NOT NULL"
                ):
                    seen = self.runs.setdefault(row["organization_id"], [])
                    if not seen or seen[-1] != row["last_success_at"]:
                        seen.append(row["last_success_at"])
            self._stop.wait(self.every)

    def runs_between(self, start: datetime, end: datetime) -> dict[int, list[datetime]]:
        return {org: [t for t in starts if start <= t <= end] for org, starts in self.runs.items()}

"""The stack's long-running processes: start one, know when it is ready, stop or kill it.

Each runs in its own process group (a SIGKILL of the group takes a Celery worker's pool with it)
and, through ``setpriv --pdeathsig KILL``, dies with the test process however that dies, so an
interrupted run leaves nothing behind. Its output goes to a log file, appended on every restart.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import requests

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BIN = Path(PYTHON).parent
START_TIMEOUT_S = 60.0


def utcnow() -> datetime:
    return datetime.now(UTC)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Service:
    """One long-running process of the stack, its log in ``log_path`` (appended on restart)."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        *,
        env: dict[str, str],
        log_dir: Path,
        ready: Callable[[Service], bool],
    ) -> None:
        self.name, self.argv, self.env, self.ready_check = name, argv, env, ready
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen | None = None
        self._offset = 0
        self.starts = 0

    def __repr__(self) -> str:
        return f"Service({self.name}, pid={self.pid})"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def output(self) -> str:
        """What it wrote since it was last started."""
        with contextlib.suppress(FileNotFoundError), self.log_path.open("rb") as log:
            log.seek(self._offset)
            return log.read().decode(errors="replace")
        return ""

    def lines_between(self, start: datetime, end: datetime) -> list[str]:
        """Log lines stamped (by Lookout's logging format, local time) within [start, end]."""
        found = []
        for line in self.log().splitlines():
            try:
                stamp = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").astimezone(UTC)
            except ValueError:
                continue
            if start <= stamp <= end:
                found.append(line)
        return found

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def start(self, timeout: float = START_TIMEOUT_S) -> Service:
        """Spawn it and wait until it is ready."""
        return self.spawn().wait_ready(timeout)

    def spawn(self) -> Service:
        """Start the process (from the main thread only: see SETPRIV)."""
        if self.running():
            raise RuntimeError(f"{self.name} is already running")
        self.starts += 1
        with self.log_path.open("ab") as log:
            log.write(f"===== {self.name} start #{self.starts} at {utcnow():%H:%M:%S}\n".encode())
            log.flush()
            self._offset = log.tell()
            # Its own session: a SIGKILL of the group takes a Celery worker's pool with it.
            argv = [SETPRIV, "--pdeathsig", "KILL", "--", *self.argv] if SETPRIV else self.argv
            self.process = subprocess.Popen(
                argv,
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> Service:
        deadline = time.monotonic() + timeout
        while not self.ready_check(self):
            if not self.running():
                raise RuntimeError(f"{self.name} exited while starting:\n{self.tail(60)}")
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"{self.name} not ready in {timeout:.0f} s:\n{self.tail(60)}")
            time.sleep(0.1)
        return self

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM (a warm shutdown), then SIGKILL to the whole group if it lingers."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=timeout)
        self._kill_group()

    def kill(self) -> None:
        """SIGKILL the process and every process of its group: nothing gets to clean up."""
        if self.process is None:
            return
        self._kill_group()

    def _kill_group(self) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)


# setpriv (util-linux) runs each service with a parent-death signal: when the test process dies,
# however it dies, its services are killed too instead of living on. Linux ties that signal to the
# thread that forked, which is why services are spawned from the main thread only.
SETPRIV = shutil.which("setpriv")


def log_says(text: str) -> Callable[[Service], bool]:
    return lambda service: text in service.output()


def http_ok(url: str) -> Callable[[Service], bool]:
    def check(_service: Service) -> bool:
        try:
            return requests.get(url, timeout=2).status_code < 500
        except requests.RequestException:
            return False

    return check


def redis_answers(port: int) -> Callable[[Service], bool]:
    return lambda _service: redis_ping(port)


def redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


# ---------------------------------------------------------------------------------------------
# The stack's roles


def redis_service(port: int, log_dir: Path) -> Service:
    """A private Redis without persistence: stopping it loses what was queued, as a Redis without
    an append-only file does."""
    argv = [shutil.which("redis-server") or "redis-server", "--port", str(port)]
    argv += ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    return Service("redis", argv, env=dict(os.environ), log_dir=log_dir, ready=redis_answers(port))


READY_LINE = "Simulator listening on "


def simulator_service(orgs: int, jobs_per_org: int, log_dir: Path) -> Service:
    argv = [PYTHON, "-m", "simulator", "--port", "0", "--orgs", str(orgs)]
    argv += ["--jobs-per-org", str(jobs_per_org), "--seed", "7", "--incidents", "4"]
    argv += ["--log-level", "WARNING"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return Service("simulator", argv, env=env, log_dir=log_dir, ready=log_says(READY_LINE))


def simulator_url(service: Service) -> str:
    """The base URL a started simulator printed (it listens on a port of its choosing)."""
    line = next(line for line in service.output().splitlines() if READY_LINE in line)
    return line.split(READY_LINE, 1)[1].strip()


def web_service(env: dict[str, str], port: int, workers: int, log_dir: Path) -> Service:
    """gunicorn with sync workers, as docker-compose.yml runs it; the access log ends each line
    with the request's duration in seconds."""
    argv = [str(BIN / "gunicorn"), "dashboard.wsgi", "--bind", f"127.0.0.1:{port}"]
    argv += ["--workers", str(workers), "--timeout", "60", "--access-logfile", "-"]
    argv += ["--access-logformat", '%(h)s "%(r)s" %(s)s %(b)s %(L)ss']
    ready = http_ok(f"http://127.0.0.1:{port}/login/")
    return Service("web", argv, env=env, log_dir=log_dir, ready=ready)


def worker_service(name: str, env: dict[str, str], log_dir: Path) -> Service:
    """A Celery worker with one pool process, hostname ``e2e-<suffix of name>@host``."""
    argv = [str(BIN / "celery"), "-A", "dashboard", "worker", "--loglevel", "INFO"]
    argv += ["--concurrency", "1", "--hostname", f"e2e-{name.removeprefix('worker-')}@%h"]
    argv += ["--without-gossip", "--without-mingle"]
    return Service(name, argv, env=env, log_dir=log_dir, ready=log_says(" ready."))


def beat_service(name: str, env: dict[str, str], log_dir: Path, var_dir: Path) -> Service:
    """A beat with a schedule file of its own (two beats never share one)."""
    var_dir.mkdir(parents=True, exist_ok=True)
    argv = [str(BIN / "celery"), "-A", "dashboard", "beat", "--loglevel", "INFO"]
    argv += ["--schedule", str(var_dir / f"{name}-schedule")]
    return Service(name, argv, env=env, log_dir=log_dir, ready=log_says("beat: Starting..."))

"""A burst of sign-ins on gunicorn: Argon2 (Lookout's hasher) against PBKDF2 (Django's default).

    LOOKOUT_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_sign_in \\
        .venv/bin/python bench/sign_in_burst.py [--members 50] [--seconds 20] [--workers 3]

(SQLite under var/bench-sign-in-burst without LOOKOUT_BENCH_DATABASE_URL.) Migrates the bench
database and empties it (``flush``: never point it at real data), then for each hasher adds
``--members`` accounts whose passwords are stored with it, starts gunicorn with ``--workers`` sync
workers (as docker-compose.yml runs it) preferring that hasher, and lets every member sign in
(GET then POST ``/login/``, as tests/e2e/pages.Member does) at a random moment within
``--seconds``. Prints per hasher: the CPU one password check costs in this process, then the
sign-ins' median, p95 and worst time as the members saw it and the web workers' CPU seconds.
Figures only, no pass or fail. tests/e2e/test_adobe_faults_under_load.py runs the same burst
beside Adobe faults and Celery work.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import threading
import time

from harness import ROOT, configure_django_pages  # bench/ is on sys.path as a script runs
from privacy_sync import percentile

PASSWORD = "bench-Right-Passw0rd-9Zq"  # noqa: S105 (throwaway accounts in the bench database)
# Each hasher with the settings module the web workers run: Lookout's own (Argon2 first) and
# bench/pbkdf2_settings.py (the same, but PBKDF2 first, as Django ships it).
HASHERS = {"argon2": "dashboard.settings", "pbkdf2_sha256": "pbkdf2_settings"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    vendor = configure_django_pages("bench-sign-in-burst")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"database {vendor}; {args.members} members signing in within {args.seconds:.0f} s "
          f"on gunicorn with {args.workers} sync workers, {os.cpu_count()} CPUs\n")  # fmt: skip
    print(f"{'hasher':<14} {'check CPU':>9} {'median':>8} {'p95':>8} {'worst':>8} "
          f"{'failed':>6} {'web CPU':>8}")  # fmt: skip
    for hasher, settings_module in HASHERS.items():
        check_cpu = _seed(hasher, args.members)
        took, failed, web_cpu = _burst(settings_module, args)
        median, p95 = statistics.median(took), percentile(took, 0.95)
        print(f"{hasher:<14} {check_cpu * 1000:>7.0f}ms {median:>7.2f}s {p95:>7.2f}s "
              f"{max(took):>7.2f}s {failed:>6} {web_cpu:>7.1f}s")  # fmt: skip
    print("\ncheck CPU: one password check in this process; median/p95/worst: GET and POST "
          "/login/ as each member saw them; web CPU: the gunicorn processes' CPU seconds for "
          "the whole burst")  # fmt: skip


def _seed(hasher: str, members: int) -> float:
    """Empty the database, add the members with one hash of ``hasher`` (a salt shared by all
    costs nothing at sign-in); the CPU seconds one check of that hash takes."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import check_password, make_password
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    encoded = make_password(PASSWORD, hasher=hasher)
    user_model = get_user_model()
    user_model.objects.bulk_create(
        user_model(username=f"member-{n:03d}", password=encoded) for n in range(members)
    )
    started = time.process_time()
    assert check_password(PASSWORD, encoded, preferred=hasher)
    return time.process_time() - started


def _burst(settings_module: str, args) -> tuple[list[float], int, float]:
    from tests.e2e.processes import free_port, web_service

    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "ALLOWED_HOSTS": "127.0.0.1",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT)]),
    }
    log_dir = ROOT / "var" / "bench-sign-in-burst" / settings_module
    log_dir.mkdir(parents=True, exist_ok=True)
    web = web_service(env, port, args.workers, log_dir).start()
    base = f"http://127.0.0.1:{port}"
    try:
        cpu_before = _cpu_seconds(web.pid)
        took: list[float] = []
        failed: list[str] = []
        rng = random.Random(7)
        threads = [
            threading.Thread(
                target=_sign_in,
                args=(base, f"member-{n:03d}", rng.uniform(0, args.seconds), took, failed),
            )
            for n in range(args.members)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return took, len(failed), _cpu_seconds(web.pid) - cpu_before
    finally:
        web.stop()


def _sign_in(base: str, username: str, delay: float, took: list, failed: list) -> None:
    """GET then POST /login/, as tests/e2e/pages.Member signs in."""
    from tests.e2e.pages import Member

    time.sleep(delay)
    started = time.monotonic()
    try:
        Member(base, username, PASSWORD, timeout=120).sign_in()
    except Exception as exc:  # a refusal or a timeout: counted, the burst goes on
        failed.append(f"{username}: {exc}")
    took.append(time.monotonic() - started)


def _cpu_seconds(master_pid: int) -> float:
    """User and system CPU of gunicorn's master and its workers (from /proc), in seconds."""
    pids = [master_pid]
    children = f"/proc/{master_pid}/task/{master_pid}/children"
    if os.path.exists(children):
        with open(children) as listing:
            pids += [int(pid) for pid in listing.read().split()]
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()

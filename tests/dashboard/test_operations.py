"""Operations are never blind: heartbeats, periodic-task runs and the staff operations page.

The signal handlers are driven directly for the unit cases; one test runs a real worker and a
real beat, and stops each: /healthz turns 503 and names it once its heartbeat is stale.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from dashboard import celery as lookout_celery
from dashboard.models import PeriodicTaskRun, ProcessHeartbeat
from privacy.models import PrivacySyncState
from tests.fixtures.celery_worker import (
    PROJECT_ROOT,
    _database_url,
    start_worker,
    stop_worker,
    wait_until,
)
from tests.services import require


def _task(name: str, *, eager: bool = False):
    return SimpleNamespace(name=name, request=SimpleNamespace(is_eager=eager))


def _run(task, *, fail: Exception | None = None) -> None:
    lookout_celery._periodic_started(task_id="t-1", task=task)
    if fail is not None:
        lookout_celery._periodic_failed(task_id="t-1", exception=fail)
    lookout_celery._periodic_finished(
        task_id="t-1", task=task, state="FAILURE" if fail else "SUCCESS"
    )


@pytest.mark.django_db
def test_a_periodic_task_run_is_recorded_with_its_outcome_and_duration():
    _run(_task("privacy.jobs_sync_due"))
    run = PeriodicTaskRun.objects.get(task_name="privacy.jobs_sync_due")
    assert run.outcome == "ok" and run.error == ""
    assert run.started_at <= run.finished_at
    assert timedelta(0) <= run.duration < timedelta(seconds=5)

    _run(_task("privacy.jobs_sync_due"), fail=ConnectionError("secret in here"))
    run = PeriodicTaskRun.objects.get(task_name="privacy.jobs_sync_due")  # one row per task
    assert (run.outcome, run.error) == ("failed", "ConnectionError")


@pytest.mark.django_db
def test_other_tasks_and_eager_runs_are_not_recorded(monkeypatch):
    monkeypatch.setattr(lookout_celery, "_run_started", {})  # other tests' runs in this process
    _run(_task("privacy.jobs_sync"))  # queued per organization, not by beat
    _run(_task("status.poll", eager=True))
    assert not PeriodicTaskRun.objects.exists()
    assert not lookout_celery._run_started


@pytest.mark.django_db
def test_beat_records_its_heartbeat_from_its_tick_at_most_once_per_interval(monkeypatch):
    monkeypatch.setattr(lookout_celery, "_beat_seen_at", float("-inf"))
    lookout_celery.beat_tick_seen()
    first = ProcessHeartbeat.objects.get(role="beat").seen_at
    lookout_celery.beat_tick_seen()  # within the interval: no write
    assert ProcessHeartbeat.objects.get(role="beat").seen_at == first


@pytest.mark.django_db
def test_a_heartbeat_updates_its_row_and_keeps_when_the_process_started():
    lookout_celery.heartbeat_record("worker", "w1@host")
    row = ProcessHeartbeat.objects.get()
    lookout_celery.heartbeat_record("worker", "w1@host")
    again = ProcessHeartbeat.objects.get()
    assert again.started_at == row.started_at and again.seen_at >= row.seen_at


# --- The page ---------------------------------------------------------------------------------


@pytest.fixture
def operations_world(acme, globex):
    now = timezone.now()
    ProcessHeartbeat.objects.create(
        role="worker", hostname="celery@w1", pid=42, started_at=now, seen_at=now
    )
    ProcessHeartbeat.objects.create(
        role="beat",
        hostname="beat@b1",
        pid=43,
        started_at=now - timedelta(hours=1),
        seen_at=now - timedelta(hours=1),
    )
    PeriodicTaskRun.objects.create(
        task_name="status.poll",
        started_at=now - timedelta(minutes=1),
        finished_at=now - timedelta(seconds=58),
        outcome="failed",
        duration=timedelta(seconds=2.5),
        error="AdobeUnavailable",
    )
    PrivacySyncState.objects.create(organization=acme, last_success_at=now - timedelta(hours=3))
    PrivacySyncState.objects.create(organization=globex, last_success_at=None)


def test_staff_see_runs_heartbeats_queue_and_sync_lag(client, staff, operations_world):
    client.force_login(staff)
    response = client.get(reverse("dashboard:operations"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-testid="task-row"') == len(django_settings.CELERY_BEAT_SCHEDULE)
    assert "AdobeUnavailable" in page and "2.50 s" in page
    assert "celery@w1" in page and "beat@b1" in page
    assert 'data-testid="process-beat">beat: stale' in page
    assert 'data-testid="process-worker">worker: ok' in page
    assert 'data-testid="queue-depth">Waiting in the queue: ' in page
    assert page.count('data-testid="sync-lag-row"') == 2
    assert "Acme" in page and "Globex" in page and "3\xa0hours" in page


def test_the_queue_depth_is_unknown_when_the_broker_does_not_answer(
    client, staff, settings, operations_world
):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
    client.force_login(staff)
    response = client.get(reverse("dashboard:operations"))
    assert response.status_code == 200
    assert 'data-testid="queue-depth">Waiting in the queue: unknown' in response.content.decode()


def test_the_queue_depth_counts_waiting_messages_on_redis(client, staff, db):
    require(django_settings.CELERY_BROKER_URL.startswith("redis://"), "no Redis broker")
    import redis

    from dashboard.celery import app

    queue = app.conf.task_default_queue
    broker = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    broker.delete(queue)
    broker.rpush(queue, "a", "b", "c")
    try:
        client.force_login(staff)
        page = client.get(reverse("dashboard:operations")).content.decode()
    finally:
        broker.delete(queue)
    assert 'data-testid="queue-depth">Waiting in the queue: 3' in page


@pytest.mark.parametrize("person", ["alice", "dave", "bob"])
def test_the_page_does_not_exist_for_anyone_but_staff(client, world, person):
    client.force_login(world[person])
    assert client.get(reverse("dashboard:operations")).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(reverse("dashboard:operations"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- Real processes ---------------------------------------------------------------------------


def _start_beat(tmp_path) -> tuple[subprocess.Popen, object]:
    log = (tmp_path / "beat.log").open("w")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": django_settings.CELERY_BROKER_URL,
        "LOOKOUT_ENCRYPTION_KEYS": ",".join(django_settings.LOOKOUT_ENCRYPTION_KEYS),
    }
    env.pop("LOOKOUT_ENCRYPTION_KEYS_FILE", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "dashboard",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(tmp_path / "celerybeat-schedule"),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process, log


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _health(client) -> tuple[int, dict]:
    response = client.get(reverse("healthz"))
    return response.status_code, response.json()


def test_stopping_the_worker_then_beat_makes_healthz_say_which(
    client, transactional_db, tmp_path, settings, monkeypatch
):
    require(settings.CELERY_BROKER_URL.startswith("redis://"), "worker tests run on Redis")
    # The processes beat every second and beat queues the due checks every 2 s; this process
    # calls them stale after 4 s without a heartbeat.
    monkeypatch.setenv("LOOKOUT_HEARTBEAT_INTERVAL", "1")
    monkeypatch.setenv("LOOKOUT_PRIVACY_DUE_CHECK_INTERVAL", "2")
    settings.LOOKOUT_HEARTBEAT_STALE_AFTER = 4
    worker = start_worker(tmp_path, concurrency=1)
    beat, beat_log = _start_beat(tmp_path)
    try:
        wait_until(
            lambda: (
                _health(client)
                == (
                    200,
                    {
                        "status": "ok",
                        "database": "ok",
                        "broker": "ok",
                        "worker": "ok",
                        "beat": "ok",
                    },
                )
            ),
            timeout=60,
            what="/healthz to see the worker and beat",
        )
        wait_until(
            lambda: PeriodicTaskRun.objects.filter(
                task_name="privacy.jobs_sync_due", outcome="ok"
            ).exists(),
            timeout=60,
            what="a periodic run the worker recorded",
        )

        stop_worker(worker)
        wait_until(
            lambda: _health(client)[1].get("worker") == "stale", timeout=30, what="a stale worker"
        )
        status, body = _health(client)
        assert status == 503
        assert (body["status"], body["beat"]) == ("degraded", "ok")

        _stop(beat)
        wait_until(lambda: _health(client)[1].get("beat") == "stale", timeout=30, what="stale beat")
        assert _health(client)[0] == 503
    finally:
        if worker.process.poll() is None:
            stop_worker(worker)
        if beat.poll() is None:
            _stop(beat)
        beat_log.close()

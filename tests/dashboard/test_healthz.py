"""GET /healthz tells a load balancer whether the database and the broker answer."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.services import require


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


@pytest.mark.django_db
def test_healthy_when_database_and_broker_answer(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthy_on_redis_when_redis_url_is_set(client):
    require(bool(os.environ.get("REDIS_URL")), "REDIS_URL is not set: no Redis to check")
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert client.get(reverse("healthz")).json()["broker"] == "ok"


@pytest.mark.django_db
def test_a_dead_redis_gives_503_and_says_which_part_is_down(client, settings, caplog):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    settings.HEALTHZ_TIMEOUT = 1.0
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    since = body.pop("broker_unreachable_since")
    assert body == {"status": "unavailable", "database": "ok", "broker": "unavailable"}
    assert datetime.fromisoformat(since) <= timezone.now()
    assert "healthz: broker unreachable" in caplog.text


def test_healthz_needs_no_sign_in_and_only_answers_get(client, db):
    assert client.get(reverse("healthz")).status_code == 200
    assert client.post(reverse("healthz")).status_code == 405


def test_a_dead_database_gives_503_not_a_crash():
    # A fresh process whose DATABASE_URL points at a port nothing listens on.
    probe = (
        "import django, json; django.setup(); from django.test import Client; "
        "r = Client(HTTP_HOST='localhost').get('/healthz'); "
        "print(json.dumps([r.status_code, r.json()]))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="dashboard.settings",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{_closed_port()}/lookout",
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    status, body = json.loads(result.stdout.strip().splitlines()[-1])
    assert status == 503
    assert body == {"status": "unavailable", "database": "unavailable", "broker": "ok"}


# --- Workers and beat: their heartbeats (dashboard/celery.py) -------------------------------


def _beat(role: str, *, age_s: float) -> None:
    from dashboard.models import ProcessHeartbeat

    seen = timezone.now() - timedelta(seconds=age_s)
    ProcessHeartbeat.objects.create(
        role=role, hostname=f"{role}@host", pid=1, started_at=seen, seen_at=seen
    )


@pytest.mark.django_db
def test_fresh_heartbeats_of_a_worker_and_beat_are_reported_ok(client):
    _beat("worker", age_s=1)
    _beat("beat", age_s=1)
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "worker": "ok",
        "beat": "ok",
    }


@pytest.mark.django_db
def test_a_stopped_worker_gives_503_and_says_it_is_the_worker(client, settings, caplog):
    settings.LOOKOUT_HEARTBEAT_STALE_AFTER = 90
    _beat("worker", age_s=91)
    _beat("beat", age_s=5)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "broker": "ok",
        "worker": "stale",
        "beat": "ok",
    }
    assert "healthz: worker stale" in caplog.text


@pytest.mark.django_db
def test_one_live_worker_host_of_several_is_enough(client, settings):
    from dashboard.models import ProcessHeartbeat

    settings.LOOKOUT_HEARTBEAT_STALE_AFTER = 90
    _beat("worker", age_s=3600)  # a host scaled away long ago
    now = timezone.now()
    ProcessHeartbeat.objects.create(
        role="worker", hostname="worker@other", started_at=now, seen_at=now
    )
    _beat("beat", age_s=5)
    assert client.get(reverse("healthz")).status_code == 200


@pytest.mark.django_db
def test_a_stopped_beat_gives_503(client, settings):
    settings.LOOKOUT_HEARTBEAT_STALE_AFTER = 90
    _beat("worker", age_s=1)
    _beat("beat", age_s=600)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["beat"] == "stale"
    assert response.json()["worker"] == "ok"


@pytest.mark.django_db
def test_processes_never_seen_are_missing_when_expected(client, settings):
    settings.LOOKOUT_HEALTHZ_EXPECT_PROCESSES = True
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["worker"], body["beat"]) == ("degraded", "missing", "missing")

"""/metrics: Lookout's state for Prometheus, read from the database at scrape time, behind a
bearer token; and /livez, which answers whenever the web process does."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from dashboard import hooks
from dashboard.models import AdobeRequestHour, Credential
from privacy.models import PrivacySyncState
from status.models import Incident

TOKEN = "scrape-token-0123456789abcdef"

FAMILIES = {
    "lookout_token_seconds_left",
    "lookout_token_refresh_failures",
    "lookout_credential_needs_attention",
    "lookout_sync_lag_seconds",
    "lookout_sync_failures",
    "lookout_adobe_requests",
    "lookout_status_open_incidents",
    "lookout_notification_failures",
}


@pytest.fixture
def metrics_world(acme, acme_credential):
    now = timezone.now()
    Credential.objects.filter(pk=acme_credential.pk).update(
        token_expires_at=now + timedelta(hours=1), consecutive_failures=2, needs_attention=True
    )
    PrivacySyncState.objects.create(organization=acme, last_success_at=now - timedelta(minutes=5))
    hour = now.replace(minute=0, second=0, microsecond=0)
    AdobeRequestHour.objects.create(
        service="privacy", hour=hour, requests=10, throttled=2, errors=3
    )
    AdobeRequestHour.objects.create(
        service="privacy", hour=hour - timedelta(hours=30), requests=5, errors=1
    )
    Incident.objects.create(adobe_id="INC-1", title="Analytics is slow")
    Incident.objects.create(adobe_id="INC-2", title="Over", state=Incident.State.CLOSED)
    acme_credential.refresh_from_db()
    return acme_credential


def scrape(client, token: str | None = TOKEN):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
    return client.get(reverse("metrics"), **headers)


def samples(body: str) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


@pytest.mark.django_db
def test_without_a_token_setting_metrics_does_not_exist(client, settings):
    settings.LOOKOUT_METRICS_TOKEN = ""
    assert scrape(client).status_code == 404
    assert scrape(client, token=None).status_code == 404


@pytest.mark.django_db
def test_a_scrape_without_the_right_token_is_refused_and_the_token_is_never_logged(
    client, settings, caplog
):
    settings.LOOKOUT_METRICS_TOKEN = TOKEN
    with caplog.at_level(logging.DEBUG):
        responses = [
            scrape(client, token=None),
            scrape(client, token="wrong"),
            scrape(client, token=TOKEN + "x"),
            client.get(reverse("metrics"), HTTP_AUTHORIZATION=f"Basic {TOKEN}"),
        ]
    assert [r.status_code for r in responses] == [401, 401, 401, 401]
    assert all(TOKEN not in r.content.decode() for r in responses)
    assert all(TOKEN not in record.getMessage() for record in caplog.records)


def test_prometheus_reads_every_family_with_codes_and_no_secret(
    client, settings, acme, metrics_world, caplog
):
    settings.LOOKOUT_METRICS_TOKEN = TOKEN
    with caplog.at_level(logging.DEBUG):
        response = scrape(client)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    body = response.content.decode()
    names = {family.name for family in text_string_to_metric_families(body)}
    assert names >= FAMILIES

    credential = (("credential", str(metrics_world.code)), ("organization", str(acme.code)))
    found = samples(body)
    assert 3500 < found[("lookout_token_seconds_left", credential)] <= 3600
    assert found[("lookout_token_refresh_failures", credential)] == 2
    assert found[("lookout_credential_needs_attention", credential)] == 1
    lag = (("organization", str(acme.code)), ("run", "privacy"))
    assert 299 <= found[("lookout_sync_lag_seconds", lag)] < 330
    # Every hour counted, not only the last 24: a counter only grows.
    privacy = {
        outcome: found[
            ("lookout_adobe_requests_total", (("outcome", outcome), ("service", "privacy")))
        ]
        for outcome in ("answered", "throttled", "error")
    }
    assert privacy == {"answered": 9, "throttled": 2, "error": 4}
    assert (
        found[("lookout_adobe_requests_total", (("outcome", "answered"), ("service", "ims")))] == 0
    )
    assert found[("lookout_status_open_incidents", ())] == 1

    # Codes only: never a credential's name, client id or secret, nor the token.
    secrets = [metrics_world.name, metrics_world.client_id, TOKEN]
    secrets += ["acme-primary-secret-0001", "acme-fallback-secret-0002"]
    assert [value for value in secrets if value in body] == []
    assert all(TOKEN not in record.getMessage() for record in caplog.records)


@pytest.mark.django_db
def test_an_app_adds_its_own_family_through_the_hook(client, settings, monkeypatch):
    """The extension point for what the core does not know of (notification failures, say)."""
    settings.LOOKOUT_METRICS_TOKEN = TOKEN

    def failures() -> list[hooks.Metric]:
        return [
            hooks.Metric(
                "lookout_notification_failures",
                "Notifications that could not be sent.",
                kind="counter",
                labels=("channel",),
                samples=((("email",), 3.0),),
            )
        ]

    def broken() -> list[hooks.Metric]:
        raise RuntimeError("this source is down")

    monkeypatch.setitem(hooks._metrics, "notify", hooks.MetricsSource("notify", failures))
    monkeypatch.setitem(hooks._metrics, "broken", hooks.MetricsSource("broken", broken))
    body = scrape(client).content.decode()
    assert samples(body)[("lookout_notification_failures_total", (("channel", "email"),))] == 3
    assert "lookout_status_open_incidents 0.0" in body  # the other sources still answer


@pytest.mark.django_db
def test_metrics_answers_get_only(client, settings):
    settings.LOOKOUT_METRICS_TOKEN = TOKEN
    response = client.post(reverse("metrics"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 405


# --- /livez -----------------------------------------------------------------------------------


def test_livez_answers_without_sign_in_database_or_broker(client):
    # No database fixture: pytest-django fails any query this request would make.
    response = client.get(reverse("livez"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert client.post(reverse("livez")).status_code == 405


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_livez_is_ok_while_the_database_and_redis_are_unreachable():
    # A fresh process whose DATABASE_URL and REDIS_URL point at ports nothing listens on:
    # /healthz says unavailable, /livez still says the web process is alive.
    probe = (
        "import django, json; django.setup(); from django.test import Client; "
        "c = Client(HTTP_HOST='localhost'); live = c.get('/livez'); ready = c.get('/healthz'); "
        "print(json.dumps([live.status_code, live.json(), ready.status_code]))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="dashboard.settings",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{_closed_port()}/lookout",
        REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0",
        LOOKOUT_HEALTHZ_TIMEOUT="0.5",
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    live_status, live_body, ready_status = json.loads(result.stdout.strip().splitlines()[-1])
    assert (live_status, live_body) == (200, {"status": "ok"})
    assert ready_status == 503

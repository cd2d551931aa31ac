"""When the task queue (Redis) is down, pages keep answering and say background work is paused.

Every enqueue a page makes goes through dashboard.background.enqueue: with the broker on a port
nothing listens on (or one that never answers) the action still succeeds, nothing it saved is lost,
the page says that nothing was queued, and every page shows since when background updates are
paused — read from the database, never from the broker. The pause clears by itself as soon as the
queue takes a task again.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from celery.signals import task_prerun
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from dashboard import background, hooks
from dashboard import celery as celery_module
from dashboard.celery import app
from dashboard.models import Credential, TaskQueueState
from status.tasks import status_events_poll_task

PAUSED = "Background work is paused: Lookout cannot reach its task queue"
NOTHING_QUEUED = "Pages show what was last read from Adobe; nothing was queued."
BANNER = 'data-testid="background-paused"'
# Far above the ~1 s an enqueue gives a dead broker: only a hang (a page waiting on the broker
# for its socket's default timeout, or forever) exceeds it.
HANG = 5.0


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
def dead_broker(monkeypatch) -> str:
    """Point the Celery app at a Redis port nothing listens on (the shared Redis stays up)."""
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    monkeypatch.setattr(app.conf, "broker_url", url)
    return url


@pytest.fixture
def silent_broker(monkeypatch) -> Iterator[str]:
    """A "Redis" that accepts connections and never answers: a half-dead broker."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    monkeypatch.setattr(app.conf, "broker_url", f"redis://127.0.0.1:{server.getsockname()[1]}/0")
    yield app.conf.broker_url
    server.close()
    for conn in held:
        conn.close()


def _paused() -> bool:
    return TaskQueueState.objects.filter(paused_since__isnull=False).exists()


def _post(client, url: str, data: dict | None = None):
    started = time.monotonic()
    response = client.post(url, data or {}, follow=True)
    return response, time.monotonic() - started


def test_check_adobe_now_with_the_broker_down_answers_and_says_nothing_was_queued(
    client, dave, acme, dead_broker, caplog
):
    client.force_login(dave)
    response, took = _post(client, reverse("status:sync_now", args=[acme.code]))

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("status:status_page", args=[acme.code])
    page = response.content.decode()
    assert PAUSED in page and "(Redis) since" in page and NOTHING_QUEUED in page
    assert re.search(r"cannot reach its task queue \(Redis\) since \d\d:\d\d UTC\.", page)
    assert BANNER in page
    assert re.search(
        r"Background updates paused since <time datetime=\"[^\"]+\">\d\d:\d\d UTC", page
    )
    assert "Lookout will read Adobe Status in a moment." not in page
    assert took < HANG
    assert _paused()
    lines = [r for r in caplog.records if r.name == "dashboard.background"]
    assert len(lines) == 1 and "status.poll" in lines[0].getMessage()
    assert lines[0].exc_info is None


def test_an_enqueue_to_a_broker_that_never_answers_gives_up_instead_of_hanging(db, silent_broker):
    started = time.monotonic()
    queued = background.enqueue(status_events_poll_task, scheduled=False)
    assert queued is False
    assert time.monotonic() - started < HANG
    assert _paused()


def test_onboarding_with_the_broker_down_saves_the_credential_and_says_nothing_was_queued(
    client, alice, acme, transactional_db, dead_broker
):
    client.force_login(alice)
    response, took = _post(
        client,
        reverse("dashboard:credential_add_oauth", args=[acme.code]),
        {
            "name": "Privacy",
            "usage": "both",
            "client_id": "acme-onboarding-client",
            "client_secret": "p8e-acme-onboarding-secret-0001",
            "scopes": "openid,AdobeID,read_organizations",
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Credential saved." in page  # the save happened and is said
    assert PAUSED in page and NOTHING_QUEUED in page and BANNER in page
    assert took < HANG
    credential = Credential.objects.get(organization=acme, client_id="acme-onboarding-client")
    assert response.redirect_chain[-1][0] == credential.get_absolute_url()


def test_test_connection_and_every_page_work_while_paused_and_show_it(
    client, alice, acme, acme_credential, dead_broker, monkeypatch
):
    background.pause_record(error="OperationalError")

    # Pages read the pause from the database: not one of them may touch the broker.
    def no_broker(*args, **kwargs):
        raise AssertionError("a page view called the broker")

    monkeypatch.setattr(app, "connection_for_write", no_broker)
    monkeypatch.setattr(app, "connection_for_read", no_broker)
    client.force_login(alice)

    response, _ = _post(client, reverse("dashboard:credential_test", args=[acme_credential.code]))
    assert response.status_code == 200
    assert "Connection failed." in response.content.decode()  # the test itself still ran
    assert BANNER in response.content.decode()

    for name, args in [
        ("dashboard:home", []),
        ("dashboard:organization", [acme.code]),
        ("dashboard:credential_list", [acme.code]),
        ("dashboard:credential_detail", [acme_credential.code]),
        ("privacy:job_list", [acme.code]),
        ("status:status_page", [acme.code]),
        ("status:history", [acme.code]),
    ]:
        page = client.get(reverse(name, args=args))
        assert page.status_code == 200, name
        assert "Background updates paused since" in page.content.decode(), name


def test_an_organization_ready_with_the_broker_down_queues_nothing_and_pauses(
    acme, dead_broker, caplog
):
    started = time.monotonic()
    hooks.organization_ready(acme.pk)  # the demo's first syncs (privacy and status listeners)

    assert time.monotonic() - started < 2 * HANG
    assert _paused()
    assert "Could not start" not in caplog.text  # no listener raised: each said so in one line
    assert "Traceback" not in caplog.text


def test_the_pause_clears_on_the_next_enqueue_that_works(client, dave, acme, monkeypatch):
    client.force_login(dave)
    url = reverse("status:sync_now", args=[acme.code])
    working_broker = app.conf.broker_url
    monkeypatch.setattr(app.conf, "broker_url", f"redis://127.0.0.1:{_closed_port()}/0")
    response, _ = _post(client, url)
    assert PAUSED in response.content.decode()

    monkeypatch.setattr(app.conf, "broker_url", working_broker)
    response, _ = _post(client, url)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Lookout will read Adobe Status in a moment." in page
    assert PAUSED not in page and BANNER not in page
    assert not _paused()
    assert BANNER not in client.get(reverse("dashboard:home")).content.decode()


def test_a_worker_that_receives_a_task_clears_the_pause(db, monkeypatch):
    background.pause_record(error="OperationalError")
    monkeypatch.setattr(celery_module, "_queue_reached_at", -celery_module.QUEUE_REACHED_EVERY)

    task_prerun.send(
        sender=status_events_poll_task, task_id="t1", task=status_events_poll_task, args=()
    )

    assert not _paused()


def test_the_pause_keeps_the_time_of_the_first_failure(db, dead_broker):
    first = background.pause_record(error="OperationalError")
    background.enqueue(status_events_poll_task, scheduled=False)
    assert background.paused_since() == first


def test_healthz_says_since_when_the_broker_is_unreachable_and_clears_when_it_answers(
    client, db, settings, dead_broker
):
    since = background.pause_record(error="OperationalError")  # a page found it down first
    working = settings.CELERY_BROKER_URL
    settings.CELERY_BROKER_URL = dead_broker
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    settings.HEALTHZ_TIMEOUT = 1.0

    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"
    assert response.json()["broker_unreachable_since"] == since.isoformat()

    settings.CELERY_BROKER_URL = working
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert "broker_unreachable_since" not in response.json()
    assert not _paused()


def _request_log(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "django.request"]


def test_a_refused_action_is_logged_as_one_line_without_a_traceback(client, bob, acme, caplog):
    client.force_login(bob)  # a viewer: may read Acme's pages, not queue a poll
    url = reverse("status:sync_now", args=[acme.code])

    assert client.post(url).status_code == 403

    records = _request_log(caplog)
    assert len(records) == 1
    line = records[0].getMessage()
    assert "\n" not in line
    assert url in line and f"user={bob.pk}" in line and "viewer role may not change data" in line
    assert records[0].exc_info is None
    assert "Traceback" not in caplog.text


def test_a_member_of_another_organization_is_logged_as_one_line(client, charlie, acme, caplog):
    client.force_login(charlie)  # admin of Globex, outsider to Acme
    url = reverse("privacy:job_list", args=[acme.code])

    assert client.get(url).status_code == 404

    records = _request_log(caplog)
    assert len(records) == 1
    assert url in records[0].getMessage() and f"user={charlie.pk}" in records[0].getMessage()
    assert "Traceback" not in caplog.text


def test_a_disallowed_host_is_one_line_in_the_process_log():
    # The console handler filters every logger's records, django.security's included.
    code = (
        "from django.test import Client; "
        "print(Client().get('/login/', HTTP_HOST='evil.example').status_code)"
    )
    env = {**os.environ, "DEBUG": "false", "ALLOWED_HOSTS": "lookout.example.com"}
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stdout.strip().endswith("400"), done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if "evil.example" in line]
    assert len(lines) == 1 and "400 Bad Request: /login/ user=anonymous" in lines[0]
    assert "Traceback" not in done.stderr


def test_a_pause_since_an_earlier_day_names_the_day():
    assert background.format_since(datetime(2020, 1, 2, 3, 4, tzinfo=UTC)) == "2020-01-02 03:04 UTC"
    assert background.format_since(timezone.now()).endswith(" UTC")
    assert len(background.format_since(timezone.now())) == len("HH:MM UTC")

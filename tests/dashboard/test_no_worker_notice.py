""" "Sync now" and "Check Adobe now" say plainly when no worker is running, instead of promising.

The work is really queued (on this test run's Redis): nobody takes it, as when the workers are down.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.background import format_since
from dashboard.celery import app
from dashboard.models import ProcessHeartbeat

MESSAGES = re.compile(r'<li class="message ([^"]*)" role="status">(.*?)</li>', re.S)
BUTTONS = {
    "sync now": ("privacy:sync_now", "Sync with Adobe queued: its progress shows below."),
    "check adobe now": ("status:sync_now", "Lookout will read Adobe Status in a moment."),
}


@pytest.fixture(autouse=True)
def _empty_queue():
    yield
    app.control.purge()  # what these tests queued: no worker of theirs ever takes it


def flash(page: str) -> list[tuple[str, str]]:
    """(level, text) of each message the page shows."""
    return [
        (level, " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split()))
        for level, text in MESSAGES.findall(page)
    ]


def press(client, button: str, organization) -> list[tuple[str, str]]:
    url_name, _ = BUTTONS[button]
    response = client.post(reverse(url_name, args=[organization.code]), follow=True)
    assert response.status_code == 200
    return flash(response.content.decode())


def worker_seen(ago: timedelta) -> str:
    seen = timezone.now() - ago
    ProcessHeartbeat.objects.create(
        role="worker", hostname="celery@w1", pid=7, started_at=seen, seen_at=seen
    )
    return format_since(seen)  # "14:02 UTC" (with the date before today)


@pytest.mark.parametrize("button", sorted(BUTTONS))
def test_with_a_stale_worker_the_page_says_it_waits_for_a_worker(client, dave, acme, button):
    last_seen = worker_seen(timedelta(minutes=10))
    client.force_login(dave)
    assert press(client, button, acme) == [
        (
            "warning",
            "Queued, but no worker is running: it will run when a worker starts "
            f"(last worker seen {last_seen}).",
        )
    ]


@pytest.mark.parametrize("button", sorted(BUTTONS))
def test_with_a_live_worker_the_page_promises_the_work(client, dave, acme, button):
    worker_seen(timedelta(seconds=5))
    client.force_login(dave)
    assert press(client, button, acme) == [("success", BUTTONS[button][1])]


@pytest.mark.parametrize("button", sorted(BUTTONS))
def test_a_database_that_never_saw_a_worker_is_trusted_as_before(client, dave, acme, button):
    client.force_login(dave)
    assert press(client, button, acme) == [("success", BUTTONS[button][1])]


def test_when_workers_are_expected_and_none_was_ever_seen_the_page_says_so(
    client, settings, dave, acme
):
    settings.LOOKOUT_HEALTHZ_EXPECT_PROCESSES = True
    client.force_login(dave)
    assert press(client, "sync now", acme) == [
        (
            "warning",
            "Queued, but no worker is running: it will run when a worker starts "
            "(no worker has been seen yet).",
        )
    ]

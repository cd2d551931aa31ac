"""The first sync starts when a credential is onboarded, the job list shows a running sync's
progress, members and admins can ask for a sync now, and the filter menus follow a sync's end.

The first sync runs on real Celery worker processes against the simulator, with no beat: the jobs
appear because onboarding queued the sync, not because a due check found the organization.
"""

from __future__ import annotations

import html
import io
import re
import socket
from collections import Counter
from datetime import UTC, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from dashboard.celery import app
from dashboard.models import Membership
from dashboard.views.credentials import FIRST_SYNC_STARTED
from privacy.models import PrivacyJob, PrivacySyncState
from privacy.services import sync_store
from privacy.services.sync import privacy_sync
from tests.factories import MembershipFactory, OrganizationFactory
from tests.fixtures.celery_worker import wait_until

SYNC_STATE = re.compile(r'<p class="muted" data-testid="sync-state"[^>]*>(.*?)</p>', re.S)
MESSAGES = re.compile(r'<li class="message[^"]*" role="status">(.*?)</li>', re.S)
REGULATION_MENU = re.compile(r'<select name="regulation">(.*?)</select>', re.S)
SYNC_NOW_BUTTON = 'data-testid="sync-now"'


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def sync_state(page: str) -> str:
    """The job list's sync state as a member reads it."""
    return _text(SYNC_STATE.search(page).group(1))


def flash_messages(page: str) -> list[str]:
    return [_text(message) for message in MESSAGES.findall(page)]


def regulation_menu(page: str) -> list[str]:
    return re.findall(r'<option value="([^"]+)"', REGULATION_MENU.search(page).group(1))


def job_list(client, organization, **params) -> str:
    response = client.get(reverse("privacy:job_list", args=[organization.code]), params)
    assert response.status_code == 200
    return response.content.decode()


def sync_now(client, organization):
    return client.post(reverse("privacy:sync_now", args=[organization.code]), follow=True)


def at_adobe(adobe, organization) -> dict[str, int]:
    return adobe.counts()["orgs"][organization.ims_org_id]["by_status"]


def in_lookout(organization) -> dict[str, int]:
    jobs = PrivacyJob.objects.filter(organization=organization, gone_at__isnull=True)
    return dict(Counter(jobs.values_list("status", flat=True)))


def synced(organization) -> bool:
    return PrivacySyncState.objects.filter(
        organization=organization, last_success_at__isnull=False, lease_until__isnull=True
    ).exists()


# ---------------------------------------------------------------------------------------------
# On real workers


def test_onboarding_through_the_page_brings_the_jobs_in_without_waiting_for_beat(
    client, alice, sim_org, adobe, celery_worker_process
):
    generated = adobe.org(0)
    client.force_login(alice)
    # Read (and its filter menus cached, in this process) before onboarding: no job, no menu.
    assert regulation_menu(job_list(client, sim_org)) == []

    response = client.post(
        reverse("dashboard:credential_add_oauth", args=[sim_org.code]),
        {
            "name": "Privacy and Status",
            "usage": "both",
            "client_id": generated.client_id,
            "client_secret": generated.client_secrets[0],
            "scopes": ",".join(generated.scopes),
        },
        follow=True,
    )

    assert response.status_code == 200
    said = flash_messages(response.content.decode())
    assert "Credential saved. Its secrets will not be shown again." in said
    assert FIRST_SYNC_STARTED in said

    wait_until(lambda: synced(sim_org), timeout=120, what="the first sync, queued on onboarding")

    assert in_lookout(sim_org) == at_adobe(adobe, sim_org)
    page = job_list(client, sim_org)
    total = sum(at_adobe(adobe, sim_org).values())
    state = PrivacySyncState.objects.get(organization=sim_org)
    assert sync_state(page) == (
        f"Synced with Adobe at {state.last_success_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC. "
        f"{total} jobs seen."
    )
    # The worker's sync ended: the menus list every regulation of the jobs, in this process too
    # (whose cache the worker cannot clear).
    regulations = PrivacyJob.objects.filter(organization=sim_org).values_list(
        "regulation", flat=True
    )
    assert regulation_menu(page) == sorted(set(regulations))

    # Sync now (a member): jobs Adobe made since come in, without beat either.
    member = MembershipFactory(organization=sim_org, role=Membership.Role.MEMBER).user
    client.force_login(member)
    adobe.create_jobs(0, regulation="gdpr", action="access", count=3, created_seconds_ago=30)
    response = sync_now(client, sim_org)
    assert response.redirect_chain[-1][0] == reverse("privacy:job_list", args=[sim_org.code])
    assert "Sync with Adobe queued: its progress shows below." in flash_messages(
        response.content.decode()
    )
    wait_until(
        lambda: sum(in_lookout(sim_org).values()) == total + 3,
        timeout=60,
        what="the sync asked for with Sync now",
    )
    celery_worker_process.wait_idle()
    assert in_lookout(sim_org) == at_adobe(adobe, sim_org)


def test_onboarding_with_the_command_brings_the_jobs_in_without_waiting_for_beat(
    adobe, tmp_path: Path, celery_worker_process
):
    generated = adobe.org(1)
    organization = OrganizationFactory(name="Commanded", ims_org_id=generated.ims_org_id)
    (tmp_path / "secret").write_text(generated.client_secrets[0])
    out = io.StringIO()

    call_command(
        "onboard_credential",
        "--org",
        organization.ims_org_id,
        "--kind",
        "oauth",
        "--client-id",
        generated.client_id,
        "--scopes",
        ",".join(generated.scopes),
        "--client-secret-file",
        str(tmp_path / "secret"),
        stdout=out,
    )

    assert out.getvalue().splitlines()[-1] == (
        "The first sync of Commanded with Adobe is queued: its Privacy jobs page shows the "
        "progress."
    )
    wait_until(lambda: synced(organization), timeout=120, what="the first sync of the command")
    celery_worker_process.wait_idle()
    assert in_lookout(organization) == at_adobe(adobe, organization)


# ---------------------------------------------------------------------------------------------
# Progress, in this process


def test_a_running_sync_shows_its_progress_in_the_part_that_refreshes(
    client, member, sim_org, adobe, monkeypatch
):
    """Each time a listed page is about to be stored, the job list is read as a member reads
    it (its live-refresh partial), 42 s into the run."""
    seen: list[tuple[int, PrivacySyncState, str]] = []
    listed = 0
    store = sync_store.store_listed_page

    def store_and_look(**kwargs):
        nonlocal listed
        state = PrivacySyncState.objects.get(organization=sim_org)
        with time_machine.travel(state.last_attempt_at + timedelta(seconds=42), tick=False):
            partial = job_list(client, sim_org, partial="1")
        seen.append((listed, state, partial))
        listed += len(kwargs["jobs"])
        return store(**kwargs)

    monkeypatch.setattr(sync_store, "store_listed_page", store_and_look)
    client.force_login(member)

    result = privacy_sync(organization_id=sim_org.pk)

    assert result.error == "" and len(seen) >= 3  # 300 jobs, 100 a page
    listed_codes = []
    for listed_before, state, partial in seen:
        started = state.last_attempt_at.astimezone(UTC)
        assert state.progress_jobs == listed_before
        assert sync_state(partial) == (
            f"Syncing with Adobe now: {listed_before} job{'' if listed_before == 1 else 's'} "
            f"read so far, listing {state.progress_regulation}; running for 42 s "
            f"(since {started:%H:%M:%S} UTC)."
        )
        assert SYNC_NOW_BUTTON not in partial  # one sync at a time
        listed_codes.append(state.progress_regulation)
    assert listed_codes == sorted(listed_codes)  # regulations are listed in code order
    assert set(listed_codes) <= set(PrivacyJob.objects.values_list("regulation", flat=True))

    page = job_list(client, sim_org)
    state = PrivacySyncState.objects.get(organization=sim_org)
    assert sync_state(page) == (
        f"Synced with Adobe at {state.last_success_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC. "
        f"{listed} jobs seen."
    )
    assert SYNC_NOW_BUTTON in page


def test_a_sync_taken_over_writes_no_progress(member, sim_org, adobe):
    """Only the run holding the row writes progress: a run whose lease was taken leaves the
    successor's numbers alone (it stops at its next page)."""
    privacy_sync(organization_id=sim_org.pk)
    state = PrivacySyncState.objects.get(organization=sim_org)
    PrivacySyncState.objects.filter(pk=state.pk).update(
        lease_until=timezone.now() + timedelta(minutes=1),
        lease_owner="someone-else",
        progress_jobs=7,
        progress_regulation="gdpr",
    )

    assert not privacy_sync(organization_id=sim_org.pk).ran

    state.refresh_from_db()
    assert (state.progress_jobs, state.progress_regulation) == (7, "gdpr")


# ---------------------------------------------------------------------------------------------
# Sync now


@pytest.fixture
def acme_sync(acme) -> PrivacySyncState:
    return PrivacySyncState.objects.create(organization=acme)


def test_viewers_see_no_sync_now_and_may_not_post_it(client, bob, acme, acme_sync):
    client.force_login(bob)
    assert SYNC_NOW_BUTTON not in job_list(client, acme)
    assert client.post(reverse("privacy:sync_now", args=[acme.code])).status_code == 403


def test_an_outsider_gets_404_from_sync_now(client, charlie, acme, acme_sync):
    client.force_login(charlie)
    assert client.post(reverse("privacy:sync_now", args=[acme.code])).status_code == 404


def test_sync_now_is_post_only(client, dave, acme):
    client.force_login(dave)
    assert client.get(reverse("privacy:sync_now", args=[acme.code])).status_code == 405


def _no_enqueue(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("Sync now queued a sync")

    monkeypatch.setattr("privacy.views.sync.enqueue", refuse)


def test_sync_now_while_a_sync_runs_says_so_and_queues_nothing(
    client, alice, acme, acme_sync, monkeypatch
):
    now = timezone.now()
    PrivacySyncState.objects.filter(pk=acme_sync.pk).update(
        lease_until=now + timedelta(seconds=45),
        lease_owner="a-running-run",
        last_attempt_at=now - timedelta(seconds=75),
        progress_jobs=1200,
        progress_regulation="ccpa",
    )
    _no_enqueue(monkeypatch)
    client.force_login(alice)

    with time_machine.travel(now, tick=False):
        page = sync_now(client, acme).content.decode()

    assert flash_messages(page) == [
        "A sync with Adobe is already running (for 1 min 15 s): its progress shows below. None "
        "was queued."
    ]
    started = (now - timedelta(seconds=75)).astimezone(UTC)
    assert sync_state(page) == (
        "Syncing with Adobe now: 1200 jobs read so far, listing ccpa; running for 1 min 15 s "
        f"(since {started:%H:%M:%S} UTC)."
    )
    assert SYNC_NOW_BUTTON not in page


def test_sync_now_during_a_failures_wait_says_when_and_queues_nothing(
    client, dave, acme, acme_sync, monkeypatch
):
    retry_at = timezone.now() + timedelta(minutes=2)
    PrivacySyncState.objects.filter(pk=acme_sync.pk).update(
        consecutive_failures=1,
        last_error="Adobe Privacy Service is rate limiting requests (429) and asked Lookout to "
        "wait 120 s.",
        last_error_at=timezone.now(),
        next_attempt_at=retry_at,
    )
    _no_enqueue(monkeypatch)
    client.force_login(dave)

    page = sync_now(client, acme).content.decode()

    assert flash_messages(page) == [
        f"The last sync failed; Lookout asks Adobe again at {retry_at.astimezone(UTC):%H:%M:%S} "
        "UTC, not sooner. None was queued."
    ]


def test_sync_now_with_the_broker_down_says_background_work_is_paused(
    client, dave, acme, monkeypatch
):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    monkeypatch.setattr(app.conf, "broker_url", f"redis://127.0.0.1:{closed}/0")
    client.force_login(dave)

    response = sync_now(client, acme)

    assert response.status_code == 200
    [said] = flash_messages(response.content.decode())
    assert re.fullmatch(
        r"Background work is paused: Lookout cannot reach its task queue \(Redis\) since "
        r"\d\d:\d\d UTC\. Pages show what was last read from Adobe; nothing was queued\.",
        said,
    )


def test_onboarding_with_the_command_and_the_broker_down_says_nothing_was_queued(
    sim_org, adobe, tmp_path, monkeypatch, transactional_db
):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    monkeypatch.setattr(app.conf, "broker_url", f"redis://127.0.0.1:{closed}/0")
    generated = adobe.org(0)
    (tmp_path / "secret").write_text(generated.client_secrets[0])
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "onboard_credential",
        *("--org", sim_org.ims_org_id, "--kind", "oauth", "--client-id", generated.client_id),
        *("--scopes", ",".join(generated.scopes)),
        *("--client-secret-file", str(tmp_path / "secret")),
        stdout=out,
        stderr=err,
    )

    assert "saved for Simulated Org" in out.getvalue()
    assert "is queued" not in out.getvalue()
    assert err.getvalue().startswith("Background work is paused: Lookout cannot reach its task")
    assert err.getvalue().rstrip().endswith("nothing was queued.")


# ---------------------------------------------------------------------------------------------
# Filter menus


def test_the_filter_menus_follow_the_jobs_as_soon_as_a_sync_ends(client, member, sim_org, adobe):
    client.force_login(member)
    assert regulation_menu(job_list(client, sim_org)) == []  # read, and cached, before any sync

    privacy_sync(organization_id=sim_org.pk)

    regulations = set(PrivacyJob.objects.values_list("regulation", flat=True))
    assert len(regulations) > 1
    assert regulation_menu(job_list(client, sim_org)) == sorted(regulations)


def test_the_job_list_before_any_sync(client, dave, acme):
    client.force_login(dave)
    page = job_list(client, acme)
    assert sync_state(page) == "Not synced with Adobe yet."
    assert SYNC_NOW_BUTTON in page

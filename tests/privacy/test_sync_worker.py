"""The sync task on real Celery worker processes: a 429 waits for Retry-After, and a worker
killed mid-sync is taken over as soon as its lease runs out."""

from __future__ import annotations

import contextlib
import os
import signal
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings

from privacy.models import PrivacyJob, PrivacySyncState, ProductResponse
from privacy.services.sync import privacy_sync, privacy_sync_due_organization_ids
from privacy.tasks import privacy_sync_due_task
from simulator.control import JOB, JOBS
from tests.conftest import onboard_oauth
from tests.fixtures.celery_worker import start_worker, stop_worker, wait_until
from tests.services import require


@pytest.fixture
def redis_broker():
    require(
        settings.CELERY_BROKER_URL.startswith("redis://"),
        "REDIS_URL is not set: worker tests run on the production broker, Redis",
    )


def by_status(adobe, organization) -> dict[str, int]:
    return adobe.counts()["orgs"][organization.ims_org_id]["by_status"]


def lookout_by_status(organization) -> dict[str, int]:
    jobs = PrivacyJob.objects.filter(organization=organization)
    return dict(Counter(jobs.values_list("status", flat=True)))


def test_beat_fan_out_syncs_each_organization_and_a_429_waits_for_retry_after(
    adobe, sim_org, redis_broker, celery_worker_process
):
    onboard_oauth(sim_org, adobe.org(0))
    # More 429s than the client retries by itself: the run fails and records Adobe's wait.
    adobe.add_fault("rate_limit", endpoint=JOBS, count=4, retry_after="2")

    privacy_sync_due_task.delay()

    def failed_once() -> bool:
        state = PrivacySyncState.objects.filter(organization=sim_org).first()
        return state is not None and state.consecutive_failures == 1

    wait_until(failed_once, timeout=60, what="the first sync to meet the lasting 429")
    state = PrivacySyncState.objects.get(organization=sim_org)
    assert state.next_attempt_at - state.last_error_at == timedelta(seconds=2)
    assert sim_org.pk not in privacy_sync_due_organization_ids()  # beat's next tick waits

    wait_until(
        lambda: sim_org.pk in privacy_sync_due_organization_ids(),
        timeout=10,
        what="Adobe's Retry-After to pass",
    )
    privacy_sync_due_task.delay()
    wait_until(
        lambda: (
            PrivacySyncState.objects.filter(organization=sim_org, consecutive_failures=0)
            .exclude(last_success_at=None)
            .exists()
        ),
        timeout=60,
        what="the retried sync to succeed",
    )
    celery_worker_process.wait_idle()
    assert lookout_by_status(sim_org) == by_status(adobe, sim_org)
    state.refresh_from_db()
    assert state.last_error == ""
    # The next scheduled sync is one interval after this one started.
    assert state.next_attempt_at - state.last_success_at == timedelta(
        seconds=settings.LOOKOUT_PRIVACY_SYNC_INTERVAL
    )


def _descendants(pid: int) -> list[int]:
    """Every process under ``pid`` (from /proc: each thread may have spawned children)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            for child in (task / "children").read_text().split():
                found += [int(child), *_descendants(int(child))]
    return found


def _kill_worker(pid: int) -> None:
    """SIGKILL the worker and its pool processes together: nothing gets to clean up."""
    os.kill(pid, signal.SIGSTOP)  # no respawning while we collect its children
    for process in [*_descendants(pid), pid]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process, signal.SIGKILL)


def test_a_worker_killed_mid_sync_loses_nothing_once_the_next_run_completes(
    adobe, sim_org, redis_broker, transactional_db, tmp_path, monkeypatch
):
    onboard_oauth(sim_org, adobe.org(0))
    # The killed run's lease frees itself after 3 s instead of minutes.
    monkeypatch.setenv("LOOKOUT_PRIVACY_SYNC_LEASE", "3")
    adobe.add_fault("slow", endpoint=JOB, seconds=0.05)  # about 11 s of job details
    worker = start_worker(tmp_path, concurrency=1)
    try:
        from privacy.tasks import privacy_sync_task

        privacy_sync_task.delay(organization_id=sim_org.pk)
        wait_until(
            lambda: PrivacyJob.objects.filter(organization=sim_org).count() >= 100,
            timeout=60,
            what="the sync to be part-way through",
        )
        _kill_worker(worker.process.pid)
        worker.process.wait(timeout=10)
    finally:
        stop_worker(worker)
    partial = PrivacyJob.objects.filter(organization=sim_org).count()
    expected = by_status(adobe, sim_org)
    assert 100 <= partial < sum(expected.values())
    state = PrivacySyncState.objects.get(organization=sim_org)
    assert state.lease_until is not None  # the killed run held it
    assert state.last_success_at is None  # died mid-run
    adobe.clear_faults()

    # The dead run's lease (3 s here) runs out, and beat's next due check queues the
    # organization again: no wait for the next sync interval.
    wait_until(
        lambda: sim_org.pk in privacy_sync_due_organization_ids(),
        timeout=10,
        interval=0.5,
        what="the dead run's lease to run out",
    )
    result = privacy_sync(organization_id=sim_org.pk, scheduled=True)

    assert result.ran and result.resumed_killed_run
    assert lookout_by_status(sim_org) == expected
    assert not PrivacyJob.objects.filter(organization=sim_org, raw_detail="").exists()
    assert not PrivacyJob.objects.filter(product_responses__isnull=True).exists()
    pairs = ProductResponse.objects.values_list("job_id", "product")
    assert len(pairs) == len(set(pairs))
    state.refresh_from_db()
    assert state.last_success_at is not None and state.lease_until is None
    assert "resumed after a run that was killed" in state.last_summary

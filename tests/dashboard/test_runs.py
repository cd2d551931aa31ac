"""Background runs (dashboard.runs): one claim at a time, kept alive while working, taken over
when killed, outcomes written only by the run that holds the row."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from adobe.errors import AdobeRateLimited, AdobeUnavailable
from dashboard.runs import KILLED, PROBE, TRANSIENT, LeaseLost, Wait, run_claim
from status.models import StatusSyncState


@pytest.fixture
def row(db):
    return StatusSyncState.objects.create(kind="events")


def test_a_live_run_keeps_others_out_and_a_killed_one_is_taken_over_and_recorded(row):
    lease = timedelta(seconds=30)
    killed = run_claim(StatusSyncState, pk=row.pk, lease=lease)
    assert killed is not None
    assert run_claim(StatusSyncState, pk=row.pk, lease=lease) is None

    later = timezone.now() + lease + timedelta(seconds=1)  # its process died: nobody renewed
    taking_over = run_claim(StatusSyncState, pk=row.pk, lease=lease, now=later)

    assert taking_over is not None and taking_over.took_over
    row.refresh_from_db()
    assert row.last_error == KILLED and row.consecutive_failures == 1
    assert not killed.succeed()  # a run that lost its row writes nothing
    with pytest.raises(LeaseLost):
        killed.renew(now=later + lease)
    assert taking_over.succeed()
    row.refresh_from_db()
    assert row.last_error == "" and row.consecutive_failures == 0 and row.lease_until is None


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_keeps_a_long_run_alive():
    row = StatusSyncState.objects.create(kind="events")
    lease = timedelta(seconds=0.6)
    run = run_claim(StatusSyncState, pk=row.pk, lease=lease)
    with run:
        time.sleep(1.5)  # one long Adobe call, more than twice the lease
        assert run_claim(StatusSyncState, pk=row.pk, lease=lease) is None
        run.renew()  # still ours
        run.succeed()
    assert run_claim(StatusSyncState, pk=row.pk, lease=lease) is not None


def test_failures_wait_by_one_policy_that_honours_retry_after(row):
    asked = AdobeRateLimited("429", retry_after=42, from_server=True)
    guessed = AdobeRateLimited("429", retry_after=1.3, from_server=False)
    assert TRANSIENT.delay(failures=1, error=asked) == timedelta(seconds=42)
    assert [TRANSIENT.delay(failures=n, error=guessed) for n in (1, 2, 3)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
    ]
    assert TRANSIENT.delay(failures=20) == timedelta(hours=1)
    assert PROBE.delay(failures=1) == timedelta(minutes=5)
    assert PROBE.delay(failures=20) == timedelta(hours=6)

    run = run_claim(StatusSyncState, pk=row.pk, lease=timedelta(seconds=30))
    next_attempt_at = run.fail(AdobeUnavailable("503", retry_after=7.0), message="down")
    row.refresh_from_db()
    assert row.next_attempt_at == next_attempt_at
    assert next_attempt_at - row.last_error_at == timedelta(seconds=7)
    # Scheduled and manual claims wait for it; a claim for a needed token does not.
    assert run_claim(StatusSyncState, pk=row.pk, lease=timedelta(1), wait=Wait.SCHEDULE) is None
    assert run_claim(StatusSyncState, pk=row.pk, lease=timedelta(1), wait=Wait.BACKOFF) is None
    assert run_claim(StatusSyncState, pk=row.pk, lease=timedelta(1)) is not None

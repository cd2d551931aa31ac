"""Passing Adobe faults never lose data: short listings, and 404s on a job's detail.

Each fault is injected through the simulator's control API and Lookout talks to it over HTTP.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from dashboard.services.clients import privacy_client
from privacy.models import PrivacyJob, PrivacySyncState
from privacy.services.sync import privacy_sync
from privacy.services.sync_store import DETAIL_BACKOFF_MAX, DETAIL_BACKOFF_MIN
from simulator.control import JOB, JOBS
from tests.conftest import onboard_oauth

INCOMPLETE = re.compile(
    r"Adobe Privacy Service's job listing for (\w+) ended after (\d+) of (\d+) jobs; "
    r"nothing was marked gone; the next attempt lists again\."
)


@pytest.fixture
def synced_org(sim_org, adobe):
    onboard_oauth(sim_org, adobe.org(0))
    return sim_org


def simulator_total(adobe, organization) -> int:
    """The simulator's own count of the jobs Adobe returns for the organization."""
    return adobe.counts()["orgs"][organization.ims_org_id]["total"]


def state_of(organization) -> PrivacySyncState:
    return PrivacySyncState.objects.get(organization=organization)


def gone(organization):
    return PrivacyJob.objects.filter(organization=organization, gone_at__isnull=False)


def products_at_adobe(organization, job_id: str) -> list[tuple]:
    detail = privacy_client(organization=organization).get_job(job_id)
    return sorted(
        (r.product, r.status.status or "", r.status.code or "") for r in detail.product_responses
    )


def products_in_lookout(job: PrivacyJob) -> list[tuple]:
    return sorted(job.product_responses.values_list("product", "status", "response_code"))


def short_listing(adobe) -> None:
    """Pages that lose half their jobs, more often than the client's one re-ask can mend."""
    adobe.add_fault("short_page", endpoint=JOBS, count=3)


def test_a_short_backfill_marks_nothing_gone_and_the_next_run_lists_everything(adobe, synced_org):
    """The fault run archived 72 of 131 jobs as gone and recorded the sync as a success."""
    short_listing(adobe)

    result = privacy_sync(organization_id=synced_org.pk)

    state = state_of(synced_org)
    words = INCOMPLETE.fullmatch(result.error)
    assert words, result.error
    listed, total = int(words[2]), int(words[3])
    assert listed < total
    assert state.last_error == result.error and state.last_success_at is None
    assert state.consecutive_failures == 1
    assert state.next_attempt_at - state.last_error_at == timedelta(minutes=1)  # TRANSIENT
    assert state.full_listing_at is None and state.backfilled_at is None
    assert f"the listing of {words[1]} ended short, nothing marked gone" in state.last_summary
    # What was read is stored; only the jobs the short pages dropped are missing.
    stored = PrivacyJob.objects.filter(organization=synced_org).count()
    assert stored == simulator_total(adobe, synced_org) - (total - listed)
    assert state.jobs_seen == stored
    assert not gone(synced_org).exists()

    adobe.clear_faults()
    with time_machine.travel(state.next_attempt_at, tick=True):
        again = privacy_sync(organization_id=synced_org.pk, scheduled=True)

    state.refresh_from_db()
    assert again.full_listing and again.error == "" and again.gone == 0
    assert again.created == total - listed
    assert PrivacyJob.objects.filter(organization=synced_org).count() == simulator_total(
        adobe, synced_org
    )
    assert state.last_error == "" and state.consecutive_failures == 0
    assert state.full_listing_at and state.backfilled_at
    assert not gone(synced_org).exists()


def test_a_short_second_full_listing_marks_no_synced_job_gone(adobe, synced_org):
    privacy_sync(organization_id=synced_org.pk)
    total = simulator_total(adobe, synced_org)
    assert PrivacyJob.objects.filter(gone_at__isnull=True).count() == total
    short_listing(adobe)

    result = privacy_sync(organization_id=synced_org.pk, backfill=True)

    assert INCOMPLETE.fullmatch(result.error), result.error
    assert result.full_listing and result.gone == 0
    assert not gone(synced_org).exists()
    state = state_of(synced_org)
    assert state.jobs_seen == total and state.consecutive_failures == 1
    # Forgotten, so the next run lists everything again although this one was asked for.
    assert state.full_listing_at is None

    adobe.clear_faults()
    with time_machine.travel(state.next_attempt_at, tick=True):
        again = privacy_sync(organization_id=synced_org.pk, scheduled=True)

    assert again.full_listing and again.error == "" and again.gone == 0
    assert PrivacyJob.objects.filter(gone_at__isnull=True).count() == total
    assert state_of(synced_org).full_listing_at is not None


def test_a_passing_404_on_a_listed_jobs_detail_is_read_again_at_the_next_sync(adobe, synced_org):
    """A 404 used to stamp the detail as read: the job's product responses were lost for good."""
    adobe.add_fault("error", status=404, endpoint=JOB, count=3)

    result = privacy_sync(organization_id=synced_org.pk)

    state = state_of(synced_org)
    assert result.error == "" and result.unread == 3
    assert "3 job details could not be read; asked again later" in state.last_summary
    assert PrivacyJob.objects.count() == simulator_total(adobe, synced_org)  # from the listing
    unread = PrivacyJob.objects.filter(organization=synced_org, detail_fetched_at__isnull=True)
    assert unread.count() == 3
    ids = list(unread.values_list("job_id", flat=True))
    for job in unread:
        assert not job.product_responses.exists() and job.raw_detail == ""
        assert job.next_detail_at - job.last_seen_at == DETAIL_BACKOFF_MIN
    assert not gone(synced_org).exists()

    adobe.clear_faults()
    adobe.reset_requests()
    with time_machine.travel(state.next_attempt_at, tick=True):
        again = privacy_sync(organization_id=synced_org.pk, scheduled=True)

    assert not again.full_listing and again.error == "" and again.unread == 0
    assert adobe.request_count(JOB) >= 3
    for job in PrivacyJob.objects.filter(job_id__in=ids):
        assert job.detail_fetched_at is not None and job.raw_detail
        assert products_in_lookout(job) == products_at_adobe(synced_org, job.job_id) != []
        assert job.gone_at is None


def test_a_passing_404_when_rereading_an_unfinished_job_keeps_it(adobe, synced_org):
    """A 404 used to mark the job gone until the next full listing."""
    privacy_sync(organization_id=synced_org.pk)
    # Days old, so outside a poll's listing: only the re-reading looks at it.
    job = PrivacyJob.objects.filter(
        status="processing", adobe_created_at__lt=timezone.now() - timedelta(days=5)
    ).first()
    read_at, products = job.detail_fetched_at, products_in_lookout(job)
    assert products
    adobe.update_job(job.job_id, status="complete")
    PrivacyJob.objects.filter(pk=job.pk).update(next_detail_at=timezone.now())
    adobe.add_fault("error", status=404, endpoint=JOB, count=1)

    result = privacy_sync(organization_id=synced_org.pk)

    job.refresh_from_db()
    assert not result.full_listing and result.error == ""
    assert result.unread == 1 and result.gone == 0
    assert "1 job details could not be read; asked again later" in result.summary
    assert job.gone_at is None and job.status == "processing"
    assert job.detail_fetched_at == read_at and products_in_lookout(job) == products
    # Another look after the backoff (an old job's: the longest).
    assert timedelta(0) < job.next_detail_at - timezone.now() <= DETAIL_BACKOFF_MAX
    assert not gone(synced_org).exists()

    PrivacyJob.objects.filter(pk=job.pk).update(next_detail_at=timezone.now())  # its look is due
    again = privacy_sync(organization_id=synced_org.pk)

    job.refresh_from_db()
    assert again.error == "" and again.unread == 0
    assert job.status == "complete" and job.next_detail_at is None and job.gone_at is None
    assert job.detail_fetched_at > read_at
    assert products_in_lookout(job) == products_at_adobe(synced_org, job.job_id)


def test_adobe_refusing_every_regulation_is_the_syncs_failure_not_a_success(adobe, synced_org):
    # A request Adobe refuses whatever the regulation (here a missing header) says nothing about
    # any one regulation: the page must show the failure, not "Synced".
    body = {"error_code": "400003", "message": "Missing header"}
    adobe.add_fault("error", status=400, endpoint=JOBS, body=body)

    result = privacy_sync(organization_id=synced_org.pk)

    assert result.error.startswith("Adobe Privacy Service refused the request: GET ")
    assert result.error.endswith("HTTP 400 400003: Missing header.")
    state = state_of(synced_org)
    assert state.last_error == result.error and state.last_success_at is None
    assert not PrivacyJob.objects.filter(organization=synced_org).exists()

"""The job sync against the simulator over real sockets: backfill, polls, progress, gone jobs."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from privacy.models import PrivacyJob, PrivacySyncState, ProductResponse
from privacy.services.sync import privacy_sync
from simulator.control import JOB, JOBS
from tests.conftest import onboard_oauth


@pytest.fixture
def synced_org(sim_org, adobe):
    """The simulator's first organization with its OAuth credential onboarded."""
    onboard_oauth(sim_org, adobe.org(0))
    return sim_org


def simulator_by_status(adobe, ims_org_id: str) -> dict[str, int]:
    return adobe.counts()["orgs"][ims_org_id]["by_status"]


def lookout_by_status(organization) -> dict[str, int]:
    jobs = PrivacyJob.objects.filter(organization=organization, gone_at__isnull=True)
    return dict(Counter(jobs.values_list("status", flat=True)))


def visible_simulator_jobs(adobe, org=0) -> list[dict]:
    return [job for job in adobe.jobs(org, limit=100_000)["jobs"] if job["visible"]]


def snapshot(organization) -> list[tuple]:
    """What a person sees of the jobs: everything but Lookout's own bookkeeping times."""
    jobs = PrivacyJob.objects.filter(organization=organization).order_by("job_id")
    products = ProductResponse.objects.filter(job__organization=organization)
    return [
        *jobs.values_list(
            "job_id", "request_id", "status", "action", "regulation", "adobe_modified_at",
            "download_url", "user_ids", "raw_detail", "gone_at",
        ),
        *products.order_by("job__job_id", "product").values_list(
            "job__job_id", "product", "status", "response_code", "processed_ids", "ignored_ids"
        ),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("page_base", "jobs_key", "download_key"),
    [(1, "jobDetails", "downloadUrl"), (0, "jobs", "downloadURL")],
)
def test_backfill_equals_the_simulator_per_status(
    adobe, synced_org, page_base, jobs_key, download_key
):
    adobe.set_switch("page_base", page_base)
    adobe.set_switch("jobs_key", jobs_key)
    adobe.set_switch("download_key", download_key)

    result = privacy_sync(organization_id=synced_org.pk)

    expected = simulator_by_status(adobe, synced_org.ims_org_id)
    assert lookout_by_status(synced_org) == expected
    assert result.error == ""
    assert result.created == sum(expected.values())
    # Every job's detail was read once: product responses, raw JSON and access download links.
    assert adobe.request_count(JOB) == result.created
    visible = visible_simulator_jobs(adobe)
    assert PrivacyJob.objects.filter(organization=synced_org, raw_detail="").count() == 0
    with_link = PrivacyJob.objects.filter(organization=synced_org).exclude(download_url="")
    assert with_link.count() == sum(
        1 for job in visible if job["status"] == "complete" and job["action"] == "access"
    )
    assert not PrivacyJob.objects.filter(product_responses__isnull=True).exists()
    one = PrivacyJob.objects.filter(organization=synced_org).first()
    assert json.loads(one.raw_detail)["jobId"] == one.job_id
    state = PrivacySyncState.objects.get(organization=synced_org)
    assert state.last_success_at and state.backfilled_at and state.full_listing_at
    assert state.last_error == "" and state.consecutive_failures == 0
    assert state.jobs_seen == sum(expected.values())
    assert "gdpr" in state.regulations and len(state.regulations) > 10


def test_poll_with_nothing_changed_reads_no_detail_and_writes_no_job_row(adobe, synced_org):
    privacy_sync(organization_id=synced_org.pk)
    before = snapshot(synced_org)
    updated_at = sorted(PrivacyJob.objects.values_list("pk", "updated_at"))
    adobe.reset_requests()

    with CaptureQueriesContext(connection) as queries:
        result = privacy_sync(organization_id=synced_org.pk)

    assert not result.full_listing and result.error == ""
    assert adobe.request_count(JOB) == 0
    # A poll lists only the used regulations over the last days: a handful of requests.
    assert 0 < adobe.request_count(JOBS) <= 2 * len(PrivacySyncState.objects.get().regulations) + 2
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))
        and ("privacy_privacyjob" in q["sql"] or "privacy_productresponse" in q["sql"])
    ]
    assert writes == []
    assert sorted(PrivacyJob.objects.values_list("pk", "updated_at")) == updated_at
    assert snapshot(synced_org) == before


def test_a_repeated_backfill_leaves_exactly_the_same_rows(adobe, synced_org):
    privacy_sync(organization_id=synced_org.pk)
    before = snapshot(synced_org)
    count = PrivacyJob.objects.count(), ProductResponse.objects.count()

    again = privacy_sync(organization_id=synced_org.pk, backfill=True)

    assert again.full_listing and again.created == 0 and again.details == 0
    assert (PrivacyJob.objects.count(), ProductResponse.objects.count()) == count
    assert snapshot(synced_org) == before


def test_jobs_progressing_on_the_simulated_clock_get_their_detail_refreshed(adobe, synced_org):
    privacy_sync(organization_id=synced_org.pk)
    created = adobe.create_jobs(
        0, regulation="gdpr", action="access", count=2, status="processing", finish_in_seconds=600
    )
    first = privacy_sync(organization_id=synced_org.pk)
    assert first.created == 2
    new_ids = [job["job_id"] for job in created]
    assert set(PrivacyJob.objects.filter(job_id__in=new_ids).values_list("status", flat=True)) == {
        "processing"
    }

    adobe.advance(seconds=900)
    adobe.reset_requests()
    second = privacy_sync(organization_id=synced_org.pk)

    assert second.error == ""
    for job in PrivacyJob.objects.filter(job_id__in=new_ids):
        assert job.status == "complete"
        assert job.download_url.endswith(f"/jobs/{job.job_id}/content")
        assert set(job.product_responses.values_list("status", flat=True)) == {"complete"}
    # Only what changed was read again (plus unfinished jobs whose backoff came due).
    assert 2 <= adobe.request_count(JOB) == second.details


def test_jobs_adobe_stops_returning_are_kept_and_marked_gone(adobe, synced_org):
    privacy_sync(organization_id=synced_org.pk)
    total = PrivacyJob.objects.count()
    # Adobe forgets finished jobs after their retention: shrink it to a day.
    adobe.set_switch("retention_days", 1)

    result = privacy_sync(organization_id=synced_org.pk, backfill=True)

    still_listed = sum(simulator_by_status(adobe, synced_org.ims_org_id).values())
    assert result.gone > 0
    assert PrivacyJob.objects.count() == total  # nothing deleted
    gone = PrivacyJob.objects.filter(gone_at__isnull=False)
    assert (
        gone.count()
        == result.gone
        == total - len([j for j in adobe.jobs(0, limit=100_000)["jobs"] if j["visible"]])
    )
    assert PrivacyJob.objects.filter(gone_at__isnull=True).count() == still_listed
    assert not gone.filter(status__in=PrivacyJob.UNFINISHED).exists()
    assert PrivacySyncState.objects.get().jobs_seen == still_listed


def test_sync_privacy_command_prints_what_it_did(adobe, synced_org, capsys):
    call_command("sync_privacy", "--org", synced_org.ims_org_id)
    out = capsys.readouterr().out
    total = sum(simulator_by_status(adobe, synced_org.ims_org_id).values())
    assert f"Full listing: {total:,} jobs listed, {total:,} new" in out
    assert "requests" in out

    call_command("sync_privacy", "--org", str(synced_org.code))
    assert "Poll: " in capsys.readouterr().out


def test_a_second_run_while_one_holds_the_lease_does_nothing(adobe, synced_org):
    from django.utils import timezone

    PrivacySyncState.objects.create(
        organization=synced_org,
        lease_until=timezone.now() + timezone.timedelta(minutes=5),
        lease_owner="someone-else",
    )

    result = privacy_sync(organization_id=synced_org.pk)

    assert not result.ran
    assert adobe.requests()["total"] == 0
    assert not PrivacyJob.objects.exists()


def test_a_regulation_adobe_does_not_know_is_skipped_and_reported(adobe, synced_org):
    from privacy.models import Regulation

    Regulation.objects.create(code="zz_unknown", name="Not a regulation", days_to_respond=30)

    result = privacy_sync(organization_id=synced_org.pk)

    assert result.error == "" and result.skipped_regulations == ["zz_unknown"]
    assert "Adobe refused zz_unknown" in PrivacySyncState.objects.get().last_summary
    assert lookout_by_status(synced_org) == simulator_by_status(adobe, synced_org.ims_org_id)


def test_an_old_unfinished_job_is_reread_when_its_backoff_is_due(adobe, synced_org):
    from datetime import timedelta

    from django.utils import timezone

    privacy_sync(organization_id=synced_org.pk)
    old = PrivacyJob.objects.filter(
        status="processing", adobe_created_at__lt=timezone.now() - timedelta(days=5)
    ).order_by("adobe_created_at")
    due, not_due = old[0], old[1]
    # Backoff grows with age: a job days old is looked at again hours later, not minutes.
    assert due.next_detail_at - due.detail_fetched_at >= timedelta(hours=5)
    adobe.update_job(due.job_id, status="complete")
    adobe.update_job(not_due.job_id, status="complete")
    PrivacyJob.objects.filter(pk=due.pk).update(next_detail_at=timezone.now())
    adobe.reset_requests()

    result = privacy_sync(organization_id=synced_org.pk)  # a poll: both are outside its window

    assert not result.full_listing and result.details == 1
    assert adobe.request_count(JOB) == 1
    due.refresh_from_db()
    not_due.refresh_from_db()
    assert due.status == "complete" and due.next_detail_at is None
    assert not_due.status == "processing"

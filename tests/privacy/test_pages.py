"""The job list, detail, export and download, as a member of the organization sees them."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from privacy.models import PrivacyJob, ProductResponse


def _job(org, job_id, *, days_ago=1, status="complete", regulation="gdpr", action="access", **kw):
    return PrivacyJob.objects.create(
        organization=org,
        job_id=job_id,
        status=status,
        regulation=regulation,
        action=action,
        adobe_created_at=timezone.now() - timedelta(days=days_ago),
        **kw,
    )


@pytest.fixture
def jobs(acme, globex):
    done = _job(acme, "job-done", request_id="req-1", user_key="ticket-42")
    ProductResponse.objects.create(
        job=done,
        product="Analytics",
        status="complete",
        response_code="PRVCY-6000-200",
        processed_ids=["Email:a@example.com"],
        message="Done",
    )
    ProductResponse.objects.create(
        job=done,
        product="Target",
        status="error",
        response_code="PRVCY-1000-400",
        ignored_ids=["ECID:1"],
    )
    _job(acme, "job-overdue", days_ago=40, status="processing")  # GDPR: 30 days
    _job(acme, "job-ccpa-fine", days_ago=40, status="processing", regulation="ccpa")  # 45 days
    _job(acme, "job-failed", status="error", action="delete")
    _job(globex, "job-of-globex")
    return done


def _list(client, acme, **params):
    return client.get(reverse("privacy:job_list", args=[acme.code]), params).content.decode()


def test_the_list_counts_by_status_and_shows_only_this_organization(client, bob, acme, jobs):
    client.force_login(bob)
    page = _list(client, acme)
    assert "<strong>1</strong> complete" in page
    assert "<strong>2</strong> processing" in page
    assert "<strong>1</strong> error" in page
    assert "job-of-globex" not in page


def test_late_jobs_are_obvious_and_filterable(client, bob, acme, jobs):
    client.force_login(bob)
    page = _list(client, acme)
    assert "Overdue by 10 days" in page  # GDPR job created 40 days ago
    assert "<strong>1</strong> late or stuck" not in page  # the CCPA one is stuck (72 h)
    late = _list(client, acme, late="on")
    assert "job-overdue" in late and "job-ccpa-fine" in late and "job-done" not in late


@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({"status": "error"}, ["job-failed"], ["job-done", "job-overdue"]),
        ({"regulation": "ccpa"}, ["job-ccpa-fine"], ["job-done"]),
        ({"action": "delete"}, ["job-failed"], ["job-done"]),
        ({"product": "Target", "product_status": "error"}, ["job-done"], ["job-failed"]),
        ({"q": "req-1"}, ["job-done"], ["job-failed"]),
        ({"q": "ticket"}, ["job-done"], ["job-failed"]),
        ({"q": "job-failed"}, ["job-failed"], ["job-done"]),
    ],
)
def test_filters_and_search(client, dave, acme, jobs, params, shown, hidden):
    client.force_login(dave)  # a member: the search finds user keys too
    page = _list(client, acme, **params)
    for job_id in shown:
        assert f">{job_id}</a>" in page
    for job_id in hidden:
        assert f">{job_id}</a>" not in page


def test_a_bad_filter_value_is_reported_and_ignored(client, bob, acme, jobs):
    client.force_login(bob)
    page = _list(client, acme, created_from="yesterday", status="complete")
    assert "Ignored: created_from (Enter a valid date.)" in page
    assert ">job-done</a>" in page and ">job-failed</a>" not in page


def test_pages_follow_without_counting_the_whole_list(client, bob, acme, settings):
    settings.LOOKOUT_PRIVACY_PAGE_SIZE = 2
    for n in range(5):
        _job(acme, f"job-{n}", days_ago=n)
    client.force_login(bob)
    first = _list(client, acme)
    assert ">job-0</a>" in first and ">job-2</a>" not in first and "Next" in first
    last = _list(client, acme, page=3)
    assert ">job-4</a>" in last and "Next" not in last and "Previous" in last


def test_the_number_of_queries_does_not_grow_with_the_page(client, bob, acme, settings):
    for n in range(30):
        job = _job(acme, f"job-{n}", days_ago=n % 40)
        ProductResponse.objects.create(job=job, product="Analytics", status="complete")
    client.force_login(bob)
    url = reverse("privacy:job_list", args=[acme.code])
    queries = []
    for size in (2, 30):
        settings.LOOKOUT_PRIVACY_PAGE_SIZE = size
        cache.clear()  # both measured cold: the filter menus are cached between requests
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        queries.append(len(captured))
    assert queries[0] == queries[1]


def test_live_refresh_gets_just_the_results(client, bob, acme, jobs):
    client.force_login(bob)
    page = _list(client, acme, status="error")
    assert 'data-refresh-url="/orgs/' in page and "partial=1" in page
    partial = _list(client, acme, status="error", partial="1")
    assert "<html" not in partial and ">job-failed</a>" in partial


def test_csv_export_streams_the_filtered_list(client, dave, acme, jobs):
    client.force_login(dave)
    response = client.get(reverse("privacy:job_export", args=[acme.code]), {"status": "processing"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(r["job_id"] for r in rows) == ["job-ccpa-fine", "job-overdue"]


def test_detail_explains_each_products_outcome(client, bob, dave, acme, jobs):
    client.force_login(dave)
    page = client.get(jobs.get_absolute_url()).content.decode()
    assert "PRVCY-6000-200</span> Success" in page
    assert "PRVCY-1000-400</span> Formatting error" in page
    assert 'Processed: <span class="mono">Email:a@example.com' in page
    assert 'Ignored: <span class="mono">ECID:1' in page
    # A viewer reads the outcomes, not the identities, and may not download personal data.
    client.force_login(bob)
    page = client.get(jobs.get_absolute_url()).content.decode()
    assert "PRVCY-1000-400</span> Formatting error" in page
    assert "Email:a@example.com" not in page and "ECID:1" not in page
    assert "members and admins can download it" in page
    assert client.get(reverse("privacy:job_download", args=[jobs.code])).status_code == 403


def test_detail_shows_the_raw_json_behind_a_toggle(client, dave, acme, jobs):
    PrivacyJob.objects.filter(pk=jobs.pk).update(raw_detail='{"jobId": "job-done"}')
    client.force_login(dave)
    page = client.get(jobs.get_absolute_url()).content.decode()
    assert "<summary>Raw Adobe JSON</summary>" in page and "&quot;jobId&quot;" in page

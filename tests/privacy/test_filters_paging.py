"""The job list's filters and pager as a person uses them: click Next until there is none."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from privacy.models import ProductResponse
from tests.pages import follow_pager
from tests.privacy.conftest import job_create

NEXT = re.compile(r'<a href="([^"]*)" rel="next"')
PREVIOUS = re.compile(r'<a href="([^"]*)" rel="prev"')
JOB_LINK = re.compile(r'class="mono">([^<]+)</a>')


_job = job_create


def _follow_next(client, path: str, query: str) -> tuple[list[list[str]], str]:
    return follow_pager(client, path, query, link=NEXT, items=JOB_LINK)


@pytest.fixture
def many_jobs(acme, globex):
    """7 failed GDPR jobs among 5 complete ones and another organization's failed job."""
    for n in range(7):
        _job(acme, f"failed-{n}", hours_ago=n, status="error")
    for n in range(5):
        _job(acme, f"done-{n}", hours_ago=n)
    _job(globex, "failed-globex", status="error")


def test_next_walks_a_filtered_list_to_its_last_page_showing_each_job_once(
    client, bob, acme, many_jobs, settings
):
    settings.LOOKOUT_PRIVACY_PAGE_SIZE = 3
    client.force_login(bob)
    path = reverse("privacy:job_list", args=[acme.code])

    pages, last = _follow_next(client, path, "?status=error&sort=oldest")

    assert [len(p) for p in pages] == [3, 3, 1]
    seen = [job_id for page in pages for job_id in page]
    assert seen == [f"failed-{n}" for n in reversed(range(7))]  # oldest first, each once
    assert "Page 3" in last and PREVIOUS.search(last)


def test_previous_goes_back_with_the_filters(client, bob, acme, many_jobs, settings):
    settings.LOOKOUT_PRIVACY_PAGE_SIZE = 3
    client.force_login(bob)
    base = reverse("privacy:job_list", args=[acme.code])
    page = client.get(base, {"status": "error", "page": 3}).content.decode()

    href = html.unescape(PREVIOUS.search(page).group(1))

    assert "status=error" in href and "page=2" in href and "partial" not in href
    back = client.get(base + href).content.decode()
    assert JOB_LINK.findall(back) == ["failed-3", "failed-4", "failed-5"]


def test_the_live_partial_renders_links_to_the_full_page(client, bob, acme, many_jobs, settings):
    settings.LOOKOUT_PRIVACY_PAGE_SIZE = 3
    client.force_login(bob)
    partial = client.get(
        reverse("privacy:job_list", args=[acme.code]), {"status": "error", "partial": "1"}
    ).content.decode()

    href = html.unescape(NEXT.search(partial).group(1))

    assert href.startswith("?") and not href.startswith("??")
    assert "status=error" in href and "page=2" in href and "partial" not in href


def test_a_bad_page_number_shows_the_first_page(client, bob, acme, many_jobs, settings):
    settings.LOOKOUT_PRIVACY_PAGE_SIZE = 3
    client.force_login(bob)
    for bad in ("0", "-2", "two", ""):
        page = client.get(reverse("privacy:job_list", args=[acme.code]), {"page": bad})
        assert page.status_code == 200
        assert "Page 1" in page.content.decode()


def test_a_page_past_the_end_shows_the_last_page(client, bob, acme, many_jobs, settings):
    """An old ?page=n link past a list that shrank: its last page, with the way back."""
    settings.LOOKOUT_PRIVACY_PAGE_SIZE = 3
    client.force_login(bob)
    page = client.get(reverse("privacy:job_list", args=[acme.code]), {"page": 9}).content.decode()
    assert JOB_LINK.findall(page) == ["failed-4", "failed-5", "failed-6"]
    assert "Last page" in page and PREVIOUS.search(page) and not NEXT.search(page)


@pytest.mark.parametrize(
    ("sort", "first"),
    [
        ("newest", "done-0"),
        ("oldest", "failed-6"),
        ("status", "done-0"),  # complete before error, newest first within
        ("not-a-sort", "done-0"),  # ignored: newest
    ],
)
def test_sorts(client, bob, acme, many_jobs, sort, first):
    client.force_login(bob)
    page = client.get(reverse("privacy:job_list", args=[acme.code]), {"sort": sort})
    assert JOB_LINK.findall(page.content.decode())[0] == first


def test_sort_by_last_change(client, bob, acme):
    _job(acme, "changed-long-ago", adobe_modified_at=timezone.now() - timedelta(days=3))
    _job(acme, "changed-now", hours_ago=5, adobe_modified_at=timezone.now())
    client.force_login(bob)
    page = client.get(reverse("privacy:job_list", args=[acme.code]), {"sort": "modified"})
    assert JOB_LINK.findall(page.content.decode()) == ["changed-now", "changed-long-ago"]


def test_sort_by_deadline_soonest_puts_the_most_urgent_open_job_first(client, bob, acme):
    day = 24
    # gdpr gives 30 days and ccpa 45: the ccpa job created earlier is due later.
    _job(acme, "ccpa-due-in-5", status="processing", regulation="ccpa", hours_ago=40 * day)
    _job(acme, "gdpr-due-in-2", status="processing", regulation="gdpr", hours_ago=28 * day)
    _job(acme, "gdpr-overdue", status="submitted", regulation="gdpr", hours_ago=31 * day)
    _job(acme, "no-deadline", status="processing", regulation="unlisted", hours_ago=50 * day)
    _job(acme, "finished", status="complete", regulation="gdpr", hours_ago=35 * day)
    client.force_login(bob)
    url = reverse("privacy:job_list", args=[acme.code])

    page = client.get(url, {"sort": "deadline"}).content.decode()

    order = ["gdpr-overdue", "gdpr-due-in-2", "ccpa-due-in-5", "no-deadline", "finished"]
    assert JOB_LINK.findall(page) == order
    assert '<option value="deadline" selected>Deadline soonest</option>' in page


def test_search_finds_ids_and_user_keys_by_their_start(client, dave, acme):
    _job(acme, "job-abc", hours_ago=2, request_id="req-9", user_key="Ticket-77")
    _job(acme, "job-abcd", user_key="other")
    client.force_login(dave)
    url = reverse("privacy:job_list", args=[acme.code])

    def found(q):
        return JOB_LINK.findall(client.get(url, {"q": q}).content.decode())

    assert found("job-abcd") == ["job-abcd"]
    assert found("job-ab") == ["job-abcd", "job-abc"]  # ids by their start
    assert found("bc") == []
    assert found(" req-9 ") == ["job-abc"]
    assert found("ticket") == ["job-abc"]  # the start of a user key, any case
    assert found("77") == []


def test_product_and_its_status_narrow_the_same_response(client, bob, acme):
    mixed = _job(acme, "mixed")
    ProductResponse.objects.create(job=mixed, product="Analytics", status="complete")
    ProductResponse.objects.create(job=mixed, product="Target", status="error")
    client.force_login(bob)
    url = reverse("privacy:job_list", args=[acme.code])

    def found(**params):
        return JOB_LINK.findall(client.get(url, params).content.decode())

    assert found(product="analytics") == ["mixed"]
    assert found(product_status="ERROR") == ["mixed"]
    assert found(product="Target", product_status="error") == ["mixed"]
    assert found(product="Analytics", product_status="error") == []


def test_created_dates_take_whole_days(client, bob, acme):
    today = timezone.now().date()
    _job(acme, "today", hours_ago=0)
    _job(acme, "days-ago", hours_ago=24 * 3)
    client.force_login(bob)
    url = reverse("privacy:job_list", args=[acme.code])

    def found(**params):
        return JOB_LINK.findall(client.get(url, params).content.decode())

    assert found(created_from=today) == ["today"]
    assert found(created_to=today - timedelta(days=1)) == ["days-ago"]
    assert found(created_from=today - timedelta(days=3), created_to=today) == ["today", "days-ago"]


def test_the_csv_export_uses_the_same_filters_and_ignores_bad_values(client, dave, acme, many_jobs):
    client.force_login(dave)
    response = client.get(
        reverse("privacy:job_export", args=[acme.code]),
        {"status": "error", "created_from": "not-a-date", "sort": "oldest", "page": "2"},
    )
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["job_id"] for r in rows] == [f"failed-{n}" for n in reversed(range(7))]


def test_the_export_link_keeps_the_filters_but_not_the_page(client, dave, acme, many_jobs):
    client.force_login(dave)
    page = client.get(
        reverse("privacy:job_list", args=[acme.code]), {"status": "error", "page": "2"}
    ).content.decode()
    href = html.unescape(re.search(r'href="([^"]*)" data-testid="csv-export"', page).group(1))
    assert href == reverse("privacy:job_export", args=[acme.code]) + "?status=error"

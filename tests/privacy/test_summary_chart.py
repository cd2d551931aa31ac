"""The job list's overview as a viewer reads it: open jobs per regulation, jobs finished per day."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from privacy.models import PrivacySyncState
from privacy.overview import jobs_per_day, regulation_summary
from privacy.selectors import lateness_rules
from tests.privacy.conftest import job_create

JOB_LINK = re.compile(r'class="mono">([^<]+)</a>')


def _page(client, org, **params) -> str:
    response = client.get(reverse("privacy:job_list", args=[org.code]), params)
    assert response.status_code == 200
    return response.content.decode()


def _section(page: str, testid: str) -> str:
    match = re.search(rf'<section[^>]*data-testid="{testid}".*?</section>', page, re.S)
    assert match, testid
    return match.group(0)


def _summary_row(page: str, regulation: str) -> dict[str, str]:
    row = re.search(rf'data-regulation="{regulation}">(.*?)</tr>', page, re.S).group(1)
    cells = dict(re.findall(r'data-testid="regulation-(\w+)">(.*?)</td>', row, re.S))
    return {name: re.sub(r"<[^>]+>", "", html).strip() for name, html in cells.items()}


@pytest.fixture
def open_jobs(acme, globex, settings):
    """GDPR allows 30 days, CCPA 45; stuck after 72 hours; xyz_nowhere is in no Regulation row."""
    settings.LOOKOUT_PRIVACY_STUCK_AFTER_HOURS = 72

    def job(job_id, *, hours_ago, regulation, status="processing", org=acme):
        return job_create(org, job_id, hours_ago=hours_ago, regulation=regulation, status=status)

    return {
        "g-overdue": job("g-overdue", hours_ago=40 * 24, regulation="gdpr"),
        "g-stuck": job("g-stuck", hours_ago=100, regulation="gdpr", status="submitted"),
        "g-fresh": job("g-fresh", hours_ago=2, regulation="gdpr"),
        "g-done": job("g-done", hours_ago=50 * 24, regulation="gdpr", status="complete"),
        "g-failed": job("g-failed", hours_ago=50 * 24, regulation="gdpr", status="error"),
        "c-fresh": job("c-fresh", hours_ago=5, regulation="ccpa"),
        "x-ancient": job("x-ancient", hours_ago=200 * 24, regulation="xyz_nowhere"),
        "other-org": job("other-org", hours_ago=90 * 24, regulation="gdpr", org=globex),
    }


def test_the_summary_counts_open_and_late_jobs_per_regulation(client, bob, acme, open_jobs):
    client.force_login(bob)  # a viewer: counts and deadlines are not personal data
    page = _page(client, acme)

    summary = _section(page, "regulation-summary")
    assert re.findall(r'data-regulation="(\w+)"', summary) == ["ccpa", "gdpr", "xyz_nowhere"]
    assert _summary_row(page, "gdpr") == {
        "deadline": "30 days",
        "open": "3",
        "late": "2",
        "oldest": "g-overdue · 40 days old",
    }
    assert _summary_row(page, "ccpa") == {
        "deadline": "45 days",
        "open": "1",
        "late": "0",
        "oldest": "c-fresh · 5 hours old",
    }
    assert _summary_row(page, "xyz_nowhere") == {
        "deadline": "No deadline known",
        "open": "1",
        "late": "0",
        "oldest": "x-ancient · 200 days old",
    }
    oldest = open_jobs["g-overdue"]
    assert (
        f'<a href="{oldest.get_absolute_url()}"><span class="mono">g-overdue</span></a>' in summary
    )


def test_a_regulations_late_number_links_to_exactly_those_jobs(client, bob, acme, open_jobs):
    client.force_login(bob)
    summary = _section(_page(client, acme), "regulation-summary")
    link = re.search(r'<a class="late" href="([^"]+)">2</a>', summary).group(1)
    assert link.endswith("?regulation=gdpr&amp;late=on")

    late_gdpr = _page(client, acme, regulation="gdpr", late="on")
    rows = late_gdpr.split('data-testid="job-table"')[1]
    assert sorted(JOB_LINK.findall(rows)) == ["g-overdue", "g-stuck"]


def test_no_open_jobs_says_so(client, bob, acme):
    job_create(acme, "done", status="complete")
    client.force_login(bob)
    summary = _section(_page(client, acme), "regulation-summary")
    assert "No open jobs." in summary and "regulation-row" not in summary


def test_the_summary_is_one_query_whatever_the_number_of_regulations(acme):
    rules = lateness_rules()
    measured = []
    for n, regulation in enumerate(("gdpr", "ccpa", "lgpd_bra", "xyz_nowhere", "pipa_kor")):
        for k in range(3):
            job_create(
                acme,
                f"{regulation}-{k}",
                hours_ago=n * 50 + k,
                regulation=regulation,
                status="processing",
            )
        with CaptureQueriesContext(connection) as captured:
            rows = regulation_summary(organization_id=acme.pk, rules=rules)
        measured.append(len(captured))
        assert [row.open for row in rows] == [3] * (n + 1)
    assert measured == [1] * 5


def _noon(days_ago: int) -> datetime:
    day = timezone.now().astimezone(UTC).date() - timedelta(days=days_ago)
    return datetime.combine(day, time(12), tzinfo=UTC)


@pytest.fixture
def finished_jobs(acme, globex):
    """Per UTC day, as Adobe last changed them: today 2 completed and 1 failed, 3 days ago
    1 completed, 29 days ago (the first day shown) 1 failed; older, unfinished or another
    organization's jobs are not counted."""
    made = [
        ("today-a", 0, "complete", acme),
        ("today-b", 0, "complete", acme),
        ("today-c", 0, "error", acme),
        ("three-days", 3, "complete", acme),
        ("first-day", 29, "error", acme),
        ("too-old", 30, "complete", acme),
        ("still-open", 1, "processing", acme),
        ("other-org", 0, "complete", globex),
    ]
    for job_id, days_ago, status, org in made:
        job_create(org, job_id, hours_ago=40 * 24, status=status, adobe_modified_at=_noon(days_ago))


def test_the_chart_shows_jobs_completed_and_failed_per_day(client, bob, acme, finished_jobs):
    client.force_login(bob)
    chart = _section(_page(client, acme), "jobs-chart")

    totals = re.sub(r"<[^>]+>", "", re.search(r'jobs-chart-totals">(.*?)</p>', chart).group(1))
    first, today = _noon(29).date(), _noon(0).date()
    assert totals == f"Last 30 days ({first} to {today}, UTC): 3 completed, 2 failed."
    days = re.findall(
        r'data-day="([\d-]+)"><th scope="row">[\d-]+</th><td>(\d+)</td><td>(\d+)</td>', chart
    )
    assert len(days) == 30
    numbers = {day: (int(c), int(e)) for day, c, e in days if (c, e) != ("0", "0")}
    assert numbers == {
        str(today): (2, 1),
        str(_noon(3).date()): (1, 0),
        str(first): (0, 1),
    }
    # Four bars (today's completed and failed, two single ones), each titled with its number.
    assert len(re.findall(r"<rect ", chart)) == 4
    assert f"<title>{today:%m-%d}: 2 completed</title>" in chart
    assert f"<title>{today:%m-%d}: 1 failed</title>" in chart


def test_the_chart_is_drawn_again_once_a_sync_brings_a_finished_job(
    client, bob, acme, finished_jobs
):
    """The drawing is cached under its numbers: a job that finished since shows at once."""
    client.force_login(bob)

    def totals() -> str:
        chart = _section(_page(client, acme), "jobs-chart")
        return re.search(r'jobs-chart-totals">(.*?)</p>', chart).group(1)

    assert "<strong>3</strong> completed" in totals()
    job_create(acme, "done-now", hours_ago=10 * 24, status="complete", adobe_modified_at=_noon(0))
    # As a sync that wrote jobs ends (what the cached numbers are keyed on).
    PrivacySyncState.objects.update_or_create(
        organization=acme, defaults={"last_success_at": timezone.now()}
    )
    assert "<strong>4</strong> completed" in totals()


def test_the_chart_is_described_for_screen_readers_and_needs_no_script(
    client, bob, acme, finished_jobs
):
    client.force_login(bob)
    page = _page(client, acme)
    chart = _section(page, "jobs-chart")

    assert 'role="img" aria-labelledby="jobs-chart-title jobs-chart-desc"' in chart
    assert '<title id="jobs-chart-title">Jobs completed and failed per day' in chart
    assert "3 completed and 2 failed in all" in chart
    assert '<table class="visually-hidden"' in chart
    assert "<script" not in chart and "http" not in chart
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', page)  # no CDN


def test_no_finished_job_shows_no_empty_chart(client, bob, acme):
    job_create(acme, "open", status="processing")
    client.force_login(bob)
    chart = _section(_page(client, acme), "jobs-chart")
    assert "No job completed or failed in these 30 days." in chart
    assert "<svg" not in chart


def test_jobs_per_day_is_one_query(acme, finished_jobs):
    with CaptureQueriesContext(connection) as captured:
        per_day = jobs_per_day(organization_id=acme.pk, now=timezone.now())
    assert len(captured) == 1
    assert (per_day.total_complete, per_day.total_error) == (3, 2)
    assert len(per_day.days) == 30 and per_day.days[-1] == _noon(0).date()


def test_the_overview_does_not_slow_the_live_refresh(client, bob, acme, open_jobs):
    client.force_login(bob)
    partial = _page(client, acme, partial="1")
    assert "regulation-summary" not in partial and "jobs-chart" not in partial

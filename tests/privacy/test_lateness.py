"""One definition of late: the list's filter, the counts and each job's badge always agree."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from privacy.models import PrivacyJob
from privacy.selectors import lateness_rules, privacy_job_counts, privacy_org_cards
from tests.privacy.conftest import job_create

JOB_LINK = re.compile(r'class="mono">([^<]+)</a>')


def _job(org, job_id, *, hours_ago, regulation="gdpr", status="processing"):
    return job_create(
        org, job_id, hours_ago=hours_ago, regulation=regulation, status=status, action="delete"
    )


@pytest.fixture
def cases(acme, settings):
    """GDPR allows 30 days, Colorado 45 (cpa_usa is its legacy code); stuck after 72 hours."""
    settings.LOOKOUT_PRIVACY_STUCK_AFTER_HOURS = 72
    return {
        "unlisted-stuck": _job(acme, "unlisted-stuck", hours_ago=100, regulation="xyz_nowhere"),
        "unlisted-fresh": _job(acme, "unlisted-fresh", hours_ago=2, regulation="xyz_nowhere"),
        "stuck": _job(acme, "stuck", hours_ago=100),
        "overdue": _job(acme, "overdue", hours_ago=31 * 24),
        "legacy-overdue": _job(acme, "legacy-overdue", hours_ago=46 * 24, regulation="cpa_usa"),
        "fresh": _job(acme, "fresh", hours_ago=2),
        "finished": _job(acme, "finished", hours_ago=60 * 24, status="complete"),
        "failed": _job(acme, "failed", hours_ago=60 * 24, status="error"),
        "no-date": PrivacyJob.objects.create(organization=acme, job_id="no-date"),
    }


# Unlisted regulations have no deadline Lookout knows, so neither of them is ever late or stuck.
LATE = {"stuck", "overdue", "legacy-overdue"}


def test_the_badge_is_late_exactly_when_the_filter_selects_the_job(cases):
    rules = lateness_rules()

    selected = set(PrivacyJob.objects.filter(rules.late_q()).values_list("job_id", flat=True))
    badged = {job_id for job_id, job in cases.items() if rules.of(job).is_late}

    assert selected == badged == LATE


def test_each_case_says_why(cases):
    rules = lateness_rules()
    state = {job_id: rules.of(job).state for job_id, job in cases.items()}
    text = {job_id: rules.of(job).text for job_id, job in cases.items()}

    assert state == {
        "unlisted-stuck": "unknown",
        "unlisted-fresh": "unknown",
        "stuck": "stuck",
        "overdue": "overdue",
        "legacy-overdue": "overdue",
        "fresh": "ok",
        "finished": "done",
        "failed": "done",
        "no-date": "unknown",
    }
    assert text["unlisted-stuck"] == "No deadline known for this regulation."
    assert text["unlisted-fresh"] == "No deadline known for this regulation."
    assert text["stuck"] == "Stuck: unfinished after 100 hours; 25 days left"
    assert text["overdue"] == "Overdue by 1 day"
    assert text["legacy-overdue"] == "Overdue by 1 day"  # cpa_usa is Colorado's 45 days
    assert text["fresh"] == "29 days left"


def test_the_count_the_filter_and_the_badges_on_the_page_agree(client, bob, acme, cases):
    client.force_login(bob)
    url = reverse("privacy:job_list", args=[acme.code])

    page = client.get(url).content.decode()
    late_only = client.get(url, {"late": "on"}).content.decode()

    assert f"<strong>{len(LATE)}</strong> late or stuck" in page
    assert set(JOB_LINK.findall(late_only)) == LATE
    badges = re.findall(r'class="badge late-(\w+)"', late_only)
    assert len(badges) == len(LATE) and set(badges) <= {"overdue", "stuck"}
    assert "No deadline known" not in late_only.split('data-testid="job-table"')[1]


def test_the_home_card_counts_the_same_jobs(client, bob, acme, globex, cases):
    rules = lateness_rules()
    assert privacy_job_counts(organization_ids=[acme.pk], rules=rules)[acme.pk].late == len(LATE)
    cards = privacy_org_cards([acme.pk, globex.pk])
    assert cards[acme.pk]["counts"].late == len(LATE)
    assert cards[globex.pk]["counts"].late == 0

    client.force_login(bob)
    home = client.get(reverse("dashboard:home")).content.decode()
    assert f"{len(LATE)} late or stuck</a>" in home


def test_a_job_under_an_unlisted_regulation_is_never_late(client, bob, acme, settings):
    """No Regulation row, no deadline: not late in the counts, the filter, the badge, the home
    card or the summary, whatever its age; its row says that no deadline is known."""
    settings.LOOKOUT_PRIVACY_STUCK_AFTER_HOURS = 72
    for job_id, hours_ago in (("ancient", 400 * 24), ("stalled", 100), ("new", 2)):
        _job(acme, job_id, hours_ago=hours_ago, regulation="xyz_nowhere")
    client.force_login(bob)
    url = reverse("privacy:job_list", args=[acme.code])

    page = client.get(url).content.decode()
    late_only = client.get(url, {"late": "on"}).content.decode()
    home = client.get(reverse("dashboard:home")).content.decode()

    assert "<strong>0</strong> late or stuck" in page
    assert page.count("No deadline known for this regulation.") == 3
    assert "late-overdue" not in page and "late-stuck" not in page
    assert JOB_LINK.findall(late_only) == []
    assert "late or stuck</a>" not in home
    summary = re.search(r'data-regulation="xyz_nowhere">(.*?)</tr>', page, re.S).group(1)
    assert "No deadline known" in summary
    assert re.search(r'data-testid="regulation-late">0<', summary)


def test_days_and_hours_are_counted_in_words(acme, settings):
    settings.LOOKOUT_PRIVACY_STUCK_AFTER_HOURS = 1
    one_day_left = _job(acme, "one-day-left", hours_ago=29 * 24 - 1.5)
    one_hour = _job(acme, "one-hour", hours_ago=1.5)
    one_day_over = _job(acme, "one-day-over", hours_ago=31 * 24 + 1)
    rules = lateness_rules()

    assert rules.of(one_day_left).text == "Stuck: unfinished after 694 hours; 1 day left"
    assert rules.of(one_hour).text == "Stuck: unfinished after 1 hour; 29 days left"
    assert rules.of(one_day_over).text == "Overdue by 1 day"

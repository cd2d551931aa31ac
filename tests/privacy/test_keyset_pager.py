"""The job list's keyset pager as a person uses it: Next to the end, Previous back to the start,
Last page and back, with a sort and a filter; every job once, in the export's order."""

from __future__ import annotations

import csv
import html
import io
import random
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from privacy.models import PrivacyJob
from tests.pages import follow_pager

NEXT = re.compile(r'<a href="([^"]*)" rel="next"')
PREVIOUS = re.compile(r'<a href="([^"]*)" rel="prev"')
LAST = re.compile(r'<a href="([^"]*)" data-testid="pager-last"')
FIRST = re.compile(r'<a href="([^"]*)" data-testid="pager-first"')
JOB_LINK = re.compile(r'class="mono">([^<]+)</a>')
PER_PAGE = 20


@pytest.fixture
def jobs(acme, globex, settings):
    """300 jobs over 60 days: every status, listed and unlisted regulations, some created at the
    same second (the id decides), a few without a creation or change time; and Globex's."""
    settings.LOOKOUT_PRIVACY_PAGE_SIZE = PER_PAGE
    settings.LOOKOUT_PRIVACY_STUCK_AFTER_HOURS = 72
    rng = random.Random(13)
    now = timezone.now().replace(microsecond=0)
    rows = []
    for n in range(300):
        created = now - timedelta(hours=rng.choice((1, 5, 50, 100)) * rng.randrange(1, 15))
        rows.append(
            PrivacyJob(
                organization=acme,
                job_id=f"job-{n:03d}",
                status=rng.choice(("submitted", "processing", "complete", "error")),
                regulation=rng.choice(("gdpr", "ccpa", "cpa_usa", "xyz_unlisted")),
                action="access",
                adobe_created_at=None if n % 37 == 0 else created,
                adobe_modified_at=None if n % 41 == 0 else created + timedelta(hours=1),
            )
        )
    rows.append(PrivacyJob(organization=globex, job_id="globex-job", status="processing"))
    PrivacyJob.objects.bulk_create(rows)


def _export(client, org, query: str) -> list[str]:
    response = client.get(reverse("privacy:job_export", args=[org.code]) + query)
    return [row["job_id"] for row in csv.DictReader(io.StringIO(b"".join(response).decode()))]


@pytest.mark.parametrize(
    "query",
    [
        "?sort=deadline",
        "?sort=deadline&status=processing",
        "?late=on",
        "?sort=oldest&regulation=gdpr",
        "?sort=status&created_from=2000-01-01",
        "?sort=modified",
        "?sort=regulation&action=access",
        "",
    ],
)
def test_next_previous_and_last_page_show_every_job_once(client, dave, acme, jobs, query):
    client.force_login(dave)  # a member: the export is theirs to read too
    path = reverse("privacy:job_list", args=[acme.code])
    expected = _export(client, acme, query)
    assert len(expected) > 2 * PER_PAGE  # several pages, so that every link is followed

    forward, last = follow_pager(client, path, query or "?", link=NEXT, items=JOB_LINK, most=40)
    assert _joined(forward) == expected  # each once, in the export's order
    assert not NEXT.search(last) and not LAST.search(last)

    # Back from the last page Next reached, Previous by Previous, to the first.
    href = html.unescape(PREVIOUS.search(last).group(1))
    back, first = follow_pager(client, path, href, link=PREVIOUS, items=JOB_LINK, most=40)
    assert _joined(reversed(back)) + forward[-1] == expected
    assert back[-1] == forward[0] and "Page 1" in first
    assert not PREVIOUS.search(first) and not FIRST.search(first)

    # "Last page" reads the list from its end: then Previous back to the start, each job once.
    start = client.get(path + query).content.decode()
    href = html.unescape(LAST.search(start).group(1))
    back, first = follow_pager(client, path, href, link=PREVIOUS, items=JOB_LINK, most=40)
    assert _joined(reversed(back)) == expected
    assert len(back[0]) == PER_PAGE  # the last page is full; the first may be short
    assert "Page 1" in first and not PREVIOUS.search(first)


def _joined(pages) -> list[str]:
    return [job for page in pages for job in page]


def test_the_pager_numbers_pages_reached_by_next_and_previous(client, bob, acme, jobs):
    client.force_login(bob)
    path = reverse("privacy:job_list", args=[acme.code])
    first = client.get(path).content.decode()
    assert "Page 1" in first and not PREVIOUS.search(first)
    second_href = html.unescape(NEXT.search(first).group(1))
    second = client.get(path + second_href).content.decode()
    third = client.get(path + html.unescape(NEXT.search(second).group(1))).content.decode()
    assert "Page 3" in third
    back = client.get(path + html.unescape(PREVIOUS.search(third).group(1))).content.decode()
    assert "Page 2" in back and JOB_LINK.findall(back) == JOB_LINK.findall(second)
    assert "First page" in back
    last = client.get(path + html.unescape(LAST.search(first).group(1))).content.decode()
    assert "Last page" in last and not NEXT.search(last) and not LAST.search(last)


def test_a_link_to_a_job_that_left_the_filter_still_marks_its_place(client, bob, acme, jobs):
    """Paging the late jobs while one of them finishes: Next still starts after it."""
    client.force_login(bob)
    path = reverse("privacy:job_list", args=[acme.code])
    first = client.get(path, {"late": "on"}).content.decode()
    on_first = JOB_LINK.findall(first)
    PrivacyJob.objects.filter(organization=acme, job_id=on_first[-1]).update(status="complete")

    second = client.get(path + html.unescape(NEXT.search(first).group(1))).content.decode()

    assert JOB_LINK.findall(second) and not set(JOB_LINK.findall(second)) & set(on_first)


def test_a_link_naming_no_job_of_the_organization_shows_the_first_page(client, bob, acme, jobs):
    client.force_login(bob)
    path = reverse("privacy:job_list", args=[acme.code])
    globex_job = PrivacyJob.objects.get(job_id="globex-job")
    first = JOB_LINK.findall(client.get(path).content.decode())
    for cursor in (str(globex_job.code), "not-a-code", "00000000-0000-0000-0000-000000000000"):
        page = client.get(path, {"after": cursor}).content.decode()
        assert JOB_LINK.findall(page) == first, cursor


def test_every_page_takes_the_same_queries(client, bob, acme, jobs):
    """The first, a middle and the last page: a constant number of queries, whatever the page."""
    client.force_login(bob)
    path = reverse("privacy:job_list", args=[acme.code])
    first = client.get(path).content.decode()
    second = client.get(path + html.unescape(NEXT.search(first).group(1))).content.decode()
    urls = {
        "first": path,
        "third": path + html.unescape(NEXT.search(second).group(1)),
        "last": path + html.unescape(LAST.search(first).group(1)),
    }
    queries = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        queries[name] = len(captured)
    # A link's job takes one query to find; the page itself is one query wherever it is.
    assert queries["third"] == queries["first"] + 1
    assert queries["last"] == queries["first"]

"""Finding a request the way the team thinks of it: its reference, a person's e-mail or ECID, a job
or request id, each by its start; kept while filtering and paging; ids only for viewers."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.urls import reverse

from privacy.filters import JobFilterSet
from privacy.models import PrivacyJob
from privacy.selectors import lateness_rules
from privacy.services.sync import privacy_sync
from tests.pages import follow_pager, request_submit
from tests.privacy.conftest import job_create
from tests.services import require

JOB_LINK = re.compile(r'class="mono">([^<]+)</a>')
NEXT = re.compile(r'<a href="([^"]*)" rel="next"')


def _email(value: str) -> dict[str, str]:
    return {"namespace": "email", "value": value, "type": "standard"}


@pytest.fixture
def requests_of_acme(acme, globex):
    """Jobs of Acme's as the team knows them, and one of Globex's answering every search."""
    job_create(
        acme,
        "6fc09b53-0001",
        hours_ago=3,
        request_id="REQ-2026-0042",
        user_key="LK0a1b2c3d4e-1-TICKET-42",  # sent from Lookout with the team's reference
        user_ids=[_email("Jane.Doe@example.com"), {"namespace": "ECID", "value": "4436365"}],
    )
    job_create(
        acme,
        "6fc09b53-0002",
        hours_ago=2,
        request_id="REQ-2026-0043",
        user_key="ticket-420",  # sent from another tool: the key is the reference
        user_ids=[_email("bob@example.org")],
    )
    job_create(acme, "9e8d7c6b-0003", hours_ago=1, user_key="LK0a1b2c3d4e-2")  # no reference
    job_create(
        globex,
        "6fc09b53-0099",
        request_id="REQ-2026-0049",
        user_key="LK99999999ff-1-TICKET-42",
        user_ids=[_email("Jane.Doe@example.com")],
    )


def _found(client, org, q: str, **params) -> list[str]:
    url = reverse("privacy:job_list", args=[org.code])
    return JOB_LINK.findall(client.get(url, {"q": q, **params}).content.decode())


def test_a_member_finds_a_request_by_its_reference_whatever_prefix_lookout_added(
    client, dave, acme, requests_of_acme
):
    client.force_login(dave)
    assert _found(client, acme, "ticket-42") == ["6fc09b53-0002", "6fc09b53-0001"]
    assert _found(client, acme, "TICKET-42 ") == ["6fc09b53-0002", "6fc09b53-0001"]  # any case
    assert _found(client, acme, "ticket-420") == ["6fc09b53-0002"]
    # The user key as Adobe shows it, Lookout's prefix included, whole or by its start.
    assert _found(client, acme, "LK0a1b2c3d4e-1-TICKET-42") == ["6fc09b53-0001"]
    assert _found(client, acme, "LK0a1b2c3d4e") == ["9e8d7c6b-0003", "6fc09b53-0001"]
    # By its start, not anywhere inside it.
    assert _found(client, acme, "1-ticket") == []
    assert _found(client, acme, "icket") == []


def test_a_member_finds_a_job_by_the_start_of_any_identity(client, dave, acme, requests_of_acme):
    client.force_login(dave)
    assert _found(client, acme, "jane.doe@") == ["6fc09b53-0001"]
    assert _found(client, acme, "JANE.DOE@EXAMPLE.COM") == ["6fc09b53-0001"]  # exact, any case
    assert _found(client, acme, "4436") == ["6fc09b53-0001"]  # the second identity, an ECID
    assert _found(client, acme, "bob@example.org") == ["6fc09b53-0002"]
    assert _found(client, acme, "doe@example.com") == []


def test_a_member_finds_jobs_by_the_start_of_a_job_id_or_request_id(
    client, dave, acme, requests_of_acme
):
    client.force_login(dave)
    assert _found(client, acme, "6fc09b53") == ["6fc09b53-0002", "6fc09b53-0001"]
    assert _found(client, acme, "9e8d7c6b-0003") == ["9e8d7c6b-0003"]
    assert _found(client, acme, "REQ-2026-004") == ["6fc09b53-0002", "6fc09b53-0001"]
    assert _found(client, acme, "REQ-2026-0043") == ["6fc09b53-0002"]
    assert _found(client, acme, "0043") == []


def test_the_search_and_its_results_show_each_reference(client, dave, acme, requests_of_acme):
    client.force_login(dave)
    page = client.get(reverse("privacy:job_list", args=[acme.code]), {"q": "ticket"})
    text = page.content.decode()
    assert 'data-testid="job-reference">TICKET-42<' in text  # Lookout's prefix left out
    assert 'data-testid="job-reference">ticket-420<' in text
    assert 'value="ticket"' in text  # the box keeps what was searched


def test_a_viewer_finds_ids_but_never_searches_personal_data(client, bob, acme, requests_of_acme):
    client.force_login(bob)
    for personal in ("ticket-42", "LK0a1b2c3d4e", "jane.doe@", "4436365"):
        assert _found(client, acme, personal) == [], personal
    assert _found(client, acme, "6fc09b53") == ["6fc09b53-0002", "6fc09b53-0001"]
    assert _found(client, acme, "REQ-2026-0043") == ["6fc09b53-0002"]
    page = client.get(reverse("privacy:job_list", args=[acme.code]), {"q": "jane.doe@"})
    text = page.content.decode()
    assert "Searching by reference or identity is for members and admins." in text
    assert "references and identities are for members and admins" in text  # the empty result


def test_filters_and_paging_keep_the_search(client, dave, acme, settings):
    """Seven failed jobs of one batch of references among others: Next walks them all, once."""
    settings.LOOKOUT_PRIVACY_PAGE_SIZE = 3
    for n in range(7):
        job_create(acme, f"job-case-{n}", hours_ago=n, status="error", user_key=f"case-{n}")
        job_create(acme, f"job-done-{n}", hours_ago=n, user_key=f"case-done-{n}")
        job_create(acme, f"job-other-{n}", hours_ago=n, status="error", user_key=f"other-{n}")
    client.force_login(dave)
    path = reverse("privacy:job_list", args=[acme.code])

    pages, last = follow_pager(
        client, path, "?q=CASE-&status=error&sort=oldest", link=NEXT, items=JOB_LINK
    )

    assert [len(page) for page in pages] == [3, 3, 1]
    assert [job for page in pages for job in page] == [f"job-case-{n}" for n in range(6, -1, -1)]
    assert 'value="CASE-"' in last  # the last page still says what it searched
    partial = client.get(path, {"q": "case-", "status": "error", "partial": "1"}).content.decode()
    href = html.unescape(NEXT.search(partial).group(1))
    assert "q=case-" in href and "status=error" in href and "page=2" in href


def test_a_job_just_submitted_is_found_by_the_identity_its_submission_recorded(
    client, member, sim_org, adobe
):
    """Before the sync reads Adobe's detail the job has no identities of its own: its
    submission's find it; after the sync, its own do."""
    client.force_login(member)
    request_submit(
        client, sim_org, "Case 7781 | Email:Jane.Roe@example.net\nEmail:someone@example.net"
    )
    jane = PrivacyJob.objects.get(organization=sim_org, user_key__endswith="-1-Case 7781")
    assert jane.user_ids == []

    assert _found(client, sim_org, "jane.roe@EXAMPLE") == [jane.job_id]
    assert _found(client, sim_org, "case 7781") == [jane.job_id]

    privacy_sync(organization_id=sim_org.pk)
    jane.refresh_from_db()
    assert jane.user_ids  # Adobe's detail was read
    assert _found(client, sim_org, "jane.roe@EXAMPLE") == [jane.job_id]


@pytest.mark.parametrize(
    ("q", "indexes"),
    [
        ("6fc09b53", ["privacy_job_id_prefix", "request_id", "privacy_job_personal_search_trgm"]),
        ("jane.doe@", ["privacy_job_personal_search_trgm"]),
        ("TICKET-42", ["privacy_job_personal_search_trgm"]),
    ],
)
def test_every_branch_of_the_search_has_an_index_on_postgresql(
    dave, acme, requests_of_acme, q, indexes
):
    """With only bitmap index scans allowed, the search still plans without reading the table
    through: a branch without an index would leave PostgreSQL a sequential scan."""
    require(connection.vendor == "postgresql", "reading PostgreSQL's plans needs PostgreSQL")
    membership = dave.memberships.get(organization=acme)
    filters = JobFilterSet({"q": q}, rules=lateness_rules(), membership=membership)
    jobs = filters.filter_search(PrivacyJob.objects.order_by(), "q", q)
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):
            cursor.execute(f"SET LOCAL {setting} = off")  # until the test's transaction ends
        plan = jobs.explain()
    assert "Seq Scan" not in plan, plan
    for index in indexes:
        assert index in plan, plan

"""Personal data is for members and admins. Viewers read status, deadlines, products and counts;
the identities, user keys and references, Adobe's raw JSON, the export and the download are not
theirs, and a viewer's rows do not even carry them. Jobs sent from Lookout say who sent them."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from privacy.models import PrivacyJob, PrivacySubmission, ProductResponse
from privacy.selectors import lateness_rules, privacy_job_detail, privacy_job_list, privacy_job_page
from tests.pages import request_submit
from tests.privacy.conftest import job_create

# What the people of sent_job are known by, and Adobe's raw answer: for members only.
PERSONAL = [
    "pat@example.com",
    "4436365",
    "case-5150",
    "robot@techacct.example",
    "download.adobe.example",
    "Raw Adobe JSON",
]


@pytest.fixture
def sent_job(acme, alice):
    """A complete access job alice sent from Lookout about Pat, as the sync stores it."""
    submission = PrivacySubmission(
        organization=acme,
        state=PrivacySubmission.State.SENT,
        submitted_by=alice,
        regulation="gdpr",
        actions=["access"],
        products=["analytics"],
        job_ids=["job-5150"],
        sent_at=timezone.now(),
    )
    key = f"LK{submission.code.hex[:10]}-1-case-5150"
    submission.users = [{"key": key, "ids": [["Email", "pat@example.com"]]}]
    submission.save()
    job = job_create(
        acme,
        "job-5150",
        hours_ago=24 * 40,  # GDPR allows 30 days: overdue
        status="processing",
        request_id="req-5150",
        user_key=key,
        submitted_by="robot@techacct.example",
        download_url="https://download.adobe.example/job-5150.zip",
        user_ids=[
            {"namespace": "email", "value": "pat@example.com", "type": "standard"},
            {"namespace": "ECID", "value": "4436365", "type": "standard"},
        ],
        raw_detail=json.dumps({"jobId": "job-5150", "userKey": key}),
    )
    ProductResponse.objects.create(
        job=job,
        product="Analytics",
        status="complete",
        response_code="PRVCY-6000-200",
        processed_ids=["pat@example.com"],
    )
    return job


def _pages(client, job) -> dict[str, str]:
    urls = {
        "list": reverse("privacy:job_list", args=[job.organization.code]),
        "detail": job.get_absolute_url(),
    }
    pages = {}
    for name, url in urls.items():
        pages[name] = client.get(url).content.decode()
        pages[f"{name} partial"] = client.get(url, {"partial": "1"}).content.decode()
    return pages


def test_a_viewer_reads_status_deadlines_products_and_counts_and_no_personal_data(
    client, bob, acme, sent_job
):
    client.force_login(bob)
    pages = _pages(client, sent_job)
    for name, page in pages.items():
        assert [value for value in PERSONAL if value in page] == [], name
    assert "<strong>1</strong> processing" in pages["list"]
    assert "Overdue by 10 days" in pages["list"] and "Overdue by 10 days" in pages["detail"]
    assert "Analytics: complete" in pages["list"]
    assert "PRVCY-6000-200</span> Success" in pages["detail"]
    assert 'data-testid="job-status">Processing' in pages["detail"]
    assert 'data-testid="csv-export"' not in pages["list"]
    assert "Searching by reference or identity is for members and admins." in pages["list"]


def test_a_viewer_gets_no_export_and_no_download(client, bob, acme, sent_job):
    PrivacyJob.objects.filter(pk=sent_job.pk).update(status="complete")
    client.force_login(bob)
    assert (
        "members and admins can download it"
        in client.get(sent_job.get_absolute_url()).content.decode()
    )
    assert client.get(reverse("privacy:job_export", args=[acme.code])).status_code == 403
    assert client.get(reverse("privacy:job_download", args=[sent_job.code])).status_code == 403


def test_a_member_reads_the_personal_data(client, dave, acme, sent_job):
    client.force_login(dave)
    pages = _pages(client, sent_job)
    detail = pages["detail"]
    assert [value for value in PERSONAL if value not in detail] == ["download.adobe.example"]
    assert 'data-testid="job-reference">case-5150<' in detail
    assert 'data-testid="job-reference">case-5150<' in pages["list"]
    assert 'data-testid="csv-export"' in pages["list"]


def test_a_viewers_rows_carry_no_personal_data(
    bob, dave, acme, sent_job, django_assert_num_queries
):
    """What the selectors give a viewer holds blanks, not deferred fields a template could load."""
    viewer = bob.memberships.get(organization=acme)
    rules = lateness_rules()
    page = privacy_job_page(
        jobs=privacy_job_list(organization_id=acme.pk),
        per_page=10,
        rules=rules,
        membership=viewer,
    )
    detail = privacy_job_detail(pk=sent_job.pk, membership=viewer, rules=rules)
    with django_assert_num_queries(0):
        for job in (page.items[0], detail):
            assert [getattr(job, name) for name in PrivacyJob.PERSONAL_FIELDS] == [
                "",
                "",
                "",
                [],
                "",
                "",
            ]
            assert getattr(job, "team_reference", "") == ""
        responses = [*page.items[0].product_responses.all(), *detail.responses]
        assert {r.product for r in responses} == {"Analytics"}
        assert all(r.processed_ids == [] and r.ignored_ids == [] for r in responses)
    member = dave.memberships.get(organization=acme)
    detail = privacy_job_detail(pk=sent_job.pk, membership=member, rules=rules)
    assert detail.user_key == sent_job.user_key and detail.team_reference == "case-5150"
    assert detail.responses[0].processed_ids == ["pat@example.com"]


SUBMITTER = re.compile(r'data-testid="job-submitter">(.*?)</(?:span|dd)>', re.S)
SUBMISSION_LINK = re.compile(r'href="([^"]*#submission-[^"]*)" data-testid="submission-link"')


def test_a_job_sent_from_lookout_says_who_sent_it_and_leads_to_its_submission(
    client, member, sim_org, adobe, bob
):
    """dave sends a request; its jobs say so on the list and the job page, link to the
    submission, and the submission's job ids lead back to the jobs' pages."""
    client.force_login(member)
    request_submit(client, sim_org, "case-77 | Email:jane@example.com")
    submission = PrivacySubmission.objects.get()
    job = PrivacyJob.objects.get(job_id__in=submission.job_ids)

    listing = client.get(reverse("privacy:job_list", args=[sim_org.code])).content.decode()
    detail = client.get(job.get_absolute_url()).content.decode()
    for page in (listing, detail):
        assert "Submitted from Lookout by <strong>dave</strong>" in SUBMITTER.search(page).group(1)
        href = SUBMISSION_LINK.search(page).group(1)
        assert href == (
            reverse("privacy:request_new", args=[sim_org.code]) + f"#submission-{submission.code}"
        )

    request_page = client.get(href.split("#")[0]).content.decode()
    cell = re.search(rf'id="submission-{submission.code}"[^>]*>(.*?)</td>', request_page).group(1)
    job_link = re.search(r'<a href="([^"]+)">' + re.escape(job.job_id) + "</a>", cell).group(1)
    landed = client.get(job_link, follow=True)
    assert landed.redirect_chain[-1][0] == job.get_absolute_url()
    assert f'<h1 class="mono">{job.job_id}</h1>' in landed.content.decode()

    # A viewer reads who sent it, not a link to a form only members open.
    bob.memberships.create(organization=sim_org, role="viewer")
    client.force_login(bob)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Submitted from Lookout by <strong>dave</strong>" in SUBMITTER.search(page).group(1)
    assert SUBMISSION_LINK.search(page) is None and "case-77" not in page


def test_a_job_is_found_by_its_adobe_id_in_its_own_organization_only(
    client, dave, acme, globex, sent_job
):
    theirs = job_create(globex, "job-of-globex")
    client.force_login(dave)
    mine = reverse("privacy:job_by_adobe_id", args=[acme.code, "job-5150"])
    assert client.get(mine)["Location"] == sent_job.get_absolute_url()
    assert (
        client.get(reverse("privacy:job_by_adobe_id", args=[acme.code, theirs.job_id])).status_code
        == 404
    )
    assert (
        client.get(reverse("privacy:job_by_adobe_id", args=[acme.code, "no-such-job"])).status_code
        == 404
    )

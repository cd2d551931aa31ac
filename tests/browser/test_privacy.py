"""Privacy jobs as a person sees them: filter the list, open a job, submit a request."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dashboard.models import Membership
from privacy.models import PrivacyJob, ProductResponse
from tests.browser.test_sign_in import _sign_in
from tests.conftest import onboard_oauth
from tests.factories import MembershipFactory

pytestmark = pytest.mark.browser


def _jobs(org):
    done = PrivacyJob.objects.create(
        organization=org,
        job_id="job-done",
        status="complete",
        regulation="gdpr",
        action="access",
        adobe_created_at=timezone.now() - timedelta(days=2),
    )
    ProductResponse.objects.create(
        job=done,
        product="Analytics",
        status="complete",
        response_code="PRVCY-6052-200",
    )
    PrivacyJob.objects.create(
        organization=org,
        job_id="job-late",
        status="processing",
        regulation="gdpr",
        action="delete",
        adobe_created_at=timezone.now() - timedelta(days=33),
    )
    return done


def test_filter_the_list_and_open_a_job(page, bob, acme):
    _jobs(acme)
    _sign_in(page, "bob")
    page.goto(f"/orgs/{acme.code}/privacy/")
    expect(page.get_by_test_id("job-row")).to_have_count(2)
    expect(page.get_by_text("Overdue by 3 days")).to_be_visible()

    page.get_by_label("Late or stuck only").check()
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"[?&]late=on"))  # the filter is kept in the URL
    expect(page.get_by_test_id("job-row")).to_have_count(1)

    page.get_by_role("link", name="Clear").click()
    expect(page.get_by_test_id("job-row")).to_have_count(2)
    page.get_by_role("link", name="job-done").click()
    timeline = page.get_by_test_id("product-timeline")
    expect(timeline).to_contain_text("PRVCY-6052-200 User IDs not found")


def test_a_member_submits_a_request_and_sees_it_accepted(page, sim_org, adobe, dave):
    MembershipFactory(organization=sim_org, user=dave, role=Membership.Role.MEMBER)
    onboard_oauth(sim_org, adobe.org(0))
    _sign_in(page, "dave")
    page.goto(f"/orgs/{sim_org.code}/privacy/")
    page.get_by_role("link", name="New access / delete request").click()
    page.get_by_label("Regulation").select_option("gdpr")
    page.get_by_label("Delete").check()
    page.get_by_label("Adobe Analytics").check()
    page.get_by_label("Data subjects").fill("ticket-7 | Email:jane@example.com")
    page.get_by_role("button", name="Send to Adobe").click()
    expect(page.get_by_text("Adobe accepted the request: 2 jobs created.")).to_be_visible()
    expect(page.get_by_test_id("submission-row")).to_have_count(1)


def test_the_list_refreshes_in_place(page, bob, acme, settings):
    settings.LOOKOUT_LIVE_REFRESH_SECONDS = 1
    job = _jobs(acme)
    _sign_in(page, "bob")
    page.goto(f"/orgs/{acme.code}/privacy/")
    page.evaluate("window.notReloaded = true")
    PrivacyJob.objects.filter(pk=job.pk).update(status="error")  # what a sync would do
    expect(page.get_by_test_id("status-counts").get_by_text("1 error")).to_be_visible(timeout=5000)
    assert page.evaluate("window.notReloaded") is True  # swapped in place, no full reload

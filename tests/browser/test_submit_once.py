"""A request in a real browser: the button says "Sending…", and a double click sends once."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dashboard.models import Membership
from privacy.models import PrivacySubmission
from tests.browser.test_sign_in import _sign_in
from tests.conftest import onboard_oauth
from tests.factories import MembershipFactory

pytestmark = pytest.mark.browser
CREATE = "POST /data/core/privacy/jobs"


def _fill_request(page, sim_org) -> None:
    page.goto(f"/orgs/{sim_org.code}/privacy/request/")
    page.get_by_label("Regulation").select_option("gdpr")
    page.get_by_label("Adobe Analytics").check()
    page.get_by_label("Data subjects").fill("ticket-7 | Email:jane@example.com")


@pytest.fixture
def member(sim_org, adobe, dave):
    MembershipFactory(organization=sim_org, user=dave, role=Membership.Role.MEMBER)
    onboard_oauth(sim_org, adobe.org(0))
    return dave


# Written down by the page itself as the button changes, and read back on the next page: the
# browser leaves the page as soon as Adobe's answer comes, and Playwright waits for that page.
WATCH_THE_BUTTON = """() => {
  const button = document.querySelector("form[data-submit-once] button[type=submit]");
  new MutationObserver(() => sessionStorage.setItem(
    "button", JSON.stringify({label: button.textContent, disabled: button.disabled})
  )).observe(button, {attributes: true, childList: true, characterData: true, subtree: true});
}"""


def test_the_button_says_sending_while_adobe_answers(page, sim_org, adobe, member):
    adobe.add_fault("slow", seconds=1.0, endpoint=CREATE, count=1)
    _sign_in(page, "dave")
    _fill_request(page, sim_org)
    page.evaluate(WATCH_THE_BUTTON)
    page.get_by_role("button", name="Send to Adobe").click()
    expect(page.get_by_text("Adobe accepted the request: 1 job created.")).to_be_visible()
    seen = page.evaluate("() => JSON.parse(sessionStorage.getItem('button'))")
    assert seen == {"label": "Sending…", "disabled": True}
    # The next form is ready to send.
    expect(page.get_by_role("button", name="Send to Adobe")).to_be_enabled()


def test_a_double_click_sends_once(page, sim_org, adobe, member):
    _sign_in(page, "dave")
    _fill_request(page, sim_org)
    page.get_by_role("button", name="Send to Adobe").dblclick()
    expect(page.get_by_text("Adobe accepted the request: 1 job created.")).to_be_visible()
    expect(page.get_by_test_id("submission-row")).to_have_count(1)
    assert PrivacySubmission.objects.count() == 1
    assert adobe.request_count(CREATE) == 1

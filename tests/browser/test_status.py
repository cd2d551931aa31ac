"""A member follows an incident on a watched product: status page, live refresh, detail."""

from __future__ import annotations

import pytest

from status.services.poll import status_events_poll
from status.services.watching import watched_products_set
from tests.browser.test_sign_in import _sign_in
from tests.conftest import onboard_oauth

pytestmark = pytest.mark.browser


def test_status_page_refreshes_in_place_and_leads_to_the_timeline(page, sim_org, adobe):
    onboard_oauth(sim_org, adobe.org(0))
    created = adobe.create_incident(
        products=["503462"],
        severity="Minor",
        title="Reports slow",
        message="Some reports take minutes.",
    )
    assert status_events_poll().ok
    watched_products_set(organization=sim_org, product_ids=["503462"])
    page.clock.install()
    _sign_in(page, "alice")
    page.goto(sim_org.get_absolute_url())
    page.get_by_role("navigation", name="Organization").get_by_role(
        "link", name="Adobe Status"
    ).click()

    first = page.get_by_test_id("incident-row").first
    assert "Reports slow" in first.inner_text() and "Affects us" in first.inner_text()

    # Adobe closes it; the next poll stores that, and the page updates without a reload.
    adobe.advance(900)
    adobe.update_incident(
        created["id"], status="Closed", title="Reports fixed", message="Reports are fast again."
    )
    assert status_events_poll().ok
    page.evaluate("window.__marker = 'same page'")
    page.clock.fast_forward(31_000)
    live = page.get_by_test_id("status-live")
    live.get_by_text("Reports slow").wait_for(state="detached")
    assert page.evaluate("window.__marker") == "same page"

    page.get_by_role("link", name="History").click()
    page.get_by_role("link", name="Reports fixed").click()
    entries = page.get_by_test_id("timeline-entry")
    assert entries.count() == 2
    assert "Reports slow: Some reports take minutes." in entries.nth(0).inner_text()
    assert "Opened → Closed" in entries.nth(1).inner_text()
    assert page.get_by_test_id("incident-state").inner_text() == "Closed (Closed)"
    assert page.get_by_test_id("incident-duration").inner_text() == "15\xa0minutes"

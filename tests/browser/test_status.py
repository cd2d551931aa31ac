"""A member follows an incident on a watched product: status page, live refresh, detail."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

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
    expect(first).to_contain_text("Reports slow")
    expect(first).to_contain_text("Affects us")

    # Adobe closes it; the next poll stores that, and the page updates without a reload.
    adobe.advance(900)
    adobe.update_incident(
        created["id"], status="Closed", title="Reports fixed", message="Reports are fast again."
    )
    assert status_events_poll().ok
    page.evaluate("window.__marker = 'same page'")
    page.clock.fast_forward(31_000)
    live = page.get_by_test_id("status-live")
    # live.js marks each in-place swap; the swapped-in part must render before absence counts.
    expect(live).to_have_attribute("data-refreshed-at", re.compile(r".+"))
    expect(live.get_by_role("heading", name="Open incidents")).to_be_visible()
    expect(live.get_by_text("Reports slow")).to_have_count(0)
    assert page.evaluate("window.__marker") == "same page"

    page.get_by_role("link", name="History").click()
    page.get_by_role("link", name="Reports fixed").click()
    entries = page.get_by_test_id("timeline-entry")
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_contain_text("Reports slow: Some reports take minutes.")
    expect(entries.nth(1)).to_contain_text("Opened → Closed")
    expect(page.get_by_test_id("incident-state")).to_have_text("Closed")
    expect(page.get_by_test_id("incident-duration")).to_have_text("15\xa0minutes")

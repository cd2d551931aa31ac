"""An admin onboards a simulator credential in the browser and sees a healthy token."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_sign_in import _sign_in

pytestmark = pytest.mark.browser


def test_admin_onboards_and_tests_a_credential(page, sim_org, adobe, bob):
    generated = adobe.org(0)
    _sign_in(page, "alice")
    page.goto(sim_org.get_absolute_url())
    tabs = page.get_by_role("navigation", name="Organization")
    tabs.get_by_role("link", name="Credentials & tokens").click()
    page.get_by_role("link", name="Add OAuth Server-to-Server credential").click()

    page.get_by_label("Name").fill("Privacy and Status")
    page.get_by_label("Client ID (API key)").fill(generated.client_id)
    page.get_by_label("Client secret").fill(generated.client_secret)
    page.get_by_label("Scopes").fill(",".join(generated.scopes))
    page.get_by_role("button", name="Save credential").click()
    saved = page.get_by_text("Credential saved. Its secrets will not be shown again.")
    expect(saved).to_be_visible()
    assert generated.client_secret not in page.content()  # read once the saved page is shown

    page.get_by_role("button", name="Test connection").click()
    expect(page.get_by_text("Connection works. New token valid until")).to_be_visible()
    expect(page.get_by_test_id("token-health")).to_have_text("Token is valid.")
    assert adobe.token_issuances(0) == 1


def test_a_viewer_sees_token_health_but_no_admin_actions(page, acme_credential, bob):
    _sign_in(page, "bob")
    page.goto(acme_credential.get_absolute_url())
    expect(page.get_by_role("heading", name="Acme privacy")).to_be_visible()
    expect(page.get_by_test_id("token-health")).to_be_visible()
    expect(page.get_by_role("button", name="Test connection")).to_have_count(0)
    expect(page.get_by_role("button", name="Retire")).to_have_count(0)

"""An admin onboards a simulator credential in the browser and sees a healthy token."""

from __future__ import annotations

import pytest

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
    assert page.get_by_text("Credential saved. Its secrets will not be shown again.").is_visible()
    assert generated.client_secret not in page.content()

    page.get_by_role("button", name="Test connection").click()
    assert page.get_by_text("Connection works. New token valid until").is_visible()
    assert page.get_by_test_id("token-health").inner_text() == "Token is valid."
    assert adobe.token_issuances(0) == 1


def test_a_viewer_sees_token_health_but_no_admin_actions(page, acme_credential, bob):
    _sign_in(page, "bob")
    page.goto(acme_credential.get_absolute_url())
    assert page.get_by_role("heading", name="Acme privacy").is_visible()
    assert page.get_by_test_id("token-health").is_visible()
    assert page.get_by_role("button", name="Test connection").count() == 0
    assert page.get_by_role("button", name="Retire").count() == 0

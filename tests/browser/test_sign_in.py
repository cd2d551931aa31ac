"""What a person sees: sign in, find your organizations, fail to open another team's."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def _sign_in(page, username: str) -> None:
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_and_see_your_organizations(page, alice, charlie, acme, globex):
    _sign_in(page, "alice")
    assert page.get_by_role("heading", name="Your organizations").is_visible()
    cards = page.get_by_test_id("org-card")
    assert cards.count() == 1
    assert "Acme" in cards.first.inner_text()
    assert "Globex" not in page.content()

    cards.first.get_by_role("link", name="Acme").click()
    assert page.get_by_role("heading", name="Acme").is_visible()
    page.get_by_test_id("org-switcher").locator("summary").click()
    assert page.get_by_test_id("org-switcher").get_by_role("link", name="Acme").is_visible()


def test_a_wrong_password_is_explained(page, alice):
    page.goto("/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    assert (
        page.get_by_role("alert")
        .inner_text()
        .startswith("Please enter a correct username and password.")
    )


def test_another_teams_organization_cannot_be_opened(page, alice, charlie, globex):
    _sign_in(page, "alice")
    response = page.goto(globex.get_absolute_url())
    assert response.status == 404
    assert page.get_by_role("heading", name="Page not found").is_visible()
    assert "Globex" not in page.content()


def test_signing_out_returns_to_the_sign_in_page(page, alice):
    _sign_in(page, "alice")
    page.get_by_role("button", name="Sign out").click()
    assert page.get_by_role("heading", name="Sign in to Lookout").is_visible()

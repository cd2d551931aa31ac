"""What a person sees: sign in, find your organizations, fail to open another team's."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def _sign_in(page, username: str) -> None:
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_and_see_your_organizations(page, alice, charlie, acme, globex):
    _sign_in(page, "alice")
    expect(page.get_by_role("heading", name="Your organizations")).to_be_visible()
    cards = page.get_by_test_id("org-card")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Acme")
    assert "Globex" not in page.content()  # read once the list is shown

    cards.first.get_by_role("link", name="Acme").click()
    expect(page.get_by_role("heading", name="Acme")).to_be_visible()
    page.get_by_test_id("org-switcher").locator("summary").click()
    expect(page.get_by_test_id("org-switcher").get_by_role("link", name="Acme")).to_be_visible()


def test_a_wrong_password_is_explained(page, alice):
    page.goto("/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text(
        re.compile(r"^Please enter a correct username and password\."), use_inner_text=True
    )


def test_another_teams_organization_cannot_be_opened(page, alice, charlie, globex):
    _sign_in(page, "alice")
    response = page.goto(globex.get_absolute_url())
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    assert "Globex" not in page.content()  # read once the 404 page is shown


def test_signing_out_returns_to_the_sign_in_page(page, alice):
    _sign_in(page, "alice")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Lookout")).to_be_visible()

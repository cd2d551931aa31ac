"""Security as a person's browser sees it: markup in Adobe's text stays text (no dialog, no
injected element, also after the live refresh swaps a partial in with innerHTML, where an
<img onerror> would fire); repeated wrong passwords end on the sign-in page with the reason."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.test_sign_in import _sign_in
from tests.dashboard.test_security import XSS, hostile_adobe

pytestmark = pytest.mark.browser


def test_adobe_markup_never_runs_on_the_job_and_status_pages(page, client, alice, sim_org, adobe):
    client.force_login(alice)
    shown = hostile_adobe(client, sim_org, adobe)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.clock.install()
    _sign_in(page, "alice")
    incident = shown["incidents"][0]
    for url, live in [
        (shown["jobs"][0].get_absolute_url(), True),
        (reverse("status:status_page", args=[sim_org.code]), True),
        (reverse("status:incident_detail", args=[sim_org.code, incident.code]), False),
    ]:
        page.goto(url)
        expect(page.get_by_text(XSS[0]).first).to_be_visible()  # shown, as text
        if live:
            page.clock.fast_forward(31_000)
            swapped = page.locator("[data-refresh-url]")
            expect(swapped).to_have_attribute("data-refreshed-at", re.compile(r".+"))
            expect(swapped.get_by_text(XSS[0]).first).to_be_attached()
        expect(page.locator("img")).to_have_count(0)  # no <img src=x onerror=…> made it in
        assert page.locator("script:not([src])").count() == 0, url
        page.clock.run_for(1_000)
    assert dialogs == []


def test_repeated_wrong_passwords_show_the_lockout_on_the_sign_in_page(page, alice):
    for _ in range(5):
        page.goto("/login/")
        page.get_by_label("Username").fill("alice")
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Too many failed sign-ins. Try again in 15 minutes.", use_inner_text=True
    )
    _sign_in(page, "alice")  # the right password, still refused
    expect(page.get_by_role("heading", name="Sign in to Lookout")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Too many failed sign-ins.")

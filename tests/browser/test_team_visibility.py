"""What a team sees: a broken credential first on the home page, an invited person who joins and
signs in, and a member choosing their notifications — in headless Chromium."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from dashboard.models import Credential, Membership, NotificationSetting
from tests.browser.test_sign_in import _sign_in
from tests.factories import MembershipFactory

pytestmark = pytest.mark.browser


def test_a_broken_credential_in_one_organization_comes_first_and_links_to_it(
    page, alice, acme, globex, acme_credential
):
    MembershipFactory(organization=globex, user=alice, role=Membership.Role.MEMBER)
    Credential.objects.filter(pk=acme_credential.pk).update(
        needs_attention=True,
        consecutive_failures=3,
        last_error="Adobe IMS refused the client secret (invalid_client).",
        last_error_at=timezone.now(),
    )
    _sign_in(page, "alice")

    entries = page.get_by_test_id("attention-entry")
    expect(entries.first).to_contain_text("Acme")
    expect(entries.first).to_contain_text(acme_credential.name)
    expect(entries.first).to_have_attribute("data-level", "critical")
    expect(page.get_by_test_id("org-card")).to_have_count(2)
    expect(page.get_by_test_id("attention")).not_to_contain_text("Globex")

    entries.first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/credentials/{acme_credential.code}/$"))
    expect(page.get_by_text("invalid_client").first).to_be_visible()


def test_an_invited_person_joins_signs_in_and_chooses_notifications(
    page, alice, acme, chromium, live_server
):
    _sign_in(page, "alice")
    page.goto(f"/orgs/{acme.code}/team/")
    page.get_by_label("E-mail").fill("grace@acme.example")
    page.get_by_label("Role:", exact=True).select_option("member")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("grace@acme.example").first).to_be_visible()

    link = re.search(r"https?://\S+/join/\S+", mail.outbox[-1].body).group(0)
    path = re.sub(r"^https?://[^/]+", "", link)

    # Grace, in a browser of her own, follows the link from her e-mail.
    context = chromium.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    grace = context.new_page()
    try:
        _grace_joins_and_chooses(grace, path)
    finally:
        context.close()

    setting = NotificationSetting.objects.get(membership__user__username="grace")
    assert setting.topics == ["incident", "privacy_job"]
    assert setting.email and setting.email_digest and not setting.webhook_url_encrypted


def _grace_joins_and_chooses(grace, path: str) -> None:
    grace.goto(path)
    expect(grace.get_by_role("heading", name="Join Acme")).to_be_visible()
    grace.get_by_label("Username").fill("grace")
    grace.get_by_label("Password:", exact=True).fill("a long passphrase 42")
    grace.get_by_label("Password again").fill("a long passphrase 42")
    grace.get_by_role("button", name="Create account and join").click()
    expect(grace.get_by_text("You joined Acme as Member.")).to_be_visible()

    # Signed out, she signs in with what she chose.
    grace.get_by_role("button", name="Sign out").click()
    grace.get_by_label("Username").fill("grace")
    grace.get_by_label("Password").fill("a long passphrase 42")
    grace.get_by_role("button", name="Sign in").click()
    expect(grace.get_by_test_id("org-card")).to_have_count(1)
    expect(grace.get_by_test_id("org-card")).to_contain_text("Acme")

    # She chooses her notifications for Acme.
    grace.get_by_test_id("org-card").get_by_role("link", name="Acme").click()
    grace.get_by_role("navigation", name="Organization").get_by_role(
        "link", name="Notifications"
    ).click()
    grace.get_by_label("Incidents on watched products: opened, updated, closed").check()
    grace.get_by_label("Privacy jobs failing or passing their deadline").check()
    grace.get_by_label("As one daily digest instead of one e-mail each").check()
    grace.get_by_role("button", name="Save notification settings").click()
    expect(grace.get_by_text("Notification settings saved.")).to_be_visible()
    expect(
        grace.get_by_label("Incidents on watched products: opened, updated, closed")
    ).to_be_checked()
    expect(grace.get_by_label("By e-mail")).to_be_checked()

    # A webhook to a private address is refused in words, and nothing changes.
    grace.get_by_label("To a webhook (Slack-compatible)").fill("https://169.254.169.254/hook")
    grace.get_by_role("button", name="Save notification settings").click()
    expect(grace.get_by_text("link-local address")).to_be_visible()

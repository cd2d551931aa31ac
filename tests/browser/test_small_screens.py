"""On a 390 px phone: the navigation and Sign out stay in reach, no table widens the page, and the
actions that cannot be taken back ask first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from dashboard.models import ClientSecret, Credential, Membership
from privacy.models import ProductResponse
from status.models import Incident, Maintenance
from tests.browser.test_sign_in import _sign_in
from tests.privacy.conftest import job_create

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TABS = ["Overview", "Adobe Status", "Privacy jobs", "Credentials & tokens", "Team", "Audit log"]


@pytest.fixture
def phone(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, viewport=PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def busy_acme(acme, alice, bob, acme_credential):
    """Long ids, many products, a month of finished jobs, incidents and maintenance: wide rows."""
    now = timezone.now()
    for n in range(12):
        job = job_create(
            acme,
            f"5f0c1e2a-9b7d-4c3e-8a6f-{n:012d}",
            hours_ago=n * 61,
            status=("processing", "complete", "error")[n % 3],
            regulation=("gdpr", "ccpa", "cpra_ca_usa", "xyz_nowhere")[n % 4],
            request_id=f"request-{n:04d}-with-a-long-reference-from-the-team",
            adobe_modified_at=now - timedelta(days=n * 2),
        )
        for product in ("Analytics", "AudienceManager", "CustomerJourneyAnalytics", "Target"):
            ProductResponse.objects.create(job=job, product=product, status="processing")
    for n in range(3):
        Incident.objects.create(
            adobe_id=f"INC-2025-{n:08d}",
            title="Segment exports to destinations are delayed for some customers",
            status="Opened",
            severity="Major",
            started_at=now - timedelta(hours=n + 1),
            last_update_at=now,
        )
    Incident.objects.create(
        adobe_id="INC-2024-00000099",
        title="Report builder timeouts for large workspaces in every North America region",
        state="closed",
        status="Closed",
        severity="Minor",
        started_at=now - timedelta(days=3),
        closed_at=now - timedelta(days=2),
        last_update_at=now - timedelta(days=2),
    )
    Maintenance.objects.create(
        adobe_id="MNT-2025-00000001",
        title="Database maintenance for Adobe Experience Platform in the NLD2 region",
        phase="scheduled",
        maintenance_type="Urgent",
        scheduled_at=now + timedelta(days=2),
    )
    return acme


def _pages(org) -> dict[str, str]:
    return {
        "home": reverse("dashboard:home"),
        "job list": reverse("privacy:job_list", args=[org.code]),
        "status page": reverse("status:status_page", args=[org.code]),
    }


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("name", ["home", "job list", "status page"])
def test_the_navigation_and_sign_out_stay_in_reach(phone, busy_acme, name):
    _sign_in(phone, "alice")
    phone.goto(_pages(busy_acme)[name])

    sign_out = phone.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_visible()
    expect(sign_out).to_be_in_viewport()
    sign_out.click(trial=True)  # nothing covers it: a tap would reach it
    expect(phone.get_by_role("link", name="Lookout")).to_be_in_viewport()
    expect(phone.get_by_test_id("org-switcher")).to_be_in_viewport()
    if name != "home":
        tabs = phone.get_by_role("navigation", name="Organization")
        for tab in TABS:
            link = tabs.get_by_role("link", name=tab, exact=True)
            expect(link).to_be_in_viewport()
            link.click(trial=True)
    assert _page_width(phone) <= PHONE["width"]

    sign_out.click()
    expect(phone.get_by_role("button", name="Sign in")).to_be_visible()


def test_the_tabs_lead_to_each_page_on_a_phone(phone, busy_acme):
    _sign_in(phone, "alice")
    phone.goto(_pages(busy_acme)["job list"])
    phone.get_by_role("navigation", name="Organization").get_by_role(
        "link", name="Adobe Status"
    ).click()
    expect(phone.get_by_role("heading", name="Open incidents")).to_be_visible()


@pytest.mark.parametrize(
    "name", ["home", "job list", "status page", "history", "credential", "team", "audit log"]
)
def test_no_page_is_wider_than_the_phone(phone, busy_acme, acme_credential, name):
    urls = _pages(busy_acme) | {
        "history": reverse("status:history", args=[busy_acme.code]),
        "credential": acme_credential.get_absolute_url(),
        "team": reverse("dashboard:team", args=[busy_acme.code]),
        "audit log": reverse("dashboard:audit_log", args=[busy_acme.code]),
    }
    _sign_in(phone, "alice")
    phone.goto(urls[name])
    expect(phone.locator("main h1").first).to_be_visible()
    assert phone.locator("table").count() >= (1 if name != "home" else 0)
    assert _page_width(phone) <= PHONE["width"]
    # Wide tables scroll inside their own box (the table, or the box around it) instead.
    for table in phone.locator("table.table").all():
        box = "t => (t.closest('.table-scroll') || t).getBoundingClientRect().right"
        assert table.evaluate(box) <= PHONE["width"]


def _answer_next_dialog(page, *, accept: bool) -> list[str]:
    asked: list[str] = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", answer)
    return asked


def test_retire_asks_first(phone, acme_credential):
    fallback = acme_credential.secrets.get(is_primary=False)
    _sign_in(phone, "alice")
    phone.goto(acme_credential.get_absolute_url())
    row = phone.get_by_test_id("secret-row").filter(has_text=fallback.hint)

    asked = _answer_next_dialog(phone, accept=False)
    row.get_by_role("button", name="Retire").click()
    expect(row).to_contain_text("Fallback")
    assert asked == [
        f"Retire the secret {fallback.hint}? Lookout stops using it at once and cannot use it "
        "again."
    ]
    assert ClientSecret.objects.get(pk=fallback.pk).retired_at is None

    asked = _answer_next_dialog(phone, accept=True)
    row.get_by_role("button", name="Retire").click()
    expect(phone.get_by_text(f"Secret {fallback.hint} retired and forgotten.")).to_be_visible()
    assert asked and ClientSecret.objects.get(pk=fallback.pk).retired_at is not None


def test_delete_asks_first(phone, acme_credential):
    _sign_in(phone, "alice")
    phone.goto(acme_credential.get_absolute_url())

    asked = _answer_next_dialog(phone, accept=False)
    phone.get_by_role("button", name="Delete this credential").click()
    expect(phone.get_by_role("heading", name="Acme privacy")).to_be_visible()
    assert asked == [
        "Delete the credential “Acme privacy”? Lookout stops using it and forgets its secrets; "
        "this cannot be undone."
    ]
    assert Credential.objects.filter(pk=acme_credential.pk).exists()


def test_remove_asks_first(phone, acme, alice, bob):
    _sign_in(phone, "alice")
    phone.goto(reverse("dashboard:team", args=[acme.code]))
    row = phone.locator("tr").filter(has_text="bob")

    asked = _answer_next_dialog(phone, accept=False)
    row.get_by_role("button", name="Remove").click()
    expect(row).to_be_visible()
    assert asked == ["Remove bob from Acme? They lose access at once."]
    assert Membership.objects.filter(organization=acme, user=bob).exists()

    asked = _answer_next_dialog(phone, accept=True)
    row.get_by_role("button", name="Remove").click()
    expect(phone.get_by_text("bob no longer has access.")).to_be_visible()
    assert not Membership.objects.filter(organization=acme, user=bob).exists()


def test_every_page_names_its_favicon_and_the_server_has_it(phone, acme, alice):
    _sign_in(phone, "alice")
    href = phone.locator('link[rel="icon"]').get_attribute("href")
    assert href.endswith("favicon.svg")
    icon = phone.request.get(href)
    assert icon.ok and icon.headers["content-type"].startswith("image/svg+xml")

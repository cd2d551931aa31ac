"""The status pages as a team member sees them, on data polled from the simulator."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from dashboard.models import AuditEvent
from status.models import Incident, WatchedProduct
from status.services.poll import status_events_poll
from status.services.watching import watched_products_set

ANALYTICS, PHOTOSHOP = "503462", "503470"


@pytest.fixture
def polled(status_credential, adobe, sim_org):
    """Two fresh incidents, one on a product the organization watches, polled into Lookout."""
    watched = adobe.create_incident(products=[ANALYTICS], severity="Trivial", title="Reports slow")
    other = adobe.create_incident(products=[PHOTOSHOP], severity="Major", title="Sync failing")
    assert status_events_poll().ok
    watched_products_set(organization=sim_org, product_ids=[ANALYTICS])
    return {"watched": watched["id"], "other": other["id"]}


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-testid="incident-row".*?</tr>', html, re.S)


def test_incidents_on_watched_products_come_first_and_are_marked(client, alice, sim_org, polled):
    client.force_login(alice)
    html = client.get(reverse("status:status_page", args=[sim_org.code])).content.decode()

    rows = _rows(html)
    assert "Reports slow" in rows[0] and "Affects us" in rows[0]  # Trivial, but ours: first
    other = next(r for r in rows if "Sync failing" in r)
    assert "Affects us" not in other
    assert "Maintenance in progress" in html and "Scheduled maintenance" in html


def test_another_organization_sees_nothing_marked(client, charlie, globex, polled):
    client.force_login(charlie)
    html = client.get(reverse("status:status_page", args=[globex.code])).content.decode()

    assert "Reports slow" in html and "Sync failing" in html
    assert "Affects us" not in html
    assert "watches no products yet" in html


def test_filters_and_the_partial_for_live_refresh(client, alice, sim_org, polled):
    client.force_login(alice)
    url = reverse("status:status_page", args=[sim_org.code])

    html = client.get(url, {"product": PHOTOSHOP, "partial": "1"}).content.decode()

    assert "<html" not in html and "Sync failing" in html and "Reports slow" not in html
    html = client.get(url, {"severity": "Major", "product": "not-a-product"}).content.decode()
    assert "Reports slow" not in html and "Sync failing" in html


def test_incident_detail_shows_the_timeline_in_words(client, alice, sim_org, adobe, polled):
    adobe.advance(600)
    adobe.update_incident(
        polled["watched"],
        status="Closed",
        title="Reports fixed",
        message="Reports run at normal speed again.",
    )
    status_events_poll()
    incident = Incident.objects.get(adobe_id=polled["watched"])
    client.force_login(alice)

    html = client.get(incident.get_absolute_url_for(sim_org)).content.decode()

    assert "This incident affects a product Simulated Org depends on" in html
    assert 'data-testid="incident-title">Reports fixed' in html
    assert "10\xa0minutes" in html  # the duration
    html = html[html.index('data-testid="timeline"') :]
    assert html.index("Reports slow") < html.index("Opened → Closed") < html.index("Reports fixed")
    assert "Reports run at normal speed again." in html
    assert "North America" in html or "Europe" in html or "Asia" in html


def test_history_searches_by_product_and_date_and_counts_per_product(
    client, alice, sim_org, adobe, polled
):
    client.force_login(alice)
    url = reverse("status:history", args=[sim_org.code])

    html = client.get(url).content.decode()
    assert 'data-testid="product-chart"' in html
    closed = Incident.objects.filter(state="closed").prefetch_related("products")
    some = closed.order_by("-started_at").first()
    product = some.products.first()
    day = some.started_at.date()

    html = client.get(url, {"product": product.adobe_id, "date_from": day, "date_to": day})
    html = html.content.decode()
    assert some.adobe_id in html
    shown = set(re.findall(r'mono">(\d+)</span>', html))
    expected = set(
        closed.filter(products=product, started_at__date=day).values_list("adobe_id", flat=True)
    )
    assert shown == expected


def test_home_card_lists_open_incidents_on_watched_products(client, alice, sim_org, polled):
    client.force_login(alice)

    html = client.get(reverse("dashboard:home")).content.decode()

    card = html[html.index('data-testid="status-card"') :]
    assert "1 open incident" in card and "Reports slow" in card and "Sync failing" not in card


def test_without_a_status_credential_the_page_says_so(client, alice, acme):
    client.force_login(alice)

    html = client.get(reverse("status:status_page", args=[acme.code])).content.decode()

    assert "No organization in Lookout has a credential with Adobe Status access" in html
    assert "Lookout has not read Adobe Status yet" in html


def test_admin_chooses_watched_products(client, alice, sim_org, polled):
    client.force_login(alice)
    url = reverse("status:watched_products", args=[sim_org.code])
    assert "Adobe Photoshop" in client.get(url).content.decode()

    response = client.post(url, {"products": [PHOTOSHOP, "503480"]})

    assert response.status_code == 302
    assert set(
        WatchedProduct.objects.filter(organization=sim_org).values_list(
            "product__adobe_id", flat=True
        )
    ) == {PHOTOSHOP, "503480"}
    # The change is in the audit log, in words, and posting the same choice again adds nothing.
    log = client.get(reverse("dashboard:audit_log", args=[sim_org.code])).content.decode()
    assert "now watches Adobe Acrobat, Adobe Photoshop; no longer watches Adobe Analytics" in log
    changes = AuditEvent.objects.filter(action="watched_products", actor=alice)
    assert changes.count() == 1
    client.post(url, {"products": [PHOTOSHOP, "503480"]})
    assert changes.count() == 1


def test_viewer_cannot_change_watched_products(client, bob, acme):
    client.force_login(bob)
    response = client.post(reverse("status:watched_products", args=[acme.code]), {"products": []})
    assert response.status_code == 403


def test_outsider_cannot_see_the_status_page(client, charlie, acme):
    client.force_login(charlie)
    assert client.get(reverse("status:status_page", args=[acme.code])).status_code == 404


def test_sync_status_command_runs_the_polls(status_credential, adobe, capsys):
    call_command("sync_status")

    out = capsys.readouterr().out
    assert "Registry: OK" in out and "Events: OK" in out
    assert Incident.objects.exists()
    assert Incident.objects.filter(last_seen_at__gte=timezone.now() - timedelta(minutes=1)).exists()


def test_the_status_page_never_names_another_organization_or_shows_its_error(
    client, alice, charlie, sim_org, globex, adobe
):
    """Every organization's page used to say "Read with <other org>'s credential" and show the
    installation-wide poll's error, which concerns that organization's credential."""
    from dashboard.models import Credential, Membership
    from tests.conftest import onboard_oauth
    from tests.factories import MembershipFactory, UserFactory

    credential = onboard_oauth(sim_org, adobe.org(0), name="Sim Status Key 7Q")
    assert status_events_poll().ok
    adobe.add_fault(
        "error", status=403, surface="status", body={"error_code": "403003", "message": "no"}
    )
    adobe.advance(5 * 60)
    assert not status_events_poll().ok
    globex_viewer = UserFactory(username="gina")
    MembershipFactory(organization=globex, user=globex_viewer, role=Membership.Role.VIEWER)

    owner_page = _status_page(client, alice, sim_org)
    assert "Read with your organization\u2019s credential “Sim Status Key 7Q”." in owner_page
    assert "The last attempt failed: Adobe Status refused the credential (403)" in owner_page

    for reader in (charlie, globex_viewer):
        page = _status_page(client, reader, globex)
        assert "Lookout could not read Adobe Status; the admins of the organization" in page
        for secret_of_the_other in (
            sim_org.name,
            sim_org.ims_org_id,
            credential.name,
            credential.client_id,
            "refused the credential",
        ):
            assert secret_of_the_other not in page, secret_of_the_other
    assert Credential.objects.get(pk=credential.pk).needs_attention is False


def _status_page(client, user, organization) -> str:
    client.force_login(user)
    response = client.get(reverse("status:status_page", args=[organization.code]))
    assert response.status_code == 200
    return response.content.decode()

"""The home page asks each app for every organization's card at once: its query count does not
grow with the number of organizations."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboard.hooks import organization_cards
from privacy.models import PrivacyJob
from status.models import Incident, Product, WatchedProduct
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory


def _organization_with_news(user, n: int):
    """An organization with privacy jobs (one late) and an open incident on a product it watches."""
    organization = OrganizationFactory(name=f"Org {n}")
    MembershipFactory(organization=organization, user=user, role="viewer")
    for status, days in (("complete", 1), ("processing", 40), ("error", 2)):
        PrivacyJob.objects.create(
            organization=organization,
            job_id=f"job-{n}-{status}",
            status=status,
            regulation="gdpr",
            adobe_created_at=timezone.now() - timedelta(days=days),
        )
    product = Product.objects.create(adobe_id=f"p{n}", name=f"Product {n}")
    WatchedProduct.objects.create(organization=organization, product=product)
    incident = Incident.objects.create(
        adobe_id=f"i{n}", title=f"Outage {n}", severity="Major", started_at=timezone.now()
    )
    incident.products.add(product)
    return organization


def _home_queries(client, user) -> tuple[int, str]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("dashboard:home"))
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_home_page_makes_as_many_queries_for_five_organizations_as_for_one(client, db):
    one, five = UserFactory(username="one"), UserFactory(username="five")
    _organization_with_news(one, 0)
    for n in range(1, 6):
        _organization_with_news(five, n)

    queries_one, page_one = _home_queries(client, one)
    queries_five, page_five = _home_queries(client, five)

    assert queries_one == queries_five
    assert page_one.count('data-testid="org-card"') == 1
    assert page_five.count('data-testid="org-card"') == 5
    # Each card is its own organization's: its incident and its counts.
    cards = page_five.split('data-testid="org-card"')[1:]
    for n in range(1, 6):
        card = next(c for c in cards if f">Org {n}</a></h2>" in c)
        assert f"Outage {n}" in card and "1 open incident" in card
        assert "1 in progress, 1 complete" in card and "1 late or stuck" in card
        assert f"Outage {n % 5 + 1}" not in card


def test_an_incident_shows_only_on_the_organizations_watching_its_product(db):
    watching = _organization_with_news(UserFactory(), 1)
    other = OrganizationFactory(name="Other")

    cards = organization_cards([watching.pk, other.pk])

    status = {pk: next(c for c in cards[pk] if c.name == "status").context for pk in cards}
    assert [i.title for i in status[watching.pk]["incidents"]] == ["Outage 1"]
    assert status[other.pk] == {"incidents": [], "watch_count": 0}
    assert [c.name for c in cards[other.pk]] == ["status", "privacy"]


def test_the_organization_page_shows_each_apps_card(client, db):
    user = UserFactory()
    organization = _organization_with_news(user, 1)
    client.force_login(user)

    page = client.get(organization.get_absolute_url()).content.decode()

    assert 'data-testid="status-card"' in page and "Outage 1" in page
    assert 'data-testid="privacy-card"' in page and "1 late or stuck" in page

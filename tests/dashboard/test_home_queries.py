"""The home page asks each app for every organization's card at once: its query count does not
grow with the number of organizations."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboard.hooks import organization_cards
from status.models import StatusSyncState
from tests.factories import OrganizationFactory, UserFactory
from tests.home_scenario import organization_with_news


def _home_queries(client, user, url: str) -> tuple[int, str]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.parametrize("partial", [False, True])
def test_the_home_page_makes_as_many_queries_for_fifty_organizations_as_for_one(
    client, db, partial
):
    StatusSyncState.objects.create(
        kind=StatusSyncState.Kind.EVENTS, last_success_at=timezone.now(), consecutive_failures=1
    )
    users = {size: UserFactory(username=f"user{size}") for size in (1, 10, 50)}
    n = 0
    for size, user in users.items():
        for _ in range(size):
            n += 1
            organization_with_news(user, n)

    # Every entry rendered (the page shows the worst 20 otherwise): all of them cost no query more.
    url = reverse("dashboard:home") + "?attention=all" + ("&partial=1" if partial else "")
    measured = {size: _home_queries(client, user, url) for size, user in users.items()}

    assert measured[1][0] == measured[10][0] == measured[50][0]
    for size, (_, page) in measured.items():
        assert page.count('data-testid="org-card"') == size
        # Per organization: a late job, a failed job, a failing sync, a credential, an incident,
        # a maintenance; and the Status poll once for them all.
        assert page.count('data-testid="attention-entry"') == 6 * size + 1
    # Each card is its own organization's: its incident and its counts.
    page_ten = measured[10][1]
    cards = page_ten.split('data-testid="org-card"')[1:]
    for n in range(2, 12):
        card = next(c for c in cards if f">Org {n}</a></h2>" in c)
        assert f"Outage {n}" in card and "1 open incident" in card
        assert "1 in progress, 1 complete" in card and "1 late or stuck" in card
        assert "Last 30 days: 1 completed, 1 failed." in card
        assert f"Outage {n % 10 + 2}" not in card


def test_an_incident_shows_only_on_the_organizations_watching_its_product(db):
    watching = organization_with_news(UserFactory(), 1).organization
    other = OrganizationFactory(name="Other")

    cards = organization_cards([watching.pk, other.pk])

    status = {pk: next(c for c in cards[pk] if c.name == "status").context for pk in cards}
    assert [i.title for i in status[watching.pk]["incidents"]] == ["Outage 1"]
    assert status[other.pk] == {"incidents": [], "watch_count": 0, "polls": []}
    assert [c.name for c in cards[other.pk]] == ["status", "privacy"]


def test_the_organization_page_shows_each_apps_card(client, db):
    user = UserFactory()
    organization = organization_with_news(user, 1).organization
    client.force_login(user)

    page = client.get(organization.get_absolute_url()).content.decode()

    assert 'data-testid="status-card"' in page and "Outage 1" in page
    assert 'data-testid="privacy-card"' in page and "1 late or stuck" in page

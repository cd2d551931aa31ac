"""The status history's pager and filters as a person uses them: click Older until there is none."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from status.models import Cloud, Incident, Maintenance, Product, Region
from tests.pages import follow_pager

OLDER = re.compile(r'<a href="([^"]*)" rel="next"')
NEWER = re.compile(r'<a href="([^"]*)" rel="prev"')
INCIDENT_ID = re.compile(r'<span class="muted mono">(i-[^<]+)</span>')


@pytest.fixture
def past(db):
    """Seven closed incidents on Analytics (one a day), three on Photoshop, one still open."""
    cloud = Cloud.objects.create(adobe_id="c1", name="Experience Cloud")
    analytics = Product.objects.create(adobe_id="503462", name="Adobe Analytics", cloud=cloud)
    photoshop = Product.objects.create(adobe_id="503470", name="Adobe Photoshop")
    europe = Region.objects.create(adobe_id="r-eu", name="Europe")
    now = timezone.now()

    def incident(adobe_id, product, days_ago, **kw):
        event = Incident.objects.create(
            adobe_id=adobe_id,
            state=kw.pop("state", Incident.State.CLOSED),
            started_at=now - timedelta(days=days_ago),
            **kw,
        )
        event.products.add(product)
        return event

    for n in range(7):
        incident(f"i-a{n}", analytics, n, severity="Minor").clouds.add(cloud)
    for n in range(3):
        incident(f"i-p{n}", photoshop, n, severity="Major").regions.add(europe)
    incident("i-open", analytics, 0, state=Incident.State.OPEN)
    done = Maintenance.objects.create(
        adobe_id="m-1", phase=Maintenance.Phase.DONE, scheduled_at=now - timedelta(days=2)
    )
    done.products.add(analytics)
    return now


def _follow_older(client, path: str, query: str) -> tuple[list[list[str]], str]:
    return follow_pager(client, path, query, link=OLDER, items=INCIDENT_ID)


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr("status.views.pages.HISTORY_PAGE_SIZE", 3)


def test_older_walks_a_filtered_history_to_its_last_page_showing_each_incident_once(
    client, alice, acme, past, small_pages
):
    client.force_login(alice)
    path = reverse("status:history", args=[acme.code])

    pages, last = _follow_older(client, path, "?product=503462")

    assert [len(p) for p in pages] == [3, 3, 1]
    assert [i for page in pages for i in page] == [f"i-a{n}" for n in range(7)]  # newest first
    assert "Page 3" in last and NEWER.search(last)


def test_newer_goes_back_with_the_filters(client, alice, acme, past, small_pages):
    client.force_login(alice)
    path = reverse("status:history", args=[acme.code])
    page = client.get(path, {"cloud": "c1", "page": 3}).content.decode()

    href = html.unescape(NEWER.search(page).group(1))

    assert "cloud=c1" in href and "page=2" in href
    assert INCIDENT_ID.findall(client.get(path + href).content.decode()) == ["i-a3", "i-a4", "i-a5"]


@pytest.mark.parametrize(
    ("params", "shown"),
    [
        ({"region": "r-eu"}, {"i-p0", "i-p1", "i-p2"}),
        ({"severity": "Major"}, {"i-p0", "i-p1", "i-p2"}),
        ({"severity": "Major", "product": "not-a-product"}, {"i-p0", "i-p1", "i-p2"}),
        ({"date_from": "days:2", "date_to": "days:1"}, {"i-a1", "i-a2", "i-p1", "i-p2"}),
        ({"date_from": "not-a-date", "region": "r-eu"}, {"i-p0", "i-p1", "i-p2"}),
    ],
)
def test_history_filters(client, alice, acme, past, params, shown):
    for key, value in params.items():
        if value.startswith("days:"):
            params[key] = (past - timedelta(days=int(value[5:]))).date().isoformat()
    client.force_login(alice)
    page = client.get(reverse("status:history", args=[acme.code]), params)
    assert page.status_code == 200
    assert set(INCIDENT_ID.findall(page.content.decode())) == shown


def test_maintenance_history_is_dated_by_its_schedule(client, alice, acme, past):
    client.force_login(alice)
    url = reverse("status:history", args=[acme.code])
    day = (past - timedelta(days=2)).date().isoformat()
    assert "m-1" in client.get(url, {"date_from": day, "date_to": day}).content.decode()
    today = past.date().isoformat()
    assert "m-1" not in client.get(url, {"date_from": today}).content.decode()

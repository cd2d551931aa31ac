"""Every organization-scoped URL, found by walking the URL resolver, for every kind of person.

A new view that takes an organization or object code and skips the access helper fails here;
so does a new URL keyword this file does not know how to fill, or a write view nobody classified.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import UUIDConverter

from dashboard.models import ClientSecret, Membership
from tests.access_rules import merged

PUBLIC_ROUTES = {"login", "healthz"}
RULES = merged()
URL_KWARGS = RULES.url_kwargs
ADMIN_WRITES = RULES.admin_writes
MEMBER_WRITES = RULES.member_writes
WRITES = ADMIN_WRITES | MEMBER_WRITES
ADMIN_FORMS = RULES.admin_forms
MEMBER_FORMS = RULES.member_forms
FORMS = ADMIN_FORMS | MEMBER_FORMS
MEMBER_PAGES = RULES.member_pages


@pytest.fixture
def world(world, acme):
    """The shared world plus every app's objects of Acme's (tests/<app>/access_rules.py)."""
    RULES.populate(acme)
    return world


def _walk(patterns, namespace: str = "", converters: dict | None = None) -> Iterator:
    for entry in patterns:
        found = {**(converters or {}), **entry.pattern.converters}
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner, found)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", found


def _member_routes() -> list[tuple[str, dict]]:
    # The admin is staff-only and has its own permission system.
    return [
        (name, conv)
        for name, conv in _walk(get_resolver().url_patterns)
        if not name.startswith("admin:")
    ]


ROUTES = _member_routes()
ORG_SCOPED = sorted(
    name
    for name, conv in ROUTES
    if any(isinstance(c, UUIDConverter) or key.endswith("_code") for key, c in conv.items())
)


def _url(name: str, acme) -> str:
    keys = dict(ROUTES)[name].keys()
    missing = [key for key in keys if key not in URL_KWARGS]
    assert not missing, f"{name}: teach URL_KWARGS how to fill {missing}"
    return reverse(name, kwargs={key: URL_KWARGS[key](acme) for key in keys})


def test_the_walk_finds_the_organization_pages():
    assert {"dashboard:organization", "dashboard:team", "dashboard:member_add"} <= set(ORG_SCOPED)


@pytest.mark.parametrize("name", sorted(n for n, _ in ROUTES if n not in PUBLIC_ROUTES))
def test_anonymous_visitors_are_sent_to_sign_in(client, world, acme, name):
    url = _url(name, acme)
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ORG_SCOPED)
def test_outsider_gets_404_for_everything_of_another_organization(client, world, acme, name):
    # charlie administers Globex: admin rights elsewhere must not leak into Acme.
    client.force_login(world["charlie"])
    url = _url(name, acme)
    if name in FORMS:
        assert client.get(url).status_code == client.post(url).status_code == 404
    else:
        is_write = name in WRITES
        served, other = (client.post, client.get) if is_write else (client.get, client.post)
        assert served(url).status_code == 404
        # The wrong method is refused alike whether or not the object exists: no disclosure.
        assert other(url).status_code == 405
    assert Membership.objects.filter(organization=acme).count() == 3
    assert ClientSecret.objects.filter(retired_at__isnull=True).count() == 2


@pytest.mark.parametrize("name", ORG_SCOPED)
@pytest.mark.parametrize("person", ["alice", "dave", "bob"])
def test_members_can_read_every_page(client, world, acme, name, person):
    client.force_login(world[person])
    response = client.get(_url(name, acme))
    if name in WRITES:
        assert response.status_code == 405  # writes are POST-only
    elif name in ADMIN_FORMS:
        assert response.status_code == (200 if person == "alice" else 403)
    elif name in MEMBER_FORMS:
        assert response.status_code == (403 if person == "bob" else 200)
    elif name in MEMBER_PAGES:
        # Pages of personal data (downloads): viewers are refused; others get it or a redirect.
        assert (response.status_code == 403) == (person == "bob")
        assert response.status_code not in (404, 405)
    else:
        assert response.status_code == 200
        if not response.streaming:  # exports (CSV) carry data, not the page chrome
            assert "Acme" in response.content.decode()


@pytest.mark.parametrize("name", ORG_SCOPED)
@pytest.mark.parametrize("person", ["alice", "dave", "bob"])
def test_writes_are_allowed_by_role(client, world, acme, name, person):
    client.force_login(world[person])
    response = client.post(_url(name, acme))
    if name not in WRITES | FORMS:
        assert response.status_code == 405, f"{name} accepts POST: list it as a write view"
    elif person == "bob" or (person == "dave" and name in ADMIN_WRITES | ADMIN_FORMS):
        assert response.status_code == 403
        assert Membership.objects.filter(organization=acme).count() == 3
        assert ClientSecret.objects.filter(retired_at__isnull=True).count() == 2
    else:
        assert response.status_code not in (403, 404, 405)

"""Every URL the resolver knows, for every kind of person: status codes, then what the pages say.

A new view that takes an organization or object code and skips the access helper fails here;
so does a new URL nobody classified in a ``tests/<app>/access_rules.py``, a new URL keyword this
file does not know how to fill, or a page that shows anything of another organization's.

Two organizations with objects of every kind: Acme (alice admin, dave member, bob viewer) and
Globex-Zq7 (charlie admin, hank-zq7 member, ivy-zq7 viewer), whose every value is distinctive,
so that its absence from Acme's pages means something. Within Acme, the personal data of the
people its requests are about is for alice and dave, never bob.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import UUIDConverter

from dashboard.models import ClientSecret, Membership
from tests.access_rules import Personal, merged
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

RULES = merged()
URL_KWARGS = RULES.url_kwargs
PUBLIC_ROUTES = RULES.public
ADMIN_WRITES = RULES.admin_writes
MEMBER_WRITES = RULES.member_writes
WRITES = ADMIN_WRITES | MEMBER_WRITES
ADMIN_FORMS = RULES.admin_forms
MEMBER_FORMS = RULES.member_forms
OWN_FORMS = RULES.own_forms
FORMS = ADMIN_FORMS | MEMBER_FORMS | OWN_FORMS
MEMBER_PAGES = RULES.member_pages
REDIRECTS = RULES.redirects
PAGES = RULES.pages
PARTIALS = RULES.partials
ACCOUNT_WRITES = RULES.account_writes
PEOPLE = ["alice", "dave", "bob"]  # Acme's admin, member and viewer


@pytest.fixture
def globex(db):
    """Organization B: a name, IMS org id and people no page of Acme's has a reason to show."""
    return OrganizationFactory(name="Globex-Zq7", ims_org_id="GLOBEXZQ7000000000000007@AdobeOrg")


@pytest.fixture
def own_values(alice, bob, charlie, dave, acme, globex, acme_credential) -> dict[str, list[str]]:
    """Both organizations with objects of every kind; per organization, the values only its own
    pages may show."""
    charlie.first_name, charlie.last_name = "Charlene", "Zq7-Globex"
    charlie.save()
    for username, first, role in (
        ("hank-zq7", "Hankzq", Membership.Role.MEMBER),
        ("ivy-zq7", "Ivyzq", Membership.Role.VIEWER),
    ):
        person = UserFactory(
            username=username,
            email=f"{username}@globex-zq7.example",
            first_name=first,
            last_name="Globexian",
        )
        MembershipFactory(organization=globex, user=person, role=role)
    values = {}
    for organization in (acme, globex):  # in this order: see tests/status/access_rules.py
        values[organization.name] = [
            organization.name,
            str(organization.code),
            organization.ims_org_id,
            *RULES.populate(organization),
        ]
    return values


@pytest.fixture
def world(world, own_values):
    """The shared world plus every app's objects, of both organizations."""
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
ROUTE_NAMES = sorted(dict(ROUTES))
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


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode()


def test_the_walk_finds_the_organization_pages():
    assert {"dashboard:organization", "dashboard:team", "dashboard:member_add"} <= set(ORG_SCOPED)


def test_every_url_has_exactly_one_rule():
    kinds = RULES.kinds
    unclassified = [n for n in ROUTE_NAMES if not any(n in names for names in kinds.values())]
    assert not unclassified, (
        f"classify {unclassified} in tests/<app>/access_rules.py (pages, member_pages, "
        "admin_writes, member_writes, admin_forms, member_forms, own_forms, account_writes or "
        "public)"
    )
    twice = {n: [k for k, names in kinds.items() if n in names] for n in ROUTE_NAMES}
    assert {n: k for n, k in twice.items() if len(k) > 1} == {}
    stale = set().union(*kinds.values(), PARTIALS) - set(ROUTE_NAMES)
    assert not stale, f"access rules name URLs that no longer exist: {sorted(stale)}"
    assert PARTIALS <= PAGES


@pytest.mark.parametrize("name", sorted(n for n, _ in ROUTES if n not in PUBLIC_ROUTES))
def test_anonymous_visitors_are_sent_to_sign_in(client, world, acme, name):
    url = _url(name, acme)
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ORG_SCOPED)
def test_outsider_gets_404_for_everything_of_another_organization(
    client, world, acme, own_values, name
):
    # charlie administers Globex: admin rights elsewhere must not leak into Acme.
    client.force_login(world["charlie"])
    url = _url(name, acme)
    if name in FORMS:
        refused = [client.get(url), client.post(url)]
        assert [r.status_code for r in refused] == [404, 404]
    else:
        is_write = name in WRITES
        served, other = (client.post, client.get) if is_write else (client.get, client.post)
        refused = [served(url)]
        assert refused[0].status_code == 404
        # The wrong method is refused alike whether or not the object exists: no disclosure.
        assert other(url).status_code == 405
    for response in refused:  # nor does the 404 page say anything of Acme's
        body = _body(response)
        assert [value for value in own_values[acme.name] if value in body] == []
    assert Membership.objects.filter(organization=acme).count() == 3
    assert ClientSecret.objects.filter(credential__organization=acme, retired_at=None).count() == 2


@pytest.mark.parametrize("name", ORG_SCOPED)
@pytest.mark.parametrize("person", PEOPLE)
def test_members_can_read_every_page(client, world, acme, name, person):
    client.force_login(world[person])
    response = client.get(_url(name, acme))
    if name in WRITES:
        assert response.status_code == 405  # writes are POST-only
    elif name in ADMIN_FORMS:
        assert response.status_code == (200 if person == "alice" else 403)
    elif name in MEMBER_FORMS:
        assert response.status_code == (403 if person == "bob" else 200)
    elif name in OWN_FORMS:
        assert response.status_code == 200
    elif name in MEMBER_PAGES:
        # Pages of personal data (downloads): viewers are refused; others get it or a redirect.
        assert (response.status_code == 403) == (person == "bob")
        assert response.status_code not in (404, 405)
    elif name in REDIRECTS:
        assert response.status_code == 302
        assert client.get(response["Location"]).status_code == 200
    else:
        assert name in PAGES
        assert response.status_code == 200
        if not response.streaming:  # exports (CSV) carry data, not the page chrome
            assert "Acme" in response.content.decode()


@pytest.mark.parametrize("name", ORG_SCOPED)
@pytest.mark.parametrize("person", PEOPLE)
def test_writes_are_allowed_by_role(client, world, acme, name, person):
    client.force_login(world[person])
    response = client.post(_url(name, acme))
    if name not in WRITES | FORMS:
        assert response.status_code == 405, f"{name} accepts POST: list it as a write view"
    elif name in OWN_FORMS:
        assert response.status_code not in (403, 404, 405)  # everyone's own settings
    elif person == "bob" or (person == "dave" and name in ADMIN_WRITES | ADMIN_FORMS):
        assert response.status_code == 403
        assert Membership.objects.filter(organization=acme).count() == 3
        assert (
            ClientSecret.objects.filter(credential__organization=acme, retired_at=None).count() == 2
        )
    else:
        assert response.status_code not in (403, 404, 405)


def _rendered(client, name: str, url: str) -> Iterator[tuple[str, object]]:
    """Every response a person can get from this URL: the page (and its partial), and what a
    submitted form or write answers (an empty POST: its errors, or the page it redirects to)."""
    if name not in WRITES | ACCOUNT_WRITES:
        yield f"GET {url}", client.get(url, follow=True)
    if name in PARTIALS:
        yield f"GET {url}?partial=1", client.get(url, {"partial": "1"})
    if name in WRITES | FORMS | ACCOUNT_WRITES:
        yield f"POST {url}", client.post(url, follow=True)


@pytest.mark.parametrize("name", ROUTE_NAMES)
@pytest.mark.parametrize("person", PEOPLE)
def test_no_page_shows_anything_of_another_organization(
    client, world, acme, globex, own_values, name, person
):
    """Acme's people, on every page, partial, export, download, form and write of Acme's, read
    none of Globex-Zq7's names, codes, ids, identities or people; and do read Acme's."""
    client.force_login(world[person])
    url = _url(name, acme)
    theirs, ours = own_values[globex.name], own_values[acme.name]
    for where, response in _rendered(client, name, url):
        body = _body(response)
        leaked = [value for value in theirs if value in body]
        assert not leaked, f"{where} as {person} shows Globex-Zq7's {leaked}"
        if where.startswith("GET") and response.status_code == 200 and name not in PUBLIC_ROUTES:
            # The page really is Acme's: absence is only meaningful on a page that shows data.
            assert any(value in body for value in ours), f"{where} as {person} shows no Acme data"
            if response["Content-Type"].startswith("text/html") and "partial" not in where:
                assert acme.name in body, f"{where} as {person} does not name Acme"


@pytest.mark.parametrize("person", PEOPLE)
def test_personal_data_is_for_members_and_admins(client, world, acme, own_values, person):
    """On every page, partial, export, download, form and write of Acme's, bob (a viewer) reads
    none of the personal data of the people Acme's requests are about (identities, user keys and
    references, Adobe's submitter, raw JSON, download URL); alice and dave read all of it."""
    client.force_login(world[person])
    personal = [value for value in own_values[acme.name] if isinstance(value, Personal)]
    assert len(personal) >= 5, "the populators mark personal data with Personal"
    read: set[str] = set()
    for name in sorted(set(ROUTE_NAMES) - WRITES - ACCOUNT_WRITES):  # reads only: signed in still
        url = _url(name, acme)
        reads = [(f"GET {url}", client.get(url, follow=True))]
        if name in PARTIALS:
            reads.append((f"GET {url}?partial=1", client.get(url, {"partial": "1"})))
        for where, response in reads:
            body = _body(response)
            shown = [value for value in personal if value in body]
            assert person != "bob" or not shown, f"{where} shows the viewer {shown}"
            read.update(shown)
    if person != "bob":
        assert read == set(personal), f"{person} never reads {set(personal) - read}"

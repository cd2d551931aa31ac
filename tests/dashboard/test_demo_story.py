"""`make run` tells a story: every simulator organization is onboarded, the admin sees their two,
products are watched there, and the simulator's scripted incident appears on one of them.

Against the real simulator over HTTP: the session's (3 organizations, no script) and, for the
incident, one started here with `--demo`'s script on a frozen clock that the tests advance.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from dashboard import hooks
from dashboard.models import Membership, Organization
from dashboard.services.demo import demo_setup, simulator_orgs
from dashboard.services.notification_delivery import delivery_send
from dashboard.services.notifications import deliveries_due, notifications_scan
from dashboard.services.tokens import credential_test
from simulator.control import SimulatorControl
from simulator.server import start
from status.models import Product, WatchedProduct
from status.services.poll import status_events_poll
from status.services.watching import DEMO_WATCHED_PRODUCTS

NAMES = [
    "Demo Organization",
    "Globex Media",
    "Initech Bank",
]  # the simulator's three, renamed first
INCIDENT = "Major incident on Adobe Experience Platform"  # the attention list's words for it


def _make_run(simulator_url: str) -> str:
    """What the Procfile's web line runs before gunicorn; returns what it printed."""
    out = StringIO()
    call_command("demo_setup", simulator=simulator_url, all_orgs=True, stdout=out)
    return out.getvalue()


@pytest.fixture
def no_first_syncs(monkeypatch):
    """The apps' first syncs queue Celery tasks: left out here (the test polls by itself)."""
    monkeypatch.setattr(hooks, "_ready_listeners", {})


def test_make_run_onboards_every_simulator_organization_with_its_credential(db, adobe):
    for _ in range(2):  # make run twice: the same organizations, one credential each
        _make_run(adobe.url)

    assert sorted(Organization.objects.values_list("name", flat=True)) == sorted(NAMES)
    for position, generated in enumerate(adobe.orgs()):
        organization = Organization.objects.get(ims_org_id=generated.ims_org_id)
        assert organization.name == NAMES[position]
        credential = organization.credentials.get()
        assert credential.client_id == generated.client_id
        assert credential_test(credential=credential, actor=None).ok


def test_the_admin_sees_exactly_their_two_organizations(client, db, adobe):
    printed = _make_run(adobe.url)
    password = printed.split("password: ")[1].split()[0]
    assert "admin: Admin of Demo Organization, Member of Globex Media" in printed
    assert "Also onboarded, without admin: Initech Bank" in printed

    response = client.post(
        reverse("login"), {"username": "admin", "password": password}, follow=True
    )
    page = response.content.decode()
    assert "Demo Organization" in page
    assert "Globex Media" in page
    assert "Initech Bank" not in page
    initech = Organization.objects.get(name="Initech Bank")
    assert client.get(initech.get_absolute_url()).status_code == 404
    roles = dict(
        Membership.objects.filter(user__username="admin").values_list("organization__name", "role")
    )
    assert roles == {"Demo Organization": "admin", "Globex Media": "member"}


def test_demo_setup_returns_the_admins_memberships(db, adobe):
    login = demo_setup(simulated_orgs=simulator_orgs(simulator_url=adobe.url))

    assert [(m.organization.name, m.role) for m in login.memberships] == [
        ("Demo Organization", Membership.Role.ADMIN),
        ("Globex Media", Membership.Role.MEMBER),
    ]
    assert [o.name for o in login.organizations] == NAMES


def test_a_second_run_keeps_a_role_someone_gave_the_admin_in_the_second_organization(db, adobe):
    _make_run(adobe.url)
    membership = Membership.objects.get(user__username="admin", organization__name="Globex Media")
    membership.role = Membership.Role.ADMIN
    membership.save()

    _make_run(adobe.url)  # demoting the last admin would be refused: make run must still start

    membership.refresh_from_db()
    assert membership.role == Membership.Role.ADMIN


def test_the_apps_hear_of_every_organization_and_of_the_admins_after_commit(
    db, adobe, monkeypatch, django_capture_on_commit_callbacks
):
    ready: list[int] = []
    demo: list[int] = []
    monkeypatch.setattr(hooks, "_ready_listeners", {"test": ready.append})
    monkeypatch.setattr(hooks, "_demo_listeners", {"test": demo.append})

    with django_capture_on_commit_callbacks(execute=True):
        _make_run(adobe.url)
        assert ready == demo == []

    pks = dict(Organization.objects.values_list("name", "pk"))
    assert sorted(ready) == sorted(pks.values())
    assert demo == [pks["Demo Organization"], pks["Globex Media"]]


def test_the_admins_organizations_watch_a_few_products(
    db, adobe, no_first_syncs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _make_run(adobe.url)
    # One the admin adds later stays watched at the next make run.
    globex = Organization.objects.get(name="Globex Media")
    scan = Product.objects.create(adobe_id="503482", name="Adobe Scan")
    WatchedProduct.objects.create(organization=globex, product=scan)
    with django_capture_on_commit_callbacks(execute=True):
        _make_run(adobe.url)

    def watched(name: str) -> set[str]:
        return set(
            WatchedProduct.objects.filter(organization__name=name).values_list(
                "product__name", flat=True
            )
        )

    assert watched("Demo Organization") == set(DEMO_WATCHED_PRODUCTS.values())
    assert watched("Globex Media") == {*DEMO_WATCHED_PRODUCTS.values(), "Adobe Scan"}
    assert watched("Initech Bank") == set()


# --- the scripted incident ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def _demo_simulator() -> Iterator[SimulatorControl]:
    with start(orgs=3, jobs_per_org=20, frozen_clock=True, demo=True) as running:
        control = SimulatorControl(running.url)
        yield control
        control.close()


@pytest.fixture
def demo_adobe(settings, _demo_simulator) -> SimulatorControl:
    """Like `adobe`, with make run's simulator (`--demo`), freshly reset."""
    _demo_simulator.reset()
    settings.ADOBE_IMS_URL = _demo_simulator.ims_url
    settings.ADOBE_PRIVACY_API_URL = _demo_simulator.privacy_url
    settings.ADOBE_STATUS_API_URL = _demo_simulator.status_url
    settings.ADOBE_HTTP_TIMEOUT = 5.0
    return _demo_simulator


def test_the_scripted_incident_appears_on_a_watched_product_within_minutes(
    client, db, demo_adobe, no_first_syncs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _make_run(demo_adobe.url)
    client.force_login(get_user_model().objects.get(username="admin"))

    assert status_events_poll().ok  # make run's first poll: calm on the watched products
    assert INCIDENT not in client.get(reverse("dashboard:home")).content.decode()

    demo_adobe.advance(130)  # a little over two minutes after the simulator started
    assert status_events_poll().ok
    home = client.get(reverse("dashboard:home")).content.decode()
    assert f"{INCIDENT}: Investigating issue" in home
    # On the attention list of both of the admin's organizations, which both watch the product.
    assert home.count(f"{INCIDENT}: Investigating issue") >= 2
    # And in the admin's e-mail (the console, in make run), once per organization.
    notifications_scan()
    for delivery_id in deliveries_due(now=timezone.now()).values_list("pk", flat=True):
        delivery_send(delivery_id=delivery_id)
    subjects = sorted(message.subject for message in mail.outbox)
    assert len(subjects) == 2, subjects
    assert all("Incident opened on Adobe Experience Platform" in s for s in subjects)
    assert subjects[0].startswith("[Lookout] Demo Organization:")

    demo_adobe.advance(6 * 60)
    assert status_events_poll().ok
    assert f"{INCIDENT}: Issue identified" in client.get(reverse("dashboard:home")).content.decode()

    demo_adobe.advance(15 * 60)
    assert status_events_poll().ok
    assert INCIDENT not in client.get(reverse("dashboard:home")).content.decode()

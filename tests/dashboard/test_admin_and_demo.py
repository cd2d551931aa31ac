"""Staff manage organizations in the admin; the demo command gives a working login."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from dashboard import hooks
from dashboard.models import Membership, Organization
from dashboard.services.organizations import organization_create
from dashboard.services.tokens import credential_test


def test_staff_create_an_organization_with_its_first_admin(client, staff, alice):
    client.force_login(staff)
    response = client.post(
        reverse("admin:dashboard_organization_add"),
        {
            "name": "Initech",
            "ims_org_id": "1N1TECH00000000000000000@AdobeOrg",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": str(alice.pk),
            "memberships-0-role": "admin",
        },
    )
    assert response.status_code == 302
    initech = Organization.objects.get(name="Initech")
    assert Membership.objects.get(organization=initech).user == alice


@pytest.mark.parametrize(
    "ims_org_id", ["1N1TECH00000000000000000", "1N1TECH@adobe.com", "has spaces@AdobeOrg", ""]
)
def test_a_malformed_ims_org_id_is_refused_with_a_clear_message(client, staff, ims_org_id):
    client.force_login(staff)
    response = client.post(
        reverse("admin:dashboard_organization_add"),
        {
            "name": "Initech",
            "ims_org_id": ims_org_id,
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter the IMS organization ID as shown in Adobe Developer Console" in page or (
        not ims_org_id and "This field is required." in page
    )
    assert not Organization.objects.filter(name="Initech").exists()


def test_the_service_refuses_a_malformed_ims_org_id(db):
    with pytest.raises(ValidationError) as excinfo:
        organization_create(name="Initech", ims_org_id="not-an-org")
    assert "ims_org_id" in excinfo.value.message_dict
    assert not Organization.objects.exists()


def test_demo_setup_prints_a_login_that_works(client, db):
    out = StringIO()
    call_command("demo_setup", url="http://127.0.0.1:8000/", stdout=out)
    printed = out.getvalue()
    password = printed.split("password: ")[1].split()[0]
    assert "username: admin" in printed
    response = client.post(
        reverse("login"), {"username": "admin", "password": password}, follow=True
    )
    assert "Demo Organization" in response.content.decode()
    # Running it again keeps one organization and gives a new password.
    call_command("demo_setup", stdout=StringIO())
    assert Organization.objects.count() == 1


def test_the_demo_onboards_the_simulators_first_organization(db, adobe):
    generated = adobe.org(0)
    for _ in range(2):  # make run twice: still one organization, one credential
        call_command("demo_setup", simulator=adobe.url, stdout=StringIO())
    organization = Organization.objects.get()
    assert organization.ims_org_id == generated.ims_org_id
    credential = organization.credentials.get()
    assert credential.client_id == generated.client_id
    assert credential_test(credential=credential, actor=None).ok


def test_the_demo_makes_its_user_admin_through_the_services(db):
    call_command("demo_setup", stdout=StringIO())
    membership = Membership.objects.get(user__username="admin")
    membership.role = Membership.Role.VIEWER
    membership.save()
    call_command("demo_setup", stdout=StringIO())
    membership.refresh_from_db()
    assert membership.role == Membership.Role.ADMIN


def test_the_demo_tells_the_apps_its_organization_is_ready_after_commit(
    db, adobe, monkeypatch, django_capture_on_commit_callbacks
):
    ready: list[int] = []
    monkeypatch.setattr(hooks, "_ready_listeners", {"test": ready.append})

    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo_setup", simulator=adobe.url, stdout=StringIO())
        assert ready == []  # not before the organization and its credential are committed

    assert ready == [Organization.objects.get().pk]


class _Queued:
    def __init__(self, name: str, calls: list) -> None:
        self.name, self.calls = name, calls

    def delay(self, **kwargs) -> None:
        self.calls.append((self.name, kwargs))

    def apply_async(self, kwargs=None, **options) -> None:  # how dashboard.background queues
        self.calls.append((self.name, kwargs or {}))


def test_the_apps_queue_their_first_syncs_when_an_organization_is_ready(acme, monkeypatch):
    calls: list = []
    for module, task in [
        ("privacy.tasks", "privacy_sync_task"),
        ("status.tasks", "status_registry_poll_task"),
        ("status.tasks", "status_events_poll_task"),
    ]:
        monkeypatch.setattr(f"{module}.{task}", _Queued(task, calls))

    hooks.organization_ready(acme.pk)

    assert ("privacy_sync_task", {"organization_id": acme.pk}) in calls
    status_calls = [name for name, _ in calls if name.startswith("status_")]
    assert status_calls == ["status_registry_poll_task", "status_events_poll_task"]


def test_a_listener_that_fails_does_not_stop_the_others(acme, monkeypatch):
    ready: list[int] = []

    def broken(organization_id: int) -> None:
        raise ConnectionError("broker down")

    monkeypatch.setattr(hooks, "_ready_listeners", {"broken": broken, "ok": ready.append})
    hooks.organization_ready(acme.pk)
    assert ready == [acme.pk]

"""The team page: admins invite people, change roles and remove people; bad input changes
nothing."""

from __future__ import annotations

from django.urls import reverse

from dashboard.models import Membership
from tests.factories import UserFactory


def _roles(org) -> dict[str, str]:
    return dict(Membership.objects.filter(organization=org).values_list("user__username", "role"))


def test_admin_invites_by_email_and_nobody_joins_without_accepting(client, alice, acme):
    UserFactory(username="erin", email="erin@acme.test")
    client.force_login(alice)
    response = client.post(
        reverse("dashboard:member_add", args=[acme.code]),
        {"email": "ERIN@acme.test", "role": "viewer"},
        follow=True,
    )
    assert "Invitation sent to ERIN@acme.test." in response.content.decode()
    assert "erin" not in _roles(acme)


def test_inviting_someone_already_in_the_team_says_so(client, alice, bob, acme):
    client.force_login(alice)
    response = client.post(
        reverse("dashboard:member_add", args=[acme.code]), {"email": bob.email, "role": "admin"}
    )
    assert response.status_code == 400
    assert f"{bob.email} is already in Acme." in response.content.decode()
    assert _roles(acme)["bob"] == "viewer"


def test_inviting_with_an_unknown_role_says_so(client, alice, acme):
    client.force_login(alice)
    response = client.post(
        reverse("dashboard:member_add", args=[acme.code]),
        {"email": "erin@acme.test", "role": "owner"},
    )
    assert response.status_code == 400
    assert "Select a valid choice. owner is not one of the available choices." in (
        response.content.decode()
    )


def test_admin_changes_a_role(client, alice, bob, acme):
    client.force_login(alice)
    bob_membership = Membership.objects.get(user=bob)
    response = client.post(
        reverse("dashboard:member_role", args=[bob_membership.code]),
        {"role": "member"},
        follow=True,
    )
    assert "bob is now Member." in response.content.decode()
    assert _roles(acme)["bob"] == "member"


def test_a_bad_role_change_says_so_and_changes_nothing(client, alice, bob, acme):
    client.force_login(alice)
    bob_membership = Membership.objects.get(user=bob)
    response = client.post(
        reverse("dashboard:member_role", args=[bob_membership.code]),
        {"role": "root"},
        follow=True,
    )
    assert "Choose one of the roles: admin, member or viewer." in response.content.decode()
    assert _roles(acme)["bob"] == "viewer"


def test_the_last_admin_cannot_step_down_or_be_removed(client, alice, acme):
    client.force_login(alice)
    own = Membership.objects.get(user=alice)
    for url, data in (
        (reverse("dashboard:member_role", args=[own.code]), {"role": "viewer"}),
        (reverse("dashboard:member_remove", args=[own.code]), {}),
    ):
        page = client.post(url, data, follow=True).content.decode()
        assert "An organization needs at least one admin" in page
    assert _roles(acme)["alice"] == "admin"


def test_admin_removes_a_member(client, alice, bob, acme):
    client.force_login(alice)
    response = client.post(
        reverse("dashboard:member_remove", args=[Membership.objects.get(user=bob).code]),
        follow=True,
    )
    assert "bob no longer has access." in response.content.decode()
    assert "bob" not in _roles(acme)
    client.force_login(bob)
    assert client.get(acme.get_absolute_url()).status_code == 404


def test_viewers_see_the_team_without_admin_controls(client, alice, bob, acme):
    client.force_login(bob)
    page = client.get(reverse("dashboard:team", args=[acme.code])).content.decode()
    assert "alice" in page and "bob" in page
    assert "Send invitation" not in page and "Remove" not in page and "Revoke" not in page

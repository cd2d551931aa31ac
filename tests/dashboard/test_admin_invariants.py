"""The admin writes through the services, so their rules hold there too (style B.4).

An organization keeps at least one admin whether staff edit the team inline on the organization,
on a membership's own page or with the bulk delete action: a refused change shows the service's
message and changes nothing. Credentials are view-and-delete only (deleting is audited), and the
Status data is Adobe's, read-only.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from dashboard.models import AuditEvent, Credential, Membership
from tests.factories import UserFactory

LAST_ADMIN = "An organization needs at least one admin"


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def _posted_values(form) -> dict:
    """What the browser would send back for ``form`` unchanged."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[form.add_prefix(name)] = "on" if value is True else value
    return data


def _organization_form(client, organization) -> tuple[dict, dict[str, str]]:
    """The organization's change form as posted unchanged, and each member's inline prefix."""
    response = client.get(reverse("admin:dashboard_organization_change", args=[organization.pk]))
    assert response.status_code == 200
    data = _posted_values(response.context["adminform"].form)
    prefixes = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data |= _posted_values(formset.management_form)
        for form in formset.forms:
            data |= _posted_values(form)
            if form.instance.pk:
                prefixes[form.instance.user.username] = form.prefix
    return data, prefixes


def _role(organization, user) -> str | None:
    membership = Membership.objects.filter(organization=organization, user=user).first()
    return membership.role if membership else None


# --- inline on the organization ---------------------------------------------------------------


@pytest.mark.parametrize("edit", ["demote", "delete"])
def test_the_inline_cannot_remove_the_last_admin(staff_client, acme, alice, bob, edit):
    data, prefixes = _organization_form(staff_client, acme)
    if edit == "demote":
        data[f"{prefixes['alice']}-role"] = Membership.Role.VIEWER
    else:
        data[f"{prefixes['alice']}-DELETE"] = "on"
    data["name"] = "Acme renamed"  # nothing of the submit is saved, this neither

    response = staff_client.post(
        reverse("admin:dashboard_organization_change", args=[acme.pk]), data, follow=True
    )

    assert LAST_ADMIN in response.content.decode()
    assert _role(acme, alice) == Membership.Role.ADMIN
    acme.refresh_from_db()
    assert acme.name == "Acme"


def test_the_inline_hands_an_organization_over_in_one_submit(staff_client, acme, alice, bob):
    data, prefixes = _organization_form(staff_client, acme)
    # Listed as alice then bob: bob's promotion must still come before alice's demotion.
    data[f"{prefixes['alice']}-role"] = Membership.Role.VIEWER
    data[f"{prefixes['bob']}-role"] = Membership.Role.ADMIN

    response = staff_client.post(
        reverse("admin:dashboard_organization_change", args=[acme.pk]), data, follow=True
    )

    assert response.status_code == 200
    assert LAST_ADMIN not in response.content.decode()
    assert _role(acme, alice) == Membership.Role.VIEWER
    assert _role(acme, bob) == Membership.Role.ADMIN


def test_the_inline_adds_and_removes_members(staff_client, acme, alice, bob):
    newcomer = UserFactory(username="erin")
    data, prefixes = _organization_form(staff_client, acme)
    data[f"{prefixes['bob']}-DELETE"] = "on"
    extra = int(data["memberships-TOTAL_FORMS"]) - 1  # the empty row the admin offers
    data[f"memberships-{extra}-user"] = str(newcomer.pk)
    data[f"memberships-{extra}-role"] = Membership.Role.MEMBER

    response = staff_client.post(
        reverse("admin:dashboard_organization_change", args=[acme.pk]), data
    )

    assert response.status_code == 302
    assert _role(acme, bob) is None
    assert _role(acme, newcomer) == Membership.Role.MEMBER
    assert _role(acme, alice) == Membership.Role.ADMIN


def test_the_inline_does_not_move_a_seat_to_someone_else(staff_client, acme, alice, bob):
    data, prefixes = _organization_form(staff_client, acme)
    data[f"{prefixes['alice']}-user"] = str(bob.pk)  # a disabled field: ignored

    staff_client.post(reverse("admin:dashboard_organization_change", args=[acme.pk]), data)

    assert _role(acme, alice) == Membership.Role.ADMIN
    assert _role(acme, bob) == Membership.Role.VIEWER


# --- a membership's own page ------------------------------------------------------------------


def _membership(organization, user) -> Membership:
    return Membership.objects.get(organization=organization, user=user)


def test_the_membership_page_cannot_demote_the_last_admin(staff_client, acme, alice):
    membership = _membership(acme, alice)
    url = reverse("admin:dashboard_membership_change", args=[membership.pk])

    response = staff_client.post(url, {"role": Membership.Role.MEMBER}, follow=True)

    assert LAST_ADMIN in response.content.decode()
    assert _role(acme, alice) == Membership.Role.ADMIN


def test_the_membership_page_cannot_delete_the_last_admin(staff_client, acme, alice):
    membership = _membership(acme, alice)
    url = reverse("admin:dashboard_membership_delete", args=[membership.pk])

    response = staff_client.post(url, {"post": "yes"}, follow=True)

    assert LAST_ADMIN in response.content.decode()
    assert _role(acme, alice) == Membership.Role.ADMIN


def test_the_membership_page_changes_a_role_and_deletes_a_member(staff_client, acme, alice, bob):
    membership = _membership(acme, bob)

    response = staff_client.post(
        reverse("admin:dashboard_membership_change", args=[membership.pk]),
        {"role": Membership.Role.MEMBER},
    )
    assert response.status_code == 302
    assert _role(acme, bob) == Membership.Role.MEMBER

    response = staff_client.post(
        reverse("admin:dashboard_membership_delete", args=[membership.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert _role(acme, bob) is None


def test_the_membership_page_adds_a_member(staff_client, acme, alice):
    newcomer = UserFactory(username="erin")

    response = staff_client.post(
        reverse("admin:dashboard_membership_add"),
        {"organization": acme.pk, "user": newcomer.pk, "role": Membership.Role.VIEWER},
    )

    assert response.status_code == 302
    assert _role(acme, newcomer) == Membership.Role.VIEWER


def test_the_membership_page_does_not_move_a_seat(staff_client, acme, globex, alice, bob):
    membership = _membership(acme, bob)
    staff_client.post(
        reverse("admin:dashboard_membership_change", args=[membership.pk]),
        {"role": Membership.Role.VIEWER, "organization": globex.pk, "user": alice.pk},
    )
    membership.refresh_from_db()
    assert (membership.organization, membership.user) == (acme, bob)


# --- the bulk delete action -------------------------------------------------------------------


def _bulk_delete(client, memberships):
    return client.post(
        reverse("admin:dashboard_membership_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [m.pk for m in memberships],
            "post": "yes",
        },
        follow=True,
    )


def test_the_bulk_delete_cannot_remove_the_last_admin(staff_client, acme, alice, bob):
    # bob's row would be fine alone: the action deletes all or nothing.
    response = _bulk_delete(staff_client, [_membership(acme, bob), _membership(acme, alice)])

    page = response.content.decode()
    assert LAST_ADMIN in page
    assert "Successfully deleted" not in page
    assert _role(acme, alice) == Membership.Role.ADMIN
    assert _role(acme, bob) == Membership.Role.VIEWER


def test_the_bulk_delete_removes_members_while_an_admin_remains(
    staff_client, acme, globex, alice, bob, dave, charlie
):
    response = _bulk_delete(staff_client, [_membership(acme, bob), _membership(acme, dave)])

    assert "Successfully deleted 2 memberships" in response.content.decode()
    assert _role(acme, bob) is None and _role(acme, dave) is None
    assert _role(acme, alice) == Membership.Role.ADMIN


def test_the_bulk_delete_asks_for_confirmation_first(staff_client, acme, alice, bob):
    response = staff_client.post(
        reverse("admin:dashboard_membership_changelist"),
        {"action": "delete_selected", "_selected_action": [_membership(acme, bob).pk]},
    )
    assert response.status_code == 200
    assert "Delete multiple objects" in response.content.decode()
    assert _role(acme, bob) == Membership.Role.VIEWER


# --- credentials and Status data --------------------------------------------------------------


def test_a_credential_is_read_only_in_the_admin(staff_client, acme_credential):
    url = reverse("admin:dashboard_credential_change", args=[acme_credential.pk])
    assert staff_client.get(url).status_code == 200  # staff can look
    response = staff_client.post(url, {"name": "renamed", "scopes": "openid"})
    assert response.status_code == 403
    acme_credential.refresh_from_db()
    assert acme_credential.name == "Acme privacy"


def test_deleting_a_credential_in_the_admin_is_audited(staff_client, staff, acme_credential):
    url = reverse("admin:dashboard_credential_delete", args=[acme_credential.pk])

    assert staff_client.post(url, {"post": "yes"}).status_code == 302

    assert not Credential.objects.exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.CREDENTIAL_DELETED)
    assert event.actor == staff


@pytest.mark.parametrize("model", ["incident", "maintenance", "product", "watchedproduct"])
def test_status_data_cannot_be_added_in_the_admin(staff_client, model):
    assert staff_client.get(reverse(f"admin:status_{model}_add")).status_code == 403

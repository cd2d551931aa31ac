"""Invitations: an admin invites an address with a role; whoever holds the link joins once, in
time, by creating an account or signing in as the account with that address. Password reset."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from dashboard.models import AuditEvent, Invitation, Membership
from tests.factories import PASSWORD, UserFactory

NEW_PASSWORD = "a-long-and-new-passphrase-42"


@pytest.fixture
def invite(client, alice, acme, django_capture_on_commit_callbacks):
    """Alice invites an address; returns the page's text and the link from the mail."""

    def send(email: str, role: str = "member") -> tuple[str, str]:
        client.force_login(alice)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("dashboard:member_add", args=[acme.code]),
                {"email": email, "role": role},
                follow=True,
            )
        client.logout()
        assert response.status_code == 200
        assert mail.outbox[-1].to == [email]
        link = re.search(r"https?://\S+/join/\S+/", mail.outbox[-1].body).group(0)
        return response.content.decode(), link

    return send


def _orgs(user) -> dict[str, str]:
    return dict(Membership.objects.filter(user=user).values_list("organization__name", "role"))


def _create_account(client, link, username="erin"):
    response = client.get(link, follow=True)
    assert response.status_code == 200
    assert "Choose a username and a password" in response.content.decode()
    return client.post(
        reverse("dashboard:invitation_join"),
        {"username": username, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        follow=True,
    )


def test_a_new_person_follows_the_link_sets_a_password_and_joins(client, invite, acme, globex):
    page, link = invite("erin@example.org", role="member")
    assert "Invitation sent to erin@example.org." in page
    assert "Acme" in mail.outbox[-1].subject
    # Only the hash of the token is stored.
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert not Invitation.objects.filter(token_hash__contains=token).exists()

    response = _create_account(client, link)
    assert "You joined Acme as Member." in response.content.decode()
    erin = get_user_model().objects.get(username="erin")
    assert erin.email == "erin@example.org" and erin.check_password(NEW_PASSWORD)
    assert response.context["user"] == erin  # signed in
    assert _orgs(erin) == {"Acme": "member"}


def test_the_link_works_once(client, invite):
    _, link = invite("erin@example.org")
    _create_account(client, link)
    client.logout()
    response = client.get(link, follow=True)
    assert response.status_code == 404
    assert "This invitation link does not work" in response.content.decode()
    # Nor can the session it left be replayed.
    assert client.get(reverse("dashboard:invitation_join")).status_code == 404


def test_the_link_expires(client, invite):
    _, link = invite("erin@example.org")
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1), tick=False):
        assert client.get(link, follow=True).status_code == 404
    assert not get_user_model().objects.filter(email="erin@example.org").exists()


def test_the_link_still_works_just_before_it_expires(client, invite):
    _, link = invite("erin@example.org")
    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23), tick=False):
        assert "You joined Acme" in _create_account(client, link).content.decode()


def test_an_existing_account_gets_the_same_message_and_accepts_after_signing_in(
    client, invite, acme, globex
):
    unknown, _ = invite("nobody@example.org")
    assert "Invitation sent to nobody@example.org." in unknown
    frank = UserFactory(username="frank", email="Frank@Example.org")
    page, link = invite("frank@example.org", role="viewer")
    # The admin reads the same words whether or not the address has an account.
    assert "Invitation sent to frank@example.org." in page
    assert "frank" not in page.replace("frank@example.org", "")

    response = client.get(link, follow=True)
    body = response.content.decode()
    assert "sign in with it to accept" in body
    assert "Choose a username" not in body
    sign_in = client.post(
        reverse("login"),
        {"username": "frank", "password": PASSWORD, "next": reverse("dashboard:invitation_join")},
        follow=True,
    )
    assert "Accept and join as frank" in sign_in.content.decode()
    joined = client.post(reverse("dashboard:invitation_join"), follow=True)
    assert "You joined Acme as Viewer." in joined.content.decode()
    assert _orgs(frank) == {"Acme": "viewer"}


def test_another_account_cannot_accept(client, invite, charlie):
    _, link = invite("frank@example.org")
    client.force_login(charlie)
    page = client.get(link, follow=True).content.decode()
    assert "whose e-mail is not frank@example.org" in page
    client.post(reverse("dashboard:invitation_join"))
    assert _orgs(charlie) == {"Globex": "admin"}
    assert Invitation.objects.get().accepted_at is None


@pytest.mark.parametrize("person", ["bob", "dave"])
def test_viewers_and_members_cannot_invite(client, request, acme, person):
    client.force_login(request.getfixturevalue(person))
    response = client.post(
        reverse("dashboard:member_add", args=[acme.code]),
        {"email": "erin@example.org", "role": "admin"},
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists() and mail.outbox == []


def test_admins_see_pending_invitations_and_revoke_them(client, invite, alice, bob, acme):
    _, link = invite("erin@example.org", role="admin")
    client.force_login(alice)
    page = client.get(reverse("dashboard:team", args=[acme.code])).content.decode()
    assert "erin@example.org" in page and "Revoke" in page
    client.force_login(bob)
    page = client.get(reverse("dashboard:team", args=[acme.code])).content.decode()
    assert "erin@example.org" not in page  # pending invitations are for admins

    client.force_login(alice)
    invitation = Invitation.objects.get()
    response = client.post(
        reverse("dashboard:invitation_revoke", args=[invitation.code]), follow=True
    )
    assert "The invitation to erin@example.org is revoked." in response.content.decode()
    client.logout()
    assert client.get(link, follow=True).status_code == 404


def test_another_organizations_admin_cannot_see_or_revoke(client, invite, charlie, globex):
    invite("erin@example.org")
    invitation = Invitation.objects.get()
    client.force_login(charlie)
    response = client.post(reverse("dashboard:invitation_revoke", args=[invitation.code]))
    assert response.status_code == 404
    page = client.get(reverse("dashboard:team", args=[globex.code])).content.decode()
    assert "erin@example.org" not in page
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_inviting_again_replaces_the_first_link(client, invite):
    _, first = invite("erin@example.org")
    _, second = invite("erin@example.org")
    assert client.get(first, follow=True).status_code == 404
    assert "You joined Acme" in _create_account(client, second).content.decode()


def test_inviting_a_member_says_so(client, alice, bob, acme):
    client.force_login(alice)
    response = client.post(
        reverse("dashboard:member_add", args=[acme.code]),
        {"email": bob.email.upper(), "role": "admin"},
    )
    assert response.status_code == 400
    assert "is already in Acme." in response.content.decode()
    assert mail.outbox == []


def test_bad_input_changes_nothing(client, alice, acme):
    client.force_login(alice)
    for data in ({"email": "not-an-address", "role": "member"}, {"email": "e@x.org", "role": "x"}):
        response = client.post(reverse("dashboard:member_add", args=[acme.code]), data)
        assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_the_audit_log_records_the_team(client, invite, alice, bob, acme):
    _, link = invite("erin@example.org")
    _create_account(client, link)
    invite("gail@example.org")
    client.force_login(alice)
    client.post(
        reverse(
            "dashboard:invitation_revoke",
            args=[Invitation.objects.get(email="gail@example.org").code],
        )
    )
    client.post(
        reverse("dashboard:member_role", args=[Membership.objects.get(user=bob).code]),
        {"role": "member"},
    )
    erin = Membership.objects.get(user__username="erin")
    client.post(reverse("dashboard:member_remove", args=[erin.code]))
    events = list(
        AuditEvent.objects.filter(organization=acme)
        .order_by("id")
        .values_list("actor__username", "action", "detail")
    )
    A = AuditEvent.Action
    assert events == [
        ("alice", A.INVITATION_SENT, "erin@example.org as Member"),
        ("erin", A.INVITATION_ACCEPTED, "erin@example.org as Member"),
        ("alice", A.INVITATION_SENT, "gail@example.org as Member"),
        ("alice", A.INVITATION_REVOKED, "gail@example.org"),
        ("alice", A.MEMBER_ROLE_CHANGED, "bob: Viewer to Member"),
        ("alice", A.MEMBER_REMOVED, "erin"),
    ]


def test_password_reset_sends_a_link_that_sets_a_new_password(client, alice):
    alice.email = "alice@acme.example"
    alice.save()
    sign_in = client.get(reverse("login")).content.decode()
    assert reverse("password_reset") in sign_in

    response = client.post(reverse("password_reset"), {"email": "ALICE@acme.example"}, follow=True)
    assert "If an account has that address" in response.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@acme.example"]
    link = re.search(r"https?://\S+/password-reset/\S+/\S+/", mail.outbox[0].body).group(0)

    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "Your password is set" in done.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    # The link works once.
    assert "This link does not work" in client.get(link, follow=True).content.decode()


def test_password_reset_says_the_same_for_an_unknown_address(client, alice):
    response = client.post(
        reverse("password_reset"), {"email": "nobody@nowhere.example"}, follow=True
    )
    assert "If an account has that address" in response.content.decode()
    assert mail.outbox == []

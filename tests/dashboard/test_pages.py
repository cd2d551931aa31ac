"""Sign-in, the home page and the organization page as a person meets them."""

from __future__ import annotations

from django.urls import reverse

from tests.factories import PASSWORD, MembershipFactory, UserFactory


def test_signing_in_with_a_wrong_password_says_so(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signing_in_lands_on_your_organizations(client, alice, charlie):
    response = client.post(
        reverse("login"), {"username": "alice", "password": PASSWORD}, follow=True
    )
    page = response.content.decode()
    assert "Your organizations" in page
    assert "Acme" in page and "Globex" not in page


def test_sign_in_returns_to_the_page_asked_for(client, alice, acme):
    response = client.get(acme.get_absolute_url())
    assert response.status_code == 302
    login_url = response["Location"]
    response = client.post(login_url, {"username": "alice", "password": PASSWORD})
    assert response["Location"] == acme.get_absolute_url()


def test_signing_out_ends_the_session(client, alice):
    client.force_login(alice)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("dashboard:home")).status_code == 302


def test_someone_without_organizations_is_told_what_to_do(client, db):
    client.force_login(UserFactory(username="newbie"))
    page = client.get(reverse("dashboard:home")).content.decode()
    assert "You are not a member of any organization yet" in page


def test_the_switcher_lists_only_your_organizations(client, alice, charlie, acme, globex):
    MembershipFactory(organization=globex, user=alice, role="viewer")
    client.force_login(charlie)
    page = client.get(globex.get_absolute_url()).content.decode()
    assert 'data-testid="org-switcher"' in page
    assert "Globex" in page and "Acme" not in page
    client.force_login(alice)
    page = client.get(globex.get_absolute_url()).content.decode()
    assert "Acme" in page and "Globex" in page


def test_the_organization_page_shows_the_team_size_and_your_role(client, world, acme):
    client.force_login(world["bob"])
    page = client.get(acme.get_absolute_url()).content.decode()
    assert "3 members; you are <strong>Viewer</strong>" in page
    assert acme.ims_org_id in page

"""The shared world: Acme (alice admin, dave member, bob viewer) and Globex (charlie admin).

charlie is the outsider for everything of Acme's: he must never see it.
"""

from __future__ import annotations

import pytest

from dashboard.models import Membership
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # Real hashing costs ~0.3 s a login; the hasher is not what these tests are about.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def acme(db):
    return OrganizationFactory(name="Acme", ims_org_id="ACME00000000000000000001@AdobeOrg")


@pytest.fixture
def globex(db):
    return OrganizationFactory(name="Globex", ims_org_id="GL0BEX000000000000000002@AdobeOrg")


@pytest.fixture
def alice(acme):
    user = UserFactory(username="alice")
    MembershipFactory(organization=acme, user=user, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def dave(acme):
    user = UserFactory(username="dave")
    MembershipFactory(organization=acme, user=user, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def bob(acme):
    user = UserFactory(username="bob")
    MembershipFactory(organization=acme, user=user, role=Membership.Role.VIEWER)
    return user


@pytest.fixture
def charlie(globex):
    user = UserFactory(username="charlie")
    MembershipFactory(organization=globex, user=user, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def world(alice, bob, charlie, dave, acme, globex):
    """Everyone at once, for tests that walk every role."""
    return {"alice": alice, "bob": bob, "charlie": charlie, "dave": dave}

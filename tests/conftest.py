"""The shared world: Acme (alice admin, dave member, bob viewer) and Globex (charlie admin).

charlie is the outsider for everything of Acme's: he must never see it.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache

from dashboard.models import Credential, Membership
from dashboard.services.credentials import CredentialInput, credential_create
from privacy.services.regulations import regulation_defaults_ensure
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytest_plugins = [
    "tests.fixtures.simulator",
    "tests.fixtures.celery_worker",
    "tests.webhook_receiver",
]


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
def staff(db):
    """A superuser: staff work in the Django admin, never on the member pages."""
    user = UserFactory(username="ops")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def charlie(globex):
    user = UserFactory(username="charlie")
    MembershipFactory(organization=globex, user=user, role=Membership.Role.ADMIN)
    return user


@pytest.fixture(autouse=True)
def _empty_cache():
    # Cached values (filter menus) must not carry over from a test whose rows had the same ids.
    cache.clear()


@pytest.fixture(autouse=True)
def _seeded_regulations(request):
    # Transactional tests (live server, real workers) flush every table afterwards, wiping the
    # rows the data migration seeded: put the default regulations back first.
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        request.getfixturevalue("transactional_db")
        regulation_defaults_ensure()


@pytest.fixture(autouse=True)
def _no_real_adobe(settings):
    # Nothing in the suite may reach the real Adobe: unless a test points these at the
    # simulator, calls fail fast on a port nothing listens on.
    closed = "http://127.0.0.1:9"
    settings.ADOBE_IMS_URL = closed
    settings.ADOBE_PRIVACY_API_URL = f"{closed}/data/core/privacy"
    settings.ADOBE_STATUS_API_URL = f"{closed}/api/v1"
    settings.ADOBE_HTTP_TIMEOUT = 2.0


@pytest.fixture
def acme_credential(acme, alice):
    """An OAuth credential of Acme's with a primary and a fallback secret (not real ones)."""
    return credential_create(
        organization=acme,
        created_by=alice,
        data=CredentialInput(
            kind=Credential.Kind.OAUTH,
            name="Acme privacy",
            client_id="acme-client-id",
            client_secrets=["acme-primary-secret-0001", "acme-fallback-secret-0002"],
            scopes=["openid", "AdobeID", "read_organizations"],
        ),
    )


@pytest.fixture
def world(alice, bob, charlie, dave, acme, globex, acme_credential):
    """Everyone at once, for tests that walk every role."""
    return {"alice": alice, "bob": bob, "charlie": charlie, "dave": dave}


@pytest.fixture
def adobe(settings, simulator):
    """Point Lookout's Adobe base URLs at the (freshly reset) simulator; yields its control."""
    settings.ADOBE_IMS_URL = simulator.ims_url
    settings.ADOBE_PRIVACY_API_URL = simulator.privacy_url
    settings.ADOBE_STATUS_API_URL = simulator.status_url
    settings.ADOBE_HTTP_TIMEOUT = 5.0
    return simulator


@pytest.fixture
def sim_org(adobe, alice):
    """The simulator's first organization, as a Lookout organization administered by alice."""
    generated = adobe.org(0)
    organization = OrganizationFactory(name="Simulated Org", ims_org_id=generated.ims_org_id)
    MembershipFactory(organization=organization, user=alice, role=Membership.Role.ADMIN)
    return organization


def onboard_oauth(organization, generated, *, secrets=None, name="Privacy and Status"):
    """Onboard a simulator organization's OAuth credential through the service."""
    return credential_create(
        organization=organization,
        created_by=None,
        data=CredentialInput(
            kind=Credential.Kind.OAUTH,
            name=name,
            client_id=generated.client_id,
            client_secrets=list(secrets or generated.client_secrets[:1]),
            scopes=list(generated.scopes),
            technical_account_id=generated.technical_account_id,
            technical_account_email=generated.technical_account_email,
        ),
    )

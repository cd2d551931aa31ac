"""The demo world that ``make run`` starts with: one organization and an admin who can sign in.

With ``simulator_url`` the demo organization is the simulator's first organization, and its OAuth
credential is onboarded (through the same service as the page), so beat and the workers have a
real token to keep fresh and real data to show.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass, field

import requests
from django.contrib.auth import get_user_model
from django.db import transaction

from dashboard import hooks
from dashboard.models import Credential, Membership, Organization
from dashboard.services.credentials import CredentialInput, credential_create, credential_delete
from dashboard.services.organizations import (
    membership_add,
    membership_set_role,
    organization_create,
    organization_update,
)

logger = logging.getLogger(__name__)

DEMO_ORGANIZATION_NAME = "Demo Organization"
DEMO_IMS_ORG_ID = "DEMO0000000000000000000A@AdobeOrg"
DEMO_CREDENTIAL_NAME = "Demo (simulator)"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str = field(repr=False)
    organization: Organization


def simulator_first_org(*, simulator_url: str, wait_seconds: float = 30.0) -> dict:
    """The simulator's first organization with its credential, waiting for it to start."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            response = requests.get(f"{simulator_url.rstrip('/')}/_simulator/orgs/0", timeout=2)
            response.raise_for_status()
            return response.json()
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@transaction.atomic
def demo_setup(*, username: str = "admin", simulated_org: dict | None = None) -> DemoLogin:
    """Ensure the demo organization and its admin exist; give the admin a fresh password.

    A new random password on every run means no shared default password ever exists; the
    caller prints it once.
    """
    ims_org_id = simulated_org["ims_org_id"] if simulated_org else DEMO_IMS_ORG_ID
    organization = Organization.objects.filter(name=DEMO_ORGANIZATION_NAME).first()
    if organization is None:
        organization = organization_create(name=DEMO_ORGANIZATION_NAME, ims_org_id=ims_org_id)
    else:
        organization = organization_update(
            organization=organization, name=DEMO_ORGANIZATION_NAME, ims_org_id=ims_org_id
        )

    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"email": f"{username}@example.com"}
    )
    password = secrets.token_urlsafe(12)
    user.set_password(password)
    user.is_staff = user.is_superuser = user.is_active = True
    user.save()
    membership = Membership.objects.filter(organization=organization, user=user).first()
    if membership is None:
        membership_add(organization=organization, user=user, role=Membership.Role.ADMIN)
    else:
        membership_set_role(membership=membership, role=Membership.Role.ADMIN)
    if simulated_org:
        _demo_credential_replace(organization, simulated_org)
        # Fill the demo's pages now rather than at beat's first ticks (minutes away): each app
        # queues its first syncs; one that cannot (no broker yet) leaves them to beat.
        transaction.on_commit(lambda: hooks.organization_ready(organization.pk))
    return DemoLogin(username=username, password=password, organization=organization)


def _demo_credential_replace(organization: Organization, simulated: dict) -> Credential:
    # The simulator makes new secrets each time it starts: replace last run's credential.
    for stale in organization.credentials.filter(client_id=simulated["client_id"]):
        credential_delete(credential=stale, actor=None)
    return credential_create(
        organization=organization,
        created_by=None,
        data=CredentialInput(
            kind=Credential.Kind.OAUTH,
            name=DEMO_CREDENTIAL_NAME,
            client_id=simulated["client_id"],
            client_secrets=simulated["client_secrets"],
            scopes=simulated["scopes"],
            technical_account_id=simulated["technical_account_id"],
            technical_account_email=simulated["technical_account_email"],
        ),
    )

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

from dashboard.models import Credential, Membership, Organization
from dashboard.services.credentials import CredentialInput, credential_create, credential_delete

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
        organization = Organization(name=DEMO_ORGANIZATION_NAME)
    organization.ims_org_id = ims_org_id
    organization.full_clean()
    organization.save()

    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"email": f"{username}@example.com"}
    )
    password = secrets.token_urlsafe(12)
    user.set_password(password)
    user.is_staff = user.is_superuser = user.is_active = True
    user.save()
    Membership.objects.update_or_create(
        organization=organization, user=user, defaults={"role": Membership.Role.ADMIN}
    )
    if simulated_org:
        _demo_credential_replace(organization, simulated_org)
        transaction.on_commit(lambda: _first_syncs(organization.pk))
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


def _first_syncs(organization_id: int) -> None:
    """Fill the demo's pages now rather than at beat's first ticks (minutes away)."""
    from privacy.tasks import privacy_sync_task
    from status.tasks import status_events_poll_task, status_registry_poll_task

    try:
        privacy_sync_task.delay(organization_id=organization_id)
        status_registry_poll_task.delay()
        status_events_poll_task.delay()
    except Exception as exc:  # the demo still starts; beat catches up
        logger.warning("Could not queue the demo's first syncs (%s)", type(exc).__name__)

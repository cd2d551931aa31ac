"""The demo world that ``make run`` starts with: organizations and an admin who can sign in.

Without a simulator the demo is one organization, "Demo Organization", and its admin. With
``simulated_orgs`` (the simulator's ``/_simulator/orgs``) every one of them is onboarded with its
OAuth credential, through the same services as the pages, so beat and the workers have real
tokens to keep fresh and real data to show. The first is "Demo Organization", which the demo's
admin administers; the admin is a member of the second, and of none of the others (see
:func:`demo_setup`). The apps are told after commit: ``organization_ready`` for every
organization (first syncs now, not at beat's next tick) and ``demo_ready`` for the admin's
(Status watches a few products there, so the simulator's scripted incident lands on one).
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import requests
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from dashboard import hooks
from dashboard.models import Credential, Membership, NotificationTopic, Organization
from dashboard.services.credentials import CredentialInput, credential_create, credential_delete
from dashboard.services.notifications import SettingInput, notification_setting_save
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
    organization: Organization  # the one the admin administers ("Demo Organization")
    # The admin's memberships, the administered organization's first: what a caller (say, one
    # that turns on the admin's notifications) works from.
    memberships: tuple[Membership, ...] = ()
    organizations: tuple[Organization, ...] = ()  # every demo organization, the admin's or not


def _simulator_get(simulator_url: str, path: str, wait_seconds: float) -> Any:
    """GET a simulator control path, waiting for the simulator to start."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            response = requests.get(f"{simulator_url.rstrip('/')}{path}", timeout=5)
            response.raise_for_status()
            return response.json()
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def simulator_first_org(*, simulator_url: str, wait_seconds: float = 30.0) -> dict:
    """The simulator's first organization with its credential, waiting for it to start."""
    return _simulator_get(simulator_url, "/_simulator/orgs/0", wait_seconds)


def simulator_orgs(*, simulator_url: str, wait_seconds: float = 30.0) -> list[dict]:
    """Every organization of the simulator, with its credential, in the simulator's order."""
    return _simulator_get(simulator_url, "/_simulator/orgs", wait_seconds)


@transaction.atomic
def demo_setup(*, username: str = "admin", simulated_orgs: Sequence[dict] = ()) -> DemoLogin:
    """Ensure the demo organizations and their admin exist; give the admin a fresh password.

    Idempotent: a second run finds the organizations (by IMS org id, else by name) and the
    memberships, and replaces each credential (the simulator makes new secrets on every start).
    A new random password on every run means no shared default password ever exists; the
    caller prints it once.
    """
    user, password = _demo_admin(username)
    if not simulated_orgs:
        organizations = [
            _demo_organization(name=DEMO_ORGANIZATION_NAME, ims_org_id=DEMO_IMS_ORG_ID)
        ]
    else:
        organizations = []
        for position, simulated in enumerate(simulated_orgs):
            name = DEMO_ORGANIZATION_NAME if position == 0 else simulated["name"]
            organization = _demo_organization(name=name, ims_org_id=simulated["ims_org_id"])
            _demo_credential_replace(organization, simulated)
            organizations.append(organization)

    # Admin of the first and a member of the second: the home page shows two organizations and
    # the two roles (the member sees the data, the admin also manages the team and credentials).
    # The others (make run's simulator has three) are onboarded without the admin, so the demo
    # shows the access rules too: their data is synced, yet the admin's pages never list them
    # and their URLs answer 404; only the Django admin (staff) sees every organization.
    memberships = [_demo_membership(organizations[0], user, Membership.Role.ADMIN, exact=True)]
    if len(organizations) > 1:
        memberships.append(_demo_membership(organizations[1], user, Membership.Role.MEMBER))

    # Every topic by e-mail: the demo's mail goes to the console (the worker's output), where the
    # scripted incident on a watched product shows up a few minutes after start.
    for membership in memberships:
        notification_setting_save(
            membership=membership,
            data=SettingInput(
                topics=NotificationTopic.values, email=True, email_digest=False, webhook_url=None
            ),
        )

    if simulated_orgs:
        # Registered in this order, so they run in it after commit: the apps prepare the
        # admin's organizations (Status watches products), then queue every organization's
        # first syncs, rather than waiting for beat's first ticks (minutes away). One that
        # cannot (no broker yet) leaves them to beat.
        for membership in memberships:
            hooks.demo_ready_on_commit(membership.organization_id)
        for organization in organizations:
            hooks.organization_ready_on_commit(organization.pk)
    return DemoLogin(
        username=username,
        password=password,
        organization=organizations[0],
        memberships=tuple(memberships),
        organizations=tuple(organizations),
    )


def _demo_admin(username: str) -> tuple[AbstractBaseUser, str]:
    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"email": f"{username}@example.com"}
    )
    password = secrets.token_urlsafe(12)
    user.set_password(password)
    user.is_staff = user.is_superuser = user.is_active = True
    user.save()
    return user, password


def _demo_organization(*, name: str, ims_org_id: str) -> Organization:
    # By IMS org id first (stable for a given simulator seed), then by name (the demo
    # organization of an earlier run without the simulator, or of another seed).
    organization = (
        Organization.objects.filter(ims_org_id=ims_org_id).first()
        or Organization.objects.filter(name=name).first()
    )
    if organization is None:
        return organization_create(name=name, ims_org_id=ims_org_id)
    if (organization.name, organization.ims_org_id) != (name, ims_org_id):
        organization = organization_update(
            organization=organization, name=name, ims_org_id=ims_org_id
        )
    return organization


def _demo_membership(
    organization: Organization, user: AbstractBaseUser, role: str, *, exact: bool = False
) -> Membership:
    """The user's membership with ``role``; unless ``exact``, a higher role found is kept (an
    admin of the second organization stays one: demoting a last admin would be refused)."""
    membership = Membership.objects.filter(organization=organization, user=user).first()
    if membership is None:
        return membership_add(organization=organization, user=user, role=role)
    if membership.role != role and (exact or membership.role == Membership.Role.VIEWER):
        membership = membership_set_role(membership=membership, role=role)
    return membership


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

"""The demo world that ``make run`` starts with: one organization and an admin who can sign in."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from dashboard.models import Membership, Organization

DEMO_ORGANIZATION_NAME = "Demo Organization"
DEMO_IMS_ORG_ID = "DEMO0000000000000000000A@AdobeOrg"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str = field(repr=False)
    organization: Organization


@transaction.atomic
def demo_setup(*, username: str = "admin") -> DemoLogin:
    """Ensure the demo organization and its admin exist; give the admin a fresh password.

    A new random password on every run means no shared default password ever exists; the
    caller prints it once.
    """
    organization, _ = Organization.objects.get_or_create(
        ims_org_id=DEMO_IMS_ORG_ID, defaults={"name": DEMO_ORGANIZATION_NAME}
    )
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
    return DemoLogin(username=username, password=password, organization=organization)

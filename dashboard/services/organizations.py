"""Writes for organizations and their teams."""

from __future__ import annotations

import logging

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from dashboard.models import Membership, Organization

logger = logging.getLogger(__name__)


@transaction.atomic
def organization_create(
    *, name: str, ims_org_id: str, admin: AbstractBaseUser | None = None
) -> Organization:
    """Create an organization; its first admin, when given, can then build the team."""
    organization = Organization(name=name.strip(), ims_org_id=ims_org_id.strip())
    organization.full_clean()
    organization.save()
    if admin is not None:
        membership_add(organization=organization, user=admin, role=Membership.Role.ADMIN)
    logger.info("Organization %s created (%s)", organization.code, organization.ims_org_id)
    return organization


@transaction.atomic
def organization_update(*, organization: Organization, name: str, ims_org_id: str) -> Organization:
    """Rename an organization or correct its IMS organization ID."""
    organization.name = name.strip()
    organization.ims_org_id = ims_org_id.strip()
    organization.full_clean()
    organization.save(update_fields=["name", "ims_org_id", "updated_at"])
    return organization


def membership_add(*, organization: Organization, user: AbstractBaseUser, role: str) -> Membership:
    if Membership.objects.filter(organization=organization, user_id=user.pk).exists():
        raise ValidationError(f"{user} is already in {organization}.", code="already_member")
    membership = Membership(organization=organization, user=user, role=role)
    membership.full_clean()
    membership.save()
    return membership


def _other_admins_exist(membership: Membership) -> bool:
    return (
        Membership.objects.filter(
            organization_id=membership.organization_id, role=Membership.Role.ADMIN
        )
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str) -> Membership:
    """Change a member's role; an organization always keeps at least one admin."""
    if role not in Membership.Role.values:
        raise ValidationError(f"{role!r} is not a role.", code="invalid_role")
    if (
        membership.role == Membership.Role.ADMIN
        and role != Membership.Role.ADMIN
        and not _other_admins_exist(membership)
    ):
        raise ValidationError(
            "An organization needs at least one admin: make someone else admin first.",
            code="last_admin",
        )
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    if membership.role == Membership.Role.ADMIN and not _other_admins_exist(membership):
        raise ValidationError(
            "An organization needs at least one admin: make someone else admin first.",
            code="last_admin",
        )
    membership.delete()

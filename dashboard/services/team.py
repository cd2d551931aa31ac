"""Team changes made by an admin on the team page, each recorded in the audit log."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from dashboard.models import AuditEvent, Membership
from dashboard.services.audit import audit_record
from dashboard.services.organizations import membership_remove, membership_set_role


@transaction.atomic
def team_role_change(*, membership: Membership, role: str, actor: AbstractBaseUser) -> Membership:
    before = membership.get_role_display()
    membership = membership_set_role(membership=membership, role=role)
    if membership.get_role_display() != before:
        audit_record(
            organization=membership.organization,
            action=AuditEvent.Action.MEMBER_ROLE_CHANGED,
            actor=actor,
            detail=f"{membership.user.get_username()}: {before} to {membership.get_role_display()}",
        )
    return membership


@transaction.atomic
def team_member_remove(*, membership: Membership, actor: AbstractBaseUser) -> None:
    organization, username = membership.organization, membership.user.get_username()
    membership_remove(membership=membership)
    audit_record(
        organization=organization,
        action=AuditEvent.Action.MEMBER_REMOVED,
        actor=actor,
        detail=username,
    )

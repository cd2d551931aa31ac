"""Invitations to an organization's team: sent by an admin, accepted by the person invited.

An admin names an e-mail address and a role; the address gets a link holding a random token, of
which only a SHA-256 hash is stored. The link works once, until it expires
(``LOOKOUT_INVITATION_DAYS``), and only while the invitation is not revoked. Whoever follows it
either sets a password for a new account, or signs in as the account with that address and
accepts. Nothing tells the admin whether the address has an account.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from dashboard.models import AuditEvent, Invitation, Membership, Organization
from dashboard.services.audit import audit_record
from dashboard.services.organizations import membership_add

logger = logging.getLogger(__name__)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_for_token(token: str) -> Invitation | None:
    """The pending invitation this link's token opens, or None (unknown, used, revoked, expired)."""
    return (
        Invitation.objects.pending()
        .select_related("organization")
        .filter(token_hash=_token_hash(token))
        .first()
    )


def invitation_matches(invitation: Invitation, user: AbstractBaseUser) -> bool:
    """Whether this account is the one invited: its e-mail is the invited address."""
    return bool(user.email) and user.email.strip().lower() == invitation.email.lower()


def invitation_account_exists(invitation: Invitation) -> bool:
    """Whether an active account has the invited address (told only to whoever holds the link)."""
    return get_user_model().objects.filter(is_active=True, email__iexact=invitation.email).exists()


@transaction.atomic
def invitation_send(
    *,
    organization: Organization,
    email: str,
    role: str,
    invited_by: AbstractBaseUser,
    link_for: Callable[[str], str],
) -> Invitation:
    """Invite an address to the team; an open invitation to the same address is replaced.

    ``link_for(token)`` gives the absolute URL of the link; the mail goes out after commit.
    """
    email = get_user_model().objects.normalize_email(email.strip())
    if role not in Membership.Role.values:
        raise ValidationError(f"{role!r} is not a role.", code="invalid_role")
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        # The team page already shows its members' addresses: this tells the admin nothing new.
        raise ValidationError(f"{email} is already in {organization}.", code="already_member")
    now = timezone.now()
    Invitation.objects.select_for_update().filter(
        organization=organization,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organization=organization,
        email=email,
        role=role,
        token_hash=_token_hash(token),
        invited_by=invited_by,
        expires_at=now + timedelta(days=settings.LOOKOUT_INVITATION_DAYS),
    )
    audit_record(
        organization=organization,
        action=AuditEvent.Action.INVITATION_SENT,
        actor=invited_by,
        detail=f"{email} as {invitation.get_role_display()}",
    )
    link = link_for(token)
    transaction.on_commit(lambda: _invitation_mail(invitation, link))
    logger.info("Invitation %s sent for organization %s", invitation.code, organization.code)
    return invitation


def _invitation_mail(invitation: Invitation, link: str) -> None:
    context = {
        "invitation": invitation,
        "organization": invitation.organization,
        "inviter": invitation.invited_by,
        "link": link,
        "days": settings.LOOKOUT_INVITATION_DAYS,
    }
    subject = render_to_string("dashboard/email/invitation_subject.txt", context).strip()
    body = render_to_string("dashboard/email/invitation.txt", context)
    try:
        send_mail(subject, body, None, [invitation.email])
    except Exception:
        # The invitation stands; the admin can invite again, which sends a new link.
        logger.exception("Invitation %s: the mail could not be sent", invitation.code)


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: AbstractBaseUser) -> bool:
    """Revoke a pending invitation; False when it was already used, revoked or expired."""
    revoked = (
        Invitation.objects.pending().filter(pk=invitation.pk).update(revoked_at=timezone.now())
    )
    if revoked:
        audit_record(
            organization=invitation.organization,
            action=AuditEvent.Action.INVITATION_REVOKED,
            actor=actor,
            detail=invitation.email,
        )
    return bool(revoked)


def _claim(invitation: Invitation, user: AbstractBaseUser) -> None:
    """Mark the invitation used, once: a second use (or a race) finds it no longer pending."""
    claimed = (
        Invitation.objects.pending()
        .filter(pk=invitation.pk)
        .update(accepted_at=timezone.now(), accepted_by=user)
    )
    if not claimed:
        raise ValidationError(
            "This invitation has already been used, revoked or has expired.", code="not_pending"
        )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: AbstractBaseUser) -> Membership:
    """The signed-in account with the invited address joins the team with the invited role.

    Someone already in the team keeps their role; the invitation is used all the same.
    """
    if not invitation_matches(invitation, user):
        raise ValidationError(
            "This invitation is for another e-mail address.", code="wrong_account"
        )
    _claim(invitation, user)
    membership = Membership.objects.filter(
        organization=invitation.organization, user_id=user.pk
    ).first()
    if membership is None:
        membership = membership_add(
            organization=invitation.organization, user=user, role=invitation.role
        )
    audit_record(
        organization=invitation.organization,
        action=AuditEvent.Action.INVITATION_ACCEPTED,
        actor=user,
        detail=f"{invitation.email} as {membership.get_role_display()}",
    )
    return membership


@transaction.atomic
def invitation_accept_new_account(
    *, invitation: Invitation, username: str, password: str
) -> Membership:
    """Create the invited person's account (the invited address, this password) and join."""
    user = get_user_model().objects.create_user(
        username=username, email=invitation.email, password=password
    )
    return invitation_accept(invitation=invitation, user=user)

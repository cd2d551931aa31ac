"""Reads for organizations and teams."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q, QuerySet

from dashboard import crypto
from dashboard.models import AuditEvent, ClientSecret, Credential, Membership


def membership_list_for_user(*, user: AbstractBaseUser) -> QuerySet[Membership]:
    """The signed-in user's memberships, with their organizations, ordered by organization name."""
    return (
        Membership.objects.filter(user_id=user.pk)
        .select_related("organization")
        .order_by("organization__name")
    )


def membership_list_for_organization(*, organization_id: int) -> QuerySet[Membership]:
    """An organization's team, admins first."""
    return (
        Membership.objects.filter(organization_id=organization_id)
        .select_related("user")
        .order_by("role", "user__username")
    )


def user_find(*, username_or_email: str) -> AbstractBaseUser | None:
    """An active user by exact username, or by e-mail when exactly one user has it."""
    value = username_or_email.strip()
    users = get_user_model().objects.filter(is_active=True)
    user = users.filter(username=value).first()
    if user is None and "@" in value:
        matches = list(users.filter(email__iexact=value)[:2])
        user = matches[0] if len(matches) == 1 else None
    return user


def credential_list_for_organization(*, organization_id: int) -> QuerySet[Credential]:
    return (
        Credential.objects.filter(organization_id=organization_id)
        .annotate(active_secret_count=Count("secrets", filter=Q(secrets__retired_at__isnull=True)))
        .order_by("name")
    )


def credential_secret_list(*, credential: Credential) -> QuerySet[ClientSecret]:
    return credential.secrets.select_related("created_by").order_by(
        "retired_at", "-is_primary", "created_at"
    )


def credential_list_unreadable() -> list[Credential]:
    """Credentials holding ciphertext that no configured key decrypts."""
    unreadable = []
    for credential in Credential.objects.select_related("organization").prefetch_related("secrets"):
        ciphertexts = [credential.private_key_encrypted, credential.access_token_encrypted]
        ciphertexts += [s.secret_encrypted for s in credential.secrets.all()]
        try:
            for ciphertext in filter(None, ciphertexts):
                crypto.decrypt(ciphertext)
        except crypto.SecretUnreadable:
            unreadable.append(credential)
    return unreadable


def audit_event_list(*, organization_id: int, credential_id: int | None = None):
    events = AuditEvent.objects.filter(organization_id=organization_id).select_related(
        "actor", "credential"
    )
    if credential_id is not None:
        events = events.filter(credential_id=credential_id)
    return events

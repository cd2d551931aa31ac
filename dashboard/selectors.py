"""Reads for organizations and teams."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from dashboard.models import Membership


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

"""The one access helper every organization-scoped view goes through.

Outsiders get 404, never 403, so a page does not confirm that another organization exists.
Members whose role does not allow the action get 403. There is no superuser bypass: staff use the
Django admin, and every member page has a single access path to audit.

Personal data (the people a privacy request is about: their identities, user keys and the team's
references, Adobe's raw answers and the data it returns) is for members and admins, never viewers:
:func:`can_see_personal_data` is that rule, which the selectors read to leave it out of a viewer's
rows, and ``personal_data=True`` refuses a viewer a page that is nothing but personal data.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any, TypeVar
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from dashboard.models import Membership

M = TypeVar("M", bound=Model)


def can_see_personal_data(membership: Membership) -> bool:
    """Whether this member may see the personal data of the organization's privacy requests:
    admins and members may (they submit the requests and answer the people); viewers may not."""
    return membership.role in (Membership.Role.ADMIN, Membership.Role.MEMBER)


def get_membership(
    request: HttpRequest,
    org_code: UUID,
    *,
    write: bool = False,
    admin: bool = False,
    personal_data: bool = False,
) -> Membership:
    """Return the caller's membership of the organization; 404 for outsiders.

    ``write=True`` requires a role that may change data (403 for viewers); ``admin=True``
    requires the admin role (403 for members and viewers); ``personal_data=True`` requires a role
    that may see personal data (403 for viewers).
    """
    membership = get_object_or_404(
        Membership.objects.select_related("organization", "user"),
        organization__code=org_code,
        user_id=request.user.pk,
    )
    # The reason goes to the log's one line (dashboard.request_logging), not to the page.
    if admin and not membership.is_admin:
        raise PermissionDenied(f"the {membership.role} role may not do this: it needs admin")
    if write and not membership.can_write:
        raise PermissionDenied(f"the {membership.role} role may not change data")
    if personal_data and not can_see_personal_data(membership):
        raise PermissionDenied(f"the {membership.role} role may not see personal data")
    return membership


def get_for_member(
    request: HttpRequest,
    queryset: QuerySet[M],
    *,
    write: bool = False,
    admin: bool = False,
    personal_data: bool = False,
    org_path: str = "organization",
    **lookup: Any,
) -> tuple[M, Membership]:
    """Return an organization-owned object and the caller's membership of its organization.

    ``org_path`` reaches the organization from the object (``"credential__organization"``).
    """
    obj = get_object_or_404(queryset.select_related(org_path), **lookup)
    organization = attrgetter(org_path.replace("__", "."))(obj)
    membership = get_membership(
        request, organization.code, write=write, admin=admin, personal_data=personal_data
    )
    return obj, membership

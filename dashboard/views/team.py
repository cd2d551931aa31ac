"""The team page: organization admins invite people, change roles and remove members."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from dashboard.access import get_for_member, get_membership
from dashboard.forms.team import InvitationForm, MemberRoleForm
from dashboard.models import Invitation, Membership
from dashboard.selectors import membership_list_for_organization
from dashboard.services.invitations import invitation_revoke, invitation_send
from dashboard.services.team import team_member_remove, team_role_change


def _render_team(request: HttpRequest, membership: Membership, *, form=None, status=200):
    team = membership_list_for_organization(organization_id=membership.organization_id)
    invitations = (
        Invitation.objects.filter(organization_id=membership.organization_id)
        .pending()
        .select_related("invited_by")
        if membership.is_admin
        else Invitation.objects.none()
    )
    context = {
        "membership": membership,
        "organization": membership.organization,
        "team": team,
        "invitations": invitations,
        "invite_form": form or InvitationForm(),
        "roles": Membership.Role.choices,
    }
    return render(request, "dashboard/team.html", context, status=status)


@require_GET
def team(request: HttpRequest, org_code: UUID) -> HttpResponse:
    return _render_team(request, get_membership(request, org_code))


@require_POST
def member_invite(request: HttpRequest, org_code: UUID) -> HttpResponse:
    membership = get_membership(request, org_code, admin=True)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = invitation_send(
                organization=membership.organization,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
                link_for=lambda token: request.build_absolute_uri(
                    reverse("dashboard:invitation_accept", args=[token])
                ),
            )
        except ValidationError as exc:
            form.add_error("email", exc)
        else:
            # The same words whether or not the address has an account.
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("dashboard:team", org_code)
    return _render_team(request, membership, form=form, status=400)


@require_POST
def invitation_revoke_view(request: HttpRequest, invitation_code: UUID) -> HttpResponse:
    invitation, _ = get_for_member(
        request, Invitation.objects.all(), admin=True, code=invitation_code
    )
    if invitation_revoke(invitation=invitation, actor=request.user):
        messages.success(request, f"The invitation to {invitation.email} is revoked.")
    else:
        messages.error(request, f"The invitation to {invitation.email} was no longer pending.")
    return redirect("dashboard:team", invitation.organization.code)


@require_POST
def member_role(request: HttpRequest, membership_code: UUID) -> HttpResponse:
    target, _ = get_for_member(request, Membership.objects.all(), admin=True, code=membership_code)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the roles: admin, member or viewer.")
        return redirect("dashboard:team", target.organization.code)
    try:
        team_role_change(membership=target, role=form.cleaned_data["role"], actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{target.user} is now {target.get_role_display()}.")
    return redirect("dashboard:team", target.organization.code)


@require_POST
def member_remove(request: HttpRequest, membership_code: UUID) -> HttpResponse:
    target, _ = get_for_member(request, Membership.objects.all(), admin=True, code=membership_code)
    org_code = target.organization.code
    try:
        team_member_remove(membership=target, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{target.user} no longer has access.")
    return redirect("dashboard:team", org_code)

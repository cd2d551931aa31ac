"""Following an invitation link: create an account, or sign in and accept. Public pages.

Like Django's password reset, the link's token is moved into the session at once and the
browser sent on to ``/join/``, so the token does not stay in the address bar, the history or
the Referer of the page's requests.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from dashboard.forms.team import InvitationAccountForm
from dashboard.models import Membership
from dashboard.services.invitations import (
    invitation_accept,
    invitation_accept_new_account,
    invitation_account_exists,
    invitation_for_token,
    invitation_matches,
)

SESSION_KEY = "lookout_invitation_token"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@login_not_required
@never_cache
@require_GET
def invitation_accept_link(request: HttpRequest, token: str) -> HttpResponse:
    if invitation_for_token(token) is None:
        return _invalid(request)
    request.session[SESSION_KEY] = token
    return redirect("dashboard:invitation_join")


def _invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/invitation_invalid.html", status=404)


def _joined(request: HttpRequest, membership: Membership) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    messages.success(
        request,
        f"You joined {membership.organization.name} as {membership.get_role_display()}.",
    )
    return redirect(membership.organization)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def invitation_join(request: HttpRequest) -> HttpResponse:
    invitation = invitation_for_token(request.session.get(SESSION_KEY, ""))
    if invitation is None:
        request.session.pop(SESSION_KEY, None)
        return _invalid(request)
    context = {"invitation": invitation, "organization": invitation.organization}
    user = request.user
    if user.is_authenticated:
        if not invitation_matches(invitation, user):
            return render(request, "dashboard/invitation_join.html", {**context, "state": "other"})
        if request.method == "POST":
            try:
                membership = invitation_accept(invitation=invitation, user=user)
            except ValidationError:
                return _invalid(request)
            return _joined(request, membership)
        return render(request, "dashboard/invitation_join.html", {**context, "state": "accept"})
    if invitation_account_exists(invitation):
        # Only whoever holds the link (the address's owner) learns that the account exists.
        sign_in = f"{reverse('login')}?next={reverse('dashboard:invitation_join')}"
        return render(
            request,
            "dashboard/invitation_join.html",
            {**context, "state": "sign_in", "sign_in_url": sign_in},
        )
    form = InvitationAccountForm(
        request.POST if request.method == "POST" else None,
        email=invitation.email,
        initial={"username": invitation.email.split("@")[0]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership = invitation_accept_new_account(
                invitation=invitation,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError:
            return _invalid(request)
        login(request, membership.user, backend=MODEL_BACKEND)
        return _joined(request, membership)
    return render(
        request,
        "dashboard/invitation_join.html",
        {**context, "state": "create", "form": form},
        status=400 if form.is_bound else 200,
    )

"""Notifications: each member chooses, per organization, what to hear of and where; admins add
webhooks for the whole team. Every member sees what was sent to them and what failed."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from dashboard.access import get_for_member, get_membership
from dashboard.forms.notifications import NotificationSettingForm, TeamWebhookForm
from dashboard.models import Membership, TeamWebhook
from dashboard.notification_selectors import (
    notification_delivery_list,
    notification_setting_get,
    team_webhook_list,
)
from dashboard.services.notifications import (
    SettingInput,
    notification_setting_save,
    team_webhook_add,
    team_webhook_remove,
)


def _render(request, membership: Membership, *, form=None, team_form=None, status=200):
    setting = notification_setting_get(membership=membership)
    if form is None:
        initial = (
            {
                "topics": setting.topics,
                "email": setting.email,
                "email_digest": setting.email_digest,
            }
            if setting
            else {"email": True}
        )
        form = NotificationSettingForm(initial=initial)
    context = {
        "membership": membership,
        "organization": membership.organization,
        "setting": setting,
        "form": form,
        "team_form": team_form or TeamWebhookForm(),
        "team_webhooks": team_webhook_list(organization_id=membership.organization_id),
        "deliveries": notification_delivery_list(membership=membership),
    }
    return render(request, "dashboard/notifications.html", context, status=status)


@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest, org_code: UUID) -> HttpResponse:
    membership = get_membership(request, org_code)
    if request.method == "GET":
        return _render(request, membership)
    form = NotificationSettingForm(request.POST)
    if not form.is_valid():
        return _render(request, membership, form=form, status=400)
    data = form.cleaned_data
    url = None if not (data["webhook_url"] or data["webhook_remove"]) else data["webhook_url"]
    if data["webhook_remove"]:
        url = ""
    setting = notification_setting_save(
        membership=membership,
        data=SettingInput(
            topics=data["topics"],
            email=data["email"],
            email_digest=data["email_digest"],
            webhook_url=url,
        ),
    )
    if not setting.topics:
        messages.success(request, "Saved: you get no notifications for this organization.")
    elif not (setting.email or setting.webhook_url_encrypted):
        messages.warning(request, "Saved, but choose e-mail or a webhook to receive them.")
    elif setting.email and not request.user.email:
        messages.warning(request, "Saved, but your account has no e-mail address to send to.")
    else:
        messages.success(request, "Notification settings saved. Changes from now on are sent.")
    return redirect("dashboard:notifications", org_code=org_code)


@require_POST
def team_webhook_create(request: HttpRequest, org_code: UUID) -> HttpResponse:
    membership = get_membership(request, org_code, admin=True)
    form = TeamWebhookForm(request.POST)
    if not form.is_valid():
        return _render(request, membership, team_form=form, status=400)
    webhook = team_webhook_add(
        organization=membership.organization,
        name=form.cleaned_data["name"],
        url=form.cleaned_data["url"],
        topics=form.cleaned_data["topics"],
        actor=request.user,
    )
    messages.success(request, f"Team webhook {webhook.name} added ({webhook.url_hint}).")
    return redirect("dashboard:notifications", org_code=org_code)


@require_POST
def team_webhook_delete(request: HttpRequest, webhook_code: UUID) -> HttpResponse:
    webhook, membership = get_for_member(
        request, TeamWebhook.objects.all(), admin=True, code=webhook_code
    )
    team_webhook_remove(webhook=webhook, actor=request.user)
    messages.success(request, f"Team webhook {webhook.name} removed.")
    return redirect("dashboard:notifications", org_code=membership.organization.code)

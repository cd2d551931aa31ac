"""Notifications, read: a member's choices, the team's webhooks and what was sent, or not."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from dashboard.hooks import AttentionEntry, Metric
from dashboard.models import (
    Membership,
    NotificationDelivery,
    NotificationSetting,
    Organization,
    TeamWebhook,
)

RECENT = 20


def notification_setting_get(*, membership: Membership) -> NotificationSetting | None:
    return NotificationSetting.objects.filter(membership=membership).first()


def notification_delivery_list(*, membership: Membership) -> QuerySet[NotificationDelivery]:
    """What was sent to this member for this organization, newest first (their own channels; an
    admin also sees the team webhooks')."""
    mine = Q(membership=membership)
    if membership.is_admin:
        mine |= Q(team_webhook__organization_id=membership.organization_id)
    return (
        NotificationDelivery.objects.filter(mine)
        .select_related("event", "team_webhook")
        .order_by("-created_at", "-pk")[:RECENT]
    )


def team_webhook_list(*, organization_id: int) -> QuerySet[TeamWebhook]:
    return TeamWebhook.objects.filter(organization_id=organization_id)


def notification_attention(
    *, user: AbstractBaseUser, organizations: Sequence[Organization]
) -> list[AttentionEntry]:
    """Home-page entries for deliveries to this person's own channels that failed in the last
    week, per organization (one query)."""
    week_ago = timezone.now() - timedelta(days=7)
    counts = dict(
        NotificationDelivery.objects.filter(
            membership__user=user,
            membership__organization__in=organizations,
            last_error_at__gte=week_ago,
        )
        .exclude(last_error="")
        .exclude(state=NotificationDelivery.State.SENT)
        .values_list("membership__organization_id")
        .annotate(n=Count("pk"))
    )
    entries = []
    for organization in organizations:
        failing = counts.get(organization.pk)
        if failing:
            plural = "notification" if failing == 1 else "notifications"
            entries.append(
                AttentionEntry(
                    severity=AttentionEntry.WARNING,
                    kind="notifications-failing",
                    organization=organization,
                    title=f"{failing} {plural} to you could not be delivered",
                    url=reverse("dashboard:notifications", args=[organization.code]),
                    detail="Your notifications page says why.",
                )
            )
    return entries


def notification_metrics() -> list[Metric]:
    """/metrics: deliveries that failed at least once, by channel and state (one query). A
    delivery still "pending" is being retried; "failed" ones gave up."""
    rows = (
        NotificationDelivery.objects.exclude(last_error="")
        .exclude(state=NotificationDelivery.State.SENT)
        .values_list("channel", "state")
        .annotate(n=Count("pk"))
    )
    return [
        Metric(
            "lookout_notification_failures",
            "Notifications not delivered: being retried (pending, held) or given up (failed).",
            labels=("channel", "state"),
            samples=tuple(((channel, state), float(n)) for channel, state, n in rows),
        )
    ]

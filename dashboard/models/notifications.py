"""Notifications: who wants to hear of what, what happened, and each message sent for it.

An *event* is one change worth telling (an incident opened on a watched product, a token refresh
failing). It is keyed per organization by what it is about (``incident:<id>:opened``), so that
finding it twice — two workers, a redelivered task, the next scan — records it once. Each event
has one *delivery* per recipient and channel, keyed the same way; a delivery is claimed before it
is sent, so it is sent once.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from dashboard.models.organizations import Membership, Organization, TimeStampedModel


class NotificationTopic(models.TextChoices):
    INCIDENT = "incident", "Incidents on watched products: opened, updated, closed"
    MAINTENANCE = "maintenance", "Maintenance on watched products: starting, ending"
    PRIVACY_JOB = "privacy_job", "Privacy jobs failing or passing their deadline"
    TOKEN = "token", "Token refresh failing"
    EXPIRY = "expiry", "Client secrets and certificates near expiry"
    SYNC = "sync", "Syncs failing repeatedly"


class NotificationSetting(TimeStampedModel):
    """One member's choices for one organization (the membership says which)."""

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="notification_setting"
    )
    topics = models.JSONField(default=list, blank=True)  # NotificationTopic values
    email = models.BooleanField(default=False)
    # With the digest, e-mails wait for one message a day; webhooks are never held.
    email_digest = models.BooleanField(default=False)
    # A webhook URL carries its own secret (Slack's does): encrypted, shown by its hint only.
    webhook_url_encrypted = models.TextField(blank=True)
    webhook_hint = models.CharField(max_length=200, blank=True)
    # Events that happened before this are not sent: saving settings never replays the past.
    subscribed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"notifications of {self.membership}"


class TeamWebhook(TimeStampedModel):
    """A webhook an organization admin added for the whole team (a shared Slack channel)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="team_webhooks"
    )
    name = models.CharField(max_length=100)
    url_encrypted = models.TextField()
    url_hint = models.CharField(max_length=200)
    topics = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return f"team webhook {self.name}"


class NotificationEvent(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="notification_events"
    )
    topic = models.CharField(max_length=20, choices=NotificationTopic.choices)
    key = models.CharField(max_length=300)  # what makes it one event, e.g. "incident:123:opened"
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True)  # a path of Lookout's
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "key"], name="notification_event_once_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.title


class NotificationDelivery(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        WEBHOOK = "webhook", "Webhook"
        TEAM_WEBHOOK = "team_webhook", "Team webhook"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Sending"
        HELD = "held", "Held for the daily digest"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed; no more attempts"

    event = models.ForeignKey(
        NotificationEvent, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team_webhook = models.ForeignKey(
        TeamWebhook, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    # "email:<membership>", "webhook:<membership>", "team:<webhook>": one delivery per recipient.
    target = models.CharField(max_length=60)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "target"], name="notification_delivery_once_per_target"
            )
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="notification_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.target} of event {self.event_id}: {self.state}"

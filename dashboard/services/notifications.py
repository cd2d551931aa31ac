"""Notifications, written: members' choices, team webhooks, and turning changes into deliveries.

``notifications_scan`` asks every registered source (``dashboard.hooks``) what changed for the
organizations someone listens to, records each change once (unique per organization and key)
and one delivery per recipient and channel (unique per event and target), then queues the
deliveries after commit. Two workers scanning at once, a redelivered task or the next scan find
the same keys and add nothing. Sending is :mod:`dashboard.services.notification_delivery`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from dashboard import crypto, hooks
from dashboard.hooks import NotificationDraft
from dashboard.models import (
    AuditEvent,
    Membership,
    NotificationDelivery,
    NotificationEvent,
    NotificationSetting,
    NotificationTopic,
    Organization,
    TeamWebhook,
)
from dashboard.services.audit import audit_record
from dashboard.webhooks import url_hint, webhook_url_check

logger = logging.getLogger(__name__)

Channel = NotificationDelivery.Channel
State = NotificationDelivery.State
# A change is sent to those who subscribed before Adobe dated it, less this grace: Adobe's clock
# is not ours, and Lookout learns of a change up to a poll interval (a sync interval) after it.
SUBSCRIPTION_GRACE = timedelta(minutes=15)


def webhook_url_clean(url: str) -> str:
    """The URL if Lookout will post to it (https and public outside development), else
    :class:`dashboard.webhooks.WebhookRefused` in words."""
    return webhook_url_check(url, allow_local=settings.LOOKOUT_WEBHOOK_ALLOW_LOCAL)


@dataclass(frozen=True)
class SettingInput:
    topics: Sequence[str]
    email: bool
    email_digest: bool
    webhook_url: str | None  # None keeps the saved webhook; "" removes it


@transaction.atomic
def notification_setting_save(*, membership: Membership, data: SettingInput) -> NotificationSetting:
    """Save one member's choices for one organization. Only changes from now on are sent."""
    setting, _ = NotificationSetting.objects.select_for_update().get_or_create(
        membership=membership
    )
    setting.topics = sorted(set(data.topics) & set(NotificationTopic.values))
    setting.email = data.email
    setting.email_digest = data.email and data.email_digest
    if data.webhook_url is not None:
        url = webhook_url_clean(data.webhook_url) if data.webhook_url else ""
        setting.webhook_url_encrypted = crypto.encrypt(url) if url else ""
        setting.webhook_hint = url_hint(url) if url else ""
    setting.subscribed_at = timezone.now()
    setting.save()
    return setting


@transaction.atomic
def team_webhook_add(
    *, organization: Organization, name: str, url: str, topics: Iterable[str], actor
) -> TeamWebhook:
    url = webhook_url_clean(url)
    webhook = TeamWebhook.objects.create(
        organization=organization,
        name=name.strip()[:100],
        url_encrypted=crypto.encrypt(url),
        url_hint=url_hint(url),
        topics=sorted(set(topics) & set(NotificationTopic.values)),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        organization=organization,
        action=AuditEvent.Action.TEAM_WEBHOOK_ADDED,
        actor=actor,
        detail=f"{webhook.name} ({webhook.url_hint})",
    )
    return webhook


@transaction.atomic
def team_webhook_remove(*, webhook: TeamWebhook, actor: AbstractBaseUser) -> None:
    audit_record(
        organization=webhook.organization,
        action=AuditEvent.Action.TEAM_WEBHOOK_REMOVED,
        actor=actor,
        detail=f"{webhook.name} ({webhook.url_hint})",
    )
    webhook.delete()


# --- From changes to deliveries --------------------------------------------------------------


@dataclass(frozen=True)
class _Recipient:
    channel: str
    target: str
    since: datetime  # not told of what happened before this
    membership_id: int | None = None
    team_webhook_id: int | None = None
    held: bool = False  # e-mail waiting for the daily digest


class Listeners:
    """Everyone who listens, by organization and topic: two queries for the whole installation."""

    def __init__(self) -> None:
        self._by_org_topic: dict[tuple[int, str], list[_Recipient]] = defaultdict(list)
        settings_rows = NotificationSetting.objects.select_related("membership__user").filter(
            membership__user__is_active=True
        )
        for setting in settings_rows:
            membership = setting.membership
            since = (setting.subscribed_at or setting.created_at) - SUBSCRIPTION_GRACE
            channels = []
            if setting.email and membership.user.email:
                channels.append(
                    _Recipient(
                        Channel.EMAIL,
                        f"email:{membership.pk}",
                        since,
                        membership_id=membership.pk,
                        held=setting.email_digest,
                    )
                )
            if setting.webhook_url_encrypted:
                channels.append(
                    _Recipient(Channel.WEBHOOK, f"webhook:{membership.pk}", since, membership.pk)
                )
            for topic in setting.topics:
                self._by_org_topic[(membership.organization_id, topic)].extend(channels)
        for webhook in TeamWebhook.objects.all():
            recipient = _Recipient(
                Channel.TEAM_WEBHOOK,
                f"team:{webhook.pk}",
                webhook.created_at - SUBSCRIPTION_GRACE,
                team_webhook_id=webhook.pk,
            )
            for topic in webhook.topics:
                self._by_org_topic[(webhook.organization_id, topic)].append(recipient)

    def organizations(self, topic: str) -> dict[int, datetime]:
        """Organization id -> the earliest time someone there subscribed to ``topic``."""
        found: dict[int, datetime] = {}
        for (org_id, each_topic), recipients in self._by_org_topic.items():
            if each_topic == topic and recipients:
                found[org_id] = min(r.since for r in recipients)
        return found

    def for_draft(self, draft: NotificationDraft) -> list[_Recipient]:
        recipients = self._by_org_topic.get((draft.organization_id, draft.topic), [])
        return [r for r in recipients if r.since <= draft.occurred_at]


def notifications_scan(*, now: datetime | None = None, sources: Iterable[str] | None = None) -> int:
    """Record what changed and queue its deliveries; the number of deliveries created."""
    now = now or timezone.now()
    listeners = Listeners()
    drafts: list[NotificationDraft] = []
    for source in hooks.notification_sources():
        if sources is not None and source.name not in sources:
            continue
        organizations = listeners.organizations(source.topic)
        if not organizations:
            continue
        try:
            drafts.extend(source.detect(organizations, now))
        except Exception:
            # One source's failure must not silence the others; the next scan tries again.
            logger.exception("Notification source %s failed", source.name)
    return events_record(drafts, listeners=listeners)


def events_record(drafts: Sequence[NotificationDraft], *, listeners: Listeners) -> int:
    """Each draft once as an event, with one delivery per recipient; deliveries are queued
    after commit. Safe to run twice at once: the unique keys decide."""
    wanted = [(d, listeners.for_draft(d)) for d in drafts]
    wanted = [(d, r) for d, r in wanted if r]
    if not wanted:
        return 0
    known = set(
        NotificationEvent.objects.filter(
            organization_id__in={d.organization_id for d, _ in wanted},
            key__in={d.key for d, _ in wanted},
        ).values_list("organization_id", "key")
    )
    created = 0
    for draft, recipients in wanted:
        if (draft.organization_id, draft.key) in known:
            continue
        known.add((draft.organization_id, draft.key))
        created += _event_create(draft, recipients)
    return created


@transaction.atomic
def _event_create(draft: NotificationDraft, recipients: Sequence[_Recipient]) -> int:
    event, created = NotificationEvent.objects.get_or_create(
        organization_id=draft.organization_id,
        key=draft.key[:300],
        defaults={
            "topic": draft.topic,
            "title": draft.title[:300],
            "body": draft.body,
            "link": draft.link[:500],
            "occurred_at": draft.occurred_at,
        },
    )
    if not created:
        return 0  # another worker recorded it first, and its deliveries with it
    now = timezone.now()
    deliveries = NotificationDelivery.objects.bulk_create(
        [
            NotificationDelivery(
                event=event,
                channel=r.channel,
                target=r.target,
                membership_id=r.membership_id,
                team_webhook_id=r.team_webhook_id,
                state=State.HELD if r.held else State.PENDING,
                next_attempt_at=None if r.held else now,
            )
            for r in recipients
        ],
        ignore_conflicts=True,
    )
    transaction.on_commit(lambda: deliveries_queue(event_id=event.pk))
    return len(deliveries)


def deliveries_queue(*, event_id: int | None = None) -> int:
    """Queue a send for each due delivery (of one event, or all due). A delivery that cannot be
    queued (no broker) waits for the next scan, which queues it again."""
    from dashboard.background import enqueue
    from dashboard.tasks import notification_deliver_task

    now = timezone.now()
    due = deliveries_due(now=now)
    if event_id is not None:
        due = due.filter(event_id=event_id)
    queued = 0
    for delivery_id in due.values_list("pk", flat=True)[: settings.LOOKOUT_NOTIFICATION_BATCH]:
        if not enqueue(notification_deliver_task, delivery_id=delivery_id):
            break
        queued += 1
    return queued


def deliveries_due(*, now: datetime):
    """Waiting and due, or claimed by a sender that died (its claim ran out)."""
    from django.db.models import Q

    return NotificationDelivery.objects.filter(
        Q(state=State.PENDING, next_attempt_at__lte=now)
        | Q(state=State.SENDING, claimed_until__lt=now)
    ).order_by("next_attempt_at", "pk")


def lookback_start(now: datetime) -> datetime:
    """The oldest change a source looks at."""
    return now - timedelta(hours=settings.LOOKOUT_NOTIFICATION_LOOKBACK_HOURS)


def failure_streak(run) -> str:
    """Names one run of failures of a background run (dashboard.runs): the last success before
    them, so a failing sync or refresh is told once, and again only after it recovered."""
    last = run.last_success_at or getattr(run, "created_at", None)
    return last.isoformat() if last else "never"


def notifications_scan_soon(sources: Iterable[str]) -> None:
    """From a worker that just stored news (a poll, a sync): scan those sources now rather than
    at beat's next scan. A publish that fails is left to that scan."""
    from dashboard.tasks import notifications_scan_task

    try:
        notifications_scan_task.apply_async(
            kwargs={"sources": list(sources)},
            expires=settings.LOOKOUT_NOTIFICATION_SCAN_INTERVAL,
            retry=False,
        )
    except Exception as exc:  # kombu raises transport-specific errors
        logger.warning("Could not queue a notification scan (%s)", type(exc).__name__)

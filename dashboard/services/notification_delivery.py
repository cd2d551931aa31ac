"""Sending one notification once: claim, send, record; retries with backoff; the daily digest.

A delivery is claimed with a conditional ``UPDATE`` (pending and due, or a dead sender's claim
that ran out) before anything is sent, so two workers or a redelivered task send it once. A
failure is recorded in words on the delivery, which the member sees on their notifications page,
and the delivery waits 1 minute, then 2, 4 … (or the receiver's Retry-After) up to
``LOOKOUT_NOTIFICATION_MAX_ATTEMPTS``; after that it is marked failed and stays visible.

The one duplicate left possible is a sender killed after the receiver got the message but
before the row said so; webhooks carry ``X-Lookout-Delivery`` so a receiver can drop it.
"""

from __future__ import annotations

import logging
import smtplib
from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from dashboard import crypto
from dashboard.models import NotificationDelivery
from dashboard.webhooks import WebhookFailed, WebhookPost, WebhookRefused, webhook_post

logger = logging.getLogger(__name__)

State = NotificationDelivery.State
Channel = NotificationDelivery.Channel
CLAIM = timedelta(minutes=2)  # longer than an SMTP or webhook timeout; a dead sender's ends


class DeliveryFailed(Exception):
    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def absolute(path: str) -> str:
    return settings.LOOKOUT_BASE_URL.rstrip("/") + path if path else ""


def _claim(delivery_id: int, now: datetime) -> bool:
    return bool(
        NotificationDelivery.objects.filter(pk=delivery_id)
        .filter(
            Q(state=State.PENDING, next_attempt_at__lte=now)
            | Q(state=State.SENDING, claimed_until__lt=now)
        )
        .update(state=State.SENDING, claimed_until=now + CLAIM, attempts=F("attempts") + 1)
    )


def delivery_send(*, delivery_id: int) -> str:
    """Send one delivery if it is still due; returns its state afterwards ("" if not claimed)."""
    now = timezone.now()
    if not _claim(delivery_id, now):
        return ""  # sent, held, failed for good, or another sender has it
    delivery = NotificationDelivery.objects.select_related(
        "event__organization",
        "membership__user",
        "membership__notification_setting",
        "team_webhook",
    ).get(pk=delivery_id)
    try:
        if delivery.channel == Channel.EMAIL:
            _email_send(delivery)
        else:
            _webhook_send(delivery)
    except DeliveryFailed as exc:
        return _failed(delivery, str(exc), retry_after=exc.retry_after)
    NotificationDelivery.objects.filter(pk=delivery.pk, state=State.SENDING).update(
        state=State.SENT, sent_at=timezone.now(), claimed_until=None, last_error=""
    )
    return State.SENT


def _failed(delivery: NotificationDelivery, message: str, *, retry_after: float | None) -> str:
    now = timezone.now()
    if delivery.attempts >= settings.LOOKOUT_NOTIFICATION_MAX_ATTEMPTS:
        state, next_at = State.FAILED, None
        message = f"{message} Gave up after {delivery.attempts} attempts."
    else:
        wait = retry_after or 60 * 2 ** (delivery.attempts - 1)
        state, next_at = State.PENDING, now + timedelta(seconds=min(wait, 3600))
    logger.warning("Notification %s not delivered: %s", delivery.pk, message)
    NotificationDelivery.objects.filter(pk=delivery.pk, state=State.SENDING).update(
        state=state,
        next_attempt_at=next_at,
        claimed_until=None,
        last_error=message[:300],
        last_error_at=now,
    )
    return state


def _settings_link(delivery: NotificationDelivery) -> str:
    return absolute(reverse("dashboard:notifications", args=[delivery.event.organization.code]))


def _email_send(delivery: NotificationDelivery) -> None:
    event = delivery.event
    user = delivery.membership.user
    if not user.email:
        raise DeliveryFailed("Your account has no e-mail address.")
    body = "\n\n".join(
        part
        for part in (
            event.body,
            f"Open in Lookout: {absolute(event.link)}" if event.link else "",
            f"You chose these notifications for {event.organization.name}; change them at "
            f"{_settings_link(delivery)}",
        )
        if part
    )
    _mail(
        subject=f"[Lookout] {event.organization.name}: {event.title}",
        body=body,
        to=user.email,
    )


def _mail(*, subject: str, body: str, to: str) -> None:
    try:
        send_mail(subject, body, None, [to], fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryFailed(f"The mail server did not take it ({type(exc).__name__}).") from exc


def _slack_escaped(text: str) -> str:
    # Slack's rule: &, < and > are markup; Adobe's text must show as text.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _webhook_send(delivery: NotificationDelivery) -> None:
    event = delivery.event
    if delivery.channel == Channel.TEAM_WEBHOOK:
        encrypted = delivery.team_webhook.url_encrypted
    else:
        encrypted = delivery.membership.notification_setting.webhook_url_encrypted
    if not encrypted:
        raise DeliveryFailed("The webhook was removed before this was sent.")
    lines = [f"*{_slack_escaped(event.organization.name)}*: {_slack_escaped(event.title)}"]
    if event.body:
        lines.append(_slack_escaped(event.body))
    if event.link:
        lines.append(f"<{absolute(event.link)}|Open in Lookout>")
    try:
        webhook_post(
            crypto.decrypt(encrypted),
            WebhookPost(text="\n".join(lines), delivery_id=f"lookout-{delivery.pk}"),
            timeout=settings.LOOKOUT_WEBHOOK_TIMEOUT,
            allow_local=settings.LOOKOUT_WEBHOOK_ALLOW_LOCAL,
        )
    except WebhookRefused as exc:
        raise DeliveryFailed(str(exc)) from exc
    except WebhookFailed as exc:
        raise DeliveryFailed(str(exc), retry_after=exc.retry_after) from exc


# --- The daily digest ------------------------------------------------------------------------


def digest_send(*, now: datetime | None = None) -> int:
    """One e-mail per person with every held notification; the number of e-mails sent."""
    now = now or timezone.now()
    held = (
        NotificationDelivery.objects.filter(state=State.HELD, channel=Channel.EMAIL)
        .select_related("event__organization", "membership__user")
        .order_by("event__organization__name", "event__occurred_at", "pk")
    )
    by_user: dict[int, list[NotificationDelivery]] = defaultdict(list)
    for delivery in held:
        by_user[delivery.membership.user_id].append(delivery)
    sent = 0
    for deliveries in by_user.values():
        sent += _digest_one(deliveries, now=now)
    return sent


def _digest_one(deliveries: list[NotificationDelivery], *, now: datetime) -> int:
    ids = [d.pk for d in deliveries]
    with transaction.atomic():
        claimed = list(
            NotificationDelivery.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids, state=State.HELD)
            .values_list("pk", flat=True)
        )
        NotificationDelivery.objects.filter(pk__in=claimed).update(
            state=State.SENDING, claimed_until=now + CLAIM, attempts=F("attempts") + 1
        )
    deliveries = [d for d in deliveries if d.pk in set(claimed)]
    if not deliveries:
        return 0
    user = deliveries[0].membership.user
    lines = [f"{len(deliveries)} notifications since the last digest:", ""]
    for delivery in deliveries:
        event = delivery.event
        lines.append(
            f"- {event.organization.name}: {event.title} ({event.occurred_at:%Y-%m-%d %H:%M} UTC)"
        )
        if event.link:
            lines.append(f"  {absolute(event.link)}")
    try:
        if not user.email:
            raise DeliveryFailed("Your account has no e-mail address.")
        _mail(
            subject=f"[Lookout] Daily digest: {len(deliveries)} notifications",
            body="\n".join(lines),
            to=user.email,
        )
    except DeliveryFailed as exc:
        # Back in the digest, to go with tomorrow's; the member sees why on their page.
        NotificationDelivery.objects.filter(pk__in=claimed).update(
            state=State.HELD, claimed_until=None, last_error=str(exc)[:300], last_error_at=now
        )
        return 0
    NotificationDelivery.objects.filter(pk__in=claimed, state=State.SENDING).update(
        state=State.SENT, sent_at=timezone.now(), claimed_until=None, last_error=""
    )
    return 1

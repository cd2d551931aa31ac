"""The core's notification sources: token refreshes failing, secrets and certificates expiring.

Each finds, in one or two queries over the organizations someone listens to, what changed within
the lookback; the key names the change so that finding it again adds nothing
(``dashboard.services.notifications``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q
from django.urls import reverse

from dashboard.hooks import NotificationDraft, NotificationSource
from dashboard.models import ClientSecret, Credential, NotificationTopic
from dashboard.services.notifications import failure_streak, lookback_start

EXPIRY_WARNINGS = (timedelta(days=30), timedelta(days=7))


def token_failures(listeners: dict[int, datetime], now: datetime) -> list[NotificationDraft]:
    credentials = Credential.objects.filter(
        Q(consecutive_failures__gt=0) | Q(needs_attention=True),
        organization_id__in=listeners,
        last_error_at__gte=lookback_start(now),
    )
    drafts = []
    for credential in credentials:
        refused = "IMS refused it; an admin must act" if credential.needs_attention else ""
        drafts.append(
            NotificationDraft(
                organization_id=credential.organization_id,
                topic=NotificationTopic.TOKEN,
                key=f"token:{credential.code}:{failure_streak(credential)}",
                title=f"Token refresh failing for credential {credential.name}",
                body=" ".join(part for part in (credential.last_error, refused) if part),
                link=reverse("dashboard:credential_detail", args=[credential.code]),
                occurred_at=credential.last_error_at,
            )
        )
    return drafts


def _expiry_stage(expires_at: datetime, now: datetime) -> str | None:
    """ "expired", "7 days", "30 days" or None: one message per stage, not one per scan."""
    if expires_at <= now:
        return "expired"
    for warning in sorted(EXPIRY_WARNINGS):
        if expires_at <= now + warning:
            return f"{warning.days} days"
    return None


def expiries(listeners: dict[int, datetime], now: datetime) -> list[NotificationDraft]:
    horizon = now + max(EXPIRY_WARNINGS)
    since = lookback_start(now)
    drafts = []
    credentials = Credential.objects.filter(
        organization_id__in=listeners,
        certificate_expires_at__lte=horizon,
        certificate_expires_at__gte=since,
    )
    for credential in credentials:
        stage = _expiry_stage(credential.certificate_expires_at, now)
        when = f"{credential.certificate_expires_at:%Y-%m-%d %H:%M} UTC"
        verb = "expired" if stage == "expired" else "expires"
        drafts.append(
            NotificationDraft(
                organization_id=credential.organization_id,
                topic=NotificationTopic.EXPIRY,
                key=f"expiry:certificate:{credential.code}:{stage}",
                title=f"The certificate of credential {credential.name} {verb} {when}",
                body="Upload a new certificate in Developer Console and onboard the credential "
                "again before then, or move it to OAuth Server-to-Server.",
                link=reverse("dashboard:credential_detail", args=[credential.code]),
                occurred_at=now,
            )
        )
    secrets = ClientSecret.objects.filter(
        credential__organization_id__in=listeners,
        retired_at__isnull=True,
        expires_at__lte=horizon,
        expires_at__gte=since,
    ).select_related("credential")
    for secret in secrets:
        stage = _expiry_stage(secret.expires_at, now)
        credential = secret.credential
        verb = "expired" if stage == "expired" else "expires"
        drafts.append(
            NotificationDraft(
                organization_id=credential.organization_id,
                topic=NotificationTopic.EXPIRY,
                key=f"expiry:secret:{secret.code}:{stage}",
                title=f"Client secret {secret.hint} of credential {credential.name} {verb} "
                f"{secret.expires_at:%Y-%m-%d %H:%M} UTC",
                body="Add a new client secret in Developer Console and to Lookout, then retire "
                "this one.",
                link=reverse("dashboard:credential_detail", args=[credential.code]),
                occurred_at=now,
            )
        )
    return drafts


SOURCES = (
    NotificationSource("credentials-token", NotificationTopic.TOKEN, token_failures),
    NotificationSource("credentials-expiry", NotificationTopic.EXPIRY, expiries),
)

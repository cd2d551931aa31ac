"""Token refresh: a beat task that only fans out, and one idempotent task per credential."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings


@shared_task(name="dashboard.tokens_refresh_due", ignore_result=True)
def tokens_refresh_due_task() -> int:
    from dashboard.services.tokens import credential_ids_refresh_due

    due = credential_ids_refresh_due()
    for credential_id in due:
        token_refresh_task.apply_async(
            kwargs={"credential_id": credential_id},
            expires=settings.LOOKOUT_TOKEN_REFRESH_INTERVAL,
        )
    return len(due)


# Safe to run twice: the lease and the freshness re-check make a duplicate a no-op.
@shared_task(name="dashboard.token_refresh", acks_late=True, soft_time_limit=60, time_limit=90)
def token_refresh_task(*, credential_id: int) -> None:
    from dashboard.services.tokens import token_refresh

    token_refresh(credential_id=credential_id, reason="scheduled")


# --- Notifications: scanning is idempotent (unique keys), sending claims before it sends ---


@shared_task(name="dashboard.notifications_scan", ignore_result=True, soft_time_limit=120)
def notifications_scan_task(*, sources: list[str] | None = None) -> int:
    """Record what changed for everyone listening, queue new deliveries and the retries due."""
    from dashboard.services.notifications import deliveries_queue, notifications_scan

    created = notifications_scan(sources=sources)
    deliveries_queue()
    return created


@shared_task(name="dashboard.notification_deliver", acks_late=True, soft_time_limit=60)
def notification_deliver_task(*, delivery_id: int) -> None:
    from dashboard.services.notification_delivery import delivery_send

    delivery_send(delivery_id=delivery_id)


@shared_task(name="dashboard.notifications_digest", ignore_result=True, soft_time_limit=240)
def notifications_digest_task() -> int:
    from dashboard.services.notification_delivery import digest_send

    return digest_send()

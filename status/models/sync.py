"""The outcome of the installation-wide Status polls (style B.13), one row per kind of poll."""

from __future__ import annotations

from django.db import models

from dashboard.models import Credential


class StatusSyncState(models.Model):
    class Kind(models.TextChoices):
        EVENTS = "events", "Incidents and maintenance"
        REGISTRY = "registry", "Products and messages"

    kind = models.CharField(max_length=10, choices=Kind.choices, unique=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    # Adobe's Retry-After (or our backoff): no poll calls Adobe before this.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # The claim: a poll holds the row until it finishes, or until the lease runs out if killed.
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_owner = models.CharField(max_length=36, blank=True)
    credential = models.ForeignKey(
        Credential, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_summary = models.CharField(max_length=300, blank=True)
    last_request_count = models.PositiveIntegerField(default=0)
    last_duration_ms = models.PositiveIntegerField(default=0)
    # The 40-day window is read once; after that only when an event leaves the ongoing list.
    backfilled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Status sync ({self.kind})"

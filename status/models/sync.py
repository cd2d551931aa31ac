"""The outcome of the installation-wide Status polls (style B.13), one row per kind of poll."""

from __future__ import annotations

from django.db import models

from dashboard.models import Credential
from dashboard.models.runs import BackgroundRun


class StatusSyncState(BackgroundRun):
    """One installation-wide poll, a background run on this row."""

    class Kind(models.TextChoices):
        EVENTS = "events", "Incidents and maintenance"
        REGISTRY = "registry", "Products and messages"

    kind = models.CharField(max_length=10, choices=Kind.choices, unique=True)
    # The credential the last poll read with (any organization's: Status data is Adobe-wide).
    # Pages never name it to another organization.
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

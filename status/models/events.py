"""Incidents and maintenances as Adobe reported them, with every history entry kept as an update.

Upserted on Adobe's ids. Adobe forgets an event after 40 days; Lookout keeps it.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.urls import reverse
from django.utils import timezone

from dashboard.models import Organization, TimeStampedModel
from status.models.registry import Cloud, Offering, Product, Region, Service

# Adobe's severities, worst last (adobe-api.md 3.6); the rank orders pages.
SEVERITY_RANK = {"None": 0, "Trivial": 1, "Potential": 2, "Minor": 3, "Major": 4}
# Adobe's statuses that only repeat Lookout's state (and "Empty", which says nothing).
_SAME_AS_STATE = {"open": {"", "empty", "open", "opened"}, "closed": {"", "empty", "closed"}}


class StatusEvent(TimeStampedModel):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    adobe_id = models.CharField(max_length=100, unique=True)
    status = models.CharField(max_length=30, blank=True)
    title = models.CharField(max_length=500, blank=True)
    message = models.TextField(blank=True)
    # When Adobe last changed it (the newest history entry) and when a poll last saw it.
    last_update_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    clouds = models.ManyToManyField(Cloud, blank=True, related_name="+")
    products = models.ManyToManyField(Product, blank=True, related_name="+")
    offerings = models.ManyToManyField(Offering, blank=True, related_name="+")
    regions = models.ManyToManyField(Region, blank=True, related_name="+")
    services = models.ManyToManyField(Service, blank=True, related_name="+")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.adobe_id}"


class Incident(StatusEvent):
    class State(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    severity = models.CharField(max_length=20, blank=True)
    severity_rank = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Set when the incident leaves Adobe's ongoing list, whatever Adobe says of its end.
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["-started_at"], name="status_incident_started"),
            models.Index(
                fields=["adobe_id"],
                condition=models.Q(state="open"),
                name="status_incident_open",
            ),
        ]

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    @property
    def status_note(self) -> str:
        """Adobe's status when it says more than the state beside it: "Discovery" or "Dismissed",
        never "Opened" next to Open or "Closed" next to Closed."""
        said = self.status.strip()
        return "" if said.lower() in _SAME_AS_STATE.get(self.state, {""}) else said

    @property
    def duration(self):
        end = self.ended_at or self.closed_at
        if self.started_at is None or (end is None and not self.is_open):
            return None
        return (end or timezone.now()) - self.started_at

    def get_absolute_url_for(self, organization: Organization) -> str:
        return reverse("status:incident_detail", args=[organization.code, self.code])


class Maintenance(StatusEvent):
    class Phase(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Completed"
        CANCELED = "canceled", "Canceled"

    phase = models.CharField(max_length=12, choices=Phase.choices, default=Phase.SCHEDULED)
    maintenance_type = models.CharField(max_length=30, blank=True)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["phase", "scheduled_at"], name="status_maint_phase")]

    @property
    def type_note(self) -> str:
        """Adobe's maintenance type in words ("urgent maintenance"), unless it repeats the phase
        ("Scheduled" while scheduled) or says nothing ("Empty")."""
        kind = self.maintenance_type.strip().lower()
        if kind in {"", "empty", self.phase, self.get_phase_display().lower()}:
            return ""
        return f"{kind} maintenance"


class EventUpdate(models.Model):
    """One history entry of one product of an event, with its title and message resolved."""

    key = models.CharField(max_length=200)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField(max_length=30, blank=True)
    severity = models.CharField(max_length=20, blank=True)
    customer_impact = models.CharField(max_length=30, blank=True)
    operations_impact = models.CharField(max_length=30, blank=True)
    message_type = models.CharField(max_length=30, blank=True)
    message_time = models.DateTimeField(null=True, blank=True)
    title_token = models.CharField(max_length=200, blank=True)
    message_token = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=500, blank=True)
    message = models.TextField(blank=True)
    region_ids = models.JSONField(default=list, blank=True)
    service_ids = models.JSONField(default=list, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.status} at {self.message_time}"


class IncidentUpdate(EventUpdate):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "key"], name="status_incident_update_key")
        ]


class MaintenanceUpdate(EventUpdate):
    maintenance = models.ForeignKey(Maintenance, on_delete=models.CASCADE, related_name="updates")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["maintenance", "key"], name="status_maintenance_update_key"
            )
        ]

"""What the background processes last did, so that neither /healthz nor staff are blind.

Written by the Celery signals in :mod:`dashboard.celery` (at most one row write per process per
heartbeat interval, and one per periodic task run); read by /healthz and the operations page.
"""

from __future__ import annotations

from django.db import models


class PeriodicTaskRun(models.Model):
    """The last run of one task of the beat schedule, keyed by the task's name."""

    class Outcome(models.TextChoices):
        OK = "ok", "ok"
        FAILED = "failed", "failed"

    task_name = models.CharField(max_length=200, unique=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    duration = models.DurationField()
    # The kind of failure (an exception class name), never its message: it may hold a secret.
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["task_name"]

    def __str__(self) -> str:
        return f"{self.task_name}: {self.outcome}"


class ProcessHeartbeat(models.Model):
    """When a worker or beat, on one host, was last seen alive."""

    class Role(models.TextChoices):
        WORKER = "worker", "worker"
        BEAT = "beat", "beat"

    role = models.CharField(max_length=10, choices=Role.choices)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["role", "hostname"]
        constraints = [
            models.UniqueConstraint(fields=["role", "hostname"], name="heartbeat_per_process"),
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.hostname}"


class AdobeRequestHour(models.Model):
    """How many calls Lookout made to one Adobe service in one hour, and how many failed.

    Every HTTP attempt counts once in ``requests`` (retries included, answered or not);
    ``throttled`` counts the 429s among them and ``errors`` the 5xx answers and the attempts that
    got no answer at all (timeouts, refused or broken connections). Written by
    :mod:`dashboard.services.adobe_requests` with one upsert per attempt; read by the operations
    page and ``/metrics``.
    """

    class Service(models.TextChoices):
        IMS = "ims", "IMS"
        PRIVACY = "privacy", "Privacy Service"
        STATUS = "status", "Adobe Status"

    service = models.CharField(max_length=10, choices=Service.choices)
    hour = models.DateTimeField()  # the start of the hour (UTC)
    requests = models.PositiveBigIntegerField(default=0)
    throttled = models.PositiveBigIntegerField(default=0)
    errors = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-hour", "service"]
        constraints = [
            models.UniqueConstraint(fields=["service", "hour"], name="adobe_requests_per_hour"),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.hour:%Y-%m-%d %H:00}: {self.requests}"

"""Beat's Status entries: frequent cheap checks, and the data deciding when Adobe is read."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from dashboard.celery import app
from status.services.poll import status_registry_poll

REGISTRY = "GET /api/v1/products"


def test_every_beat_entry_names_a_task_and_expires_before_its_next_tick():
    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name
        schedule = entry["schedule"]
        if hasattr(schedule, "remaining_estimate"):  # a daily crontab (the digest)
            assert 0 < entry["options"]["expires"] < 24 * 3600, name
        else:
            assert 0 < entry["options"]["expires"] < schedule, name


def test_hourly_registry_ticks_read_adobe_once_a_day(status_credential, adobe):
    start = timezone.now()
    tick = timedelta(seconds=settings.CELERY_BEAT_SCHEDULE["status-registry-sync"]["schedule"])
    ran = [
        status_registry_poll(scheduled=True, now=start + n * tick).ran
        for n in range(48)  # two days of beat ticks
    ]

    assert ran.count(True) == 2 and ran[0]
    assert adobe.request_count(REGISTRY) == 2

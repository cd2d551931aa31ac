from __future__ import annotations

from django.conf import settings

from dashboard.celery import app


def test_beat_polls_events_every_interval_and_the_registry_daily():
    poll = settings.CELERY_BEAT_SCHEDULE["status-poll"]
    registry = settings.CELERY_BEAT_SCHEDULE["status-registry-sync"]

    assert poll["schedule"] == settings.LOOKOUT_STATUS_POLL_INTERVAL == 120
    assert 0 < poll["options"]["expires"] < poll["schedule"]
    assert registry["schedule"] == 86400 and registry["options"]["expires"] < 86400
    app.loader.import_default_modules()
    assert {"status.poll", "status.registry_sync"} <= set(app.tasks)

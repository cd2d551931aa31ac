from __future__ import annotations

from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "Lookout"

    def ready(self) -> None:
        from dashboard import (
            checks,  # noqa: F401  (registers the system checks)
            hooks,
            notification_selectors,
            notification_sources,
        )

        for source in notification_sources.SOURCES:
            hooks.register_notification_source(source)
        hooks.register_metrics(
            hooks.MetricsSource("notifications", notification_selectors.notification_metrics)
        )

        # kombu's filesystem transport (the serverless default broker) expects its folders.
        for key in ("data_folder_in", "data_folder_out", "control_folder"):
            folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(key)
            if folder:
                Path(folder).mkdir(parents=True, exist_ok=True)

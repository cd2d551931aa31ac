from __future__ import annotations

from django.apps import AppConfig


class StatusConfig(AppConfig):
    name = "status"
    verbose_name = "Adobe Status"

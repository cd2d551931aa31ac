"""System checks that keep a production deployment from starting on development defaults.

``manage.py migrate`` runs these, and the compose entrypoint runs migrate before gunicorn, so a
deployment that forgot its secrets stops at start-up with a message instead of running insecurely.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def check_production_secrets(app_configs: Any = None, **kwargs: Any) -> list:
    errors: list = []
    if settings.DEBUG:
        return errors
    if settings.SECRET_KEY == settings.INSECURE_DEV_SECRET_KEY:
        errors.append(
            Error(
                "SECRET_KEY is the development key while DEBUG is off.",
                hint="Set SECRET_KEY (or SECRET_KEY_FILE) to a long random value, "
                'e.g. python -c "import secrets; print(secrets.token_urlsafe(50))".',
                id="dashboard.E001",
            )
        )
    if "*" in settings.ALLOWED_HOSTS:
        errors.append(
            Warning(
                "ALLOWED_HOSTS accepts any host while DEBUG is off.",
                hint="List the host names Lookout is served under.",
                id="dashboard.W001",
            )
        )
    return errors

"""System checks that keep a production deployment from starting on development defaults.

``manage.py migrate`` runs these, and the compose entrypoint runs migrate before gunicorn, so a
deployment that forgot its secrets stops at start-up with a message instead of running insecurely.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError

from dashboard import crypto


@register()
def check_production_secrets(app_configs: Any = None, **kwargs: Any) -> list:
    errors: list = []
    if settings.DEBUG:
        return errors
    # settings.py already refuses the .env.example placeholder on import; this catches it when
    # settings were changed after (tests, a settings module that imports ours).
    known = {
        settings.INSECURE_DEV_SECRET_KEY: "the development key",
        settings.PLACEHOLDER_SECRET_KEY: "the placeholder from .env.example",
    }
    if settings.SECRET_KEY in known:
        errors.append(
            Error(
                f"SECRET_KEY is {known[settings.SECRET_KEY]} while DEBUG is off.",
                hint="Set SECRET_KEY (or SECRET_KEY_FILE) to a long random value, "
                'e.g. python -c "import secrets; print(secrets.token_urlsafe(50))".',
                id="dashboard.E001",
            )
        )
    if settings.INSECURE_DEV_ENCRYPTION_KEY in settings.LOOKOUT_ENCRYPTION_KEYS:
        errors.append(
            Error(
                "LOOKOUT_ENCRYPTION_KEYS holds the development key while DEBUG is off.",
                hint='Generate a key with python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())" and put it first.',
                id="dashboard.E002",
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


@register()
def check_encryption_keys(app_configs: Any = None, **kwargs: Any) -> list:
    keys = settings.LOOKOUT_ENCRYPTION_KEYS
    if not keys:
        return [Error("LOOKOUT_ENCRYPTION_KEYS is empty.", id="dashboard.E003")]
    return [
        Error(
            f"Key number {position} in LOOKOUT_ENCRYPTION_KEYS is not a Fernet key.",
            hint="A Fernet key is 32 bytes in URL-safe base64 (44 characters).",
            id="dashboard.E003",
        )
        for position, key in enumerate(keys, start=1)
        if not crypto.is_valid_key(key)
    ]


@register(Tags.database)
def check_secrets_decrypt(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list:
    """Name every credential whose secrets no configured key can decrypt (runs with migrate)."""
    if not databases or check_encryption_keys():
        return []
    from dashboard.selectors import credential_list_unreadable

    try:
        unreadable = credential_list_unreadable()
    except DatabaseError:
        return []  # not migrated yet: nothing to decrypt
    # A warning, not an error: the other organizations keep working, and the credential's page
    # and its refresh attempts say the same thing.
    return [
        Warning(
            f"Credential “{credential}” of {credential.organization} has secrets that no key in "
            "LOOKOUT_ENCRYPTION_KEYS can decrypt.",
            hint="Put back the key it was encrypted with (any position after the first), or "
            "delete the credential and onboard it again.",
            obj=credential,
            id="dashboard.W002",
        )
        for credential in unreadable
    ]


@register(Tags.security, deploy=True)
def check_notification_settings(app_configs: Any = None, **kwargs: Any) -> list:
    """Links in notifications must reach people; webhooks must not reach the private network."""
    found = []
    host = urlsplit(settings.LOOKOUT_BASE_URL).hostname or ""
    if host in {"localhost", "127.0.0.1", "::1", ""}:
        found.append(
            Warning(
                f"LOOKOUT_BASE_URL is {settings.LOOKOUT_BASE_URL}: links in notification e-mails "
                "and webhooks would point at this machine.",
                hint="Set it to the address people open Lookout at, e.g. https://lookout.example.com.",
                id="dashboard.W003",
            )
        )
    if settings.LOOKOUT_WEBHOOK_ALLOW_LOCAL:
        found.append(
            Warning(
                "LOOKOUT_WEBHOOK_ALLOW_LOCAL is on: webhooks may post to private and loopback "
                "addresses, over plain http.",
                hint="Leave it off outside development.",
                id="dashboard.W004",
            )
        )
    return found

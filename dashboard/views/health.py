"""GET /healthz: is the database reachable, is the broker reachable. Public, for probes.

A probe that finds the broker down also records since when background work is paused (the pages
show it) and says so; one that reaches it clears the pause.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

from dashboard import background

logger = logging.getLogger(__name__)


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"; the reason goes to the log
        logger.warning("healthz: database unreachable: %s", type(exc).__name__)
        return "unavailable"
    return "ok"


def _broker_status() -> tuple[str, str]:
    """("ok" or "unavailable", the kind of failure)."""
    timeout = settings.HEALTHZ_TIMEOUT
    broker = Connection(
        settings.CELERY_BROKER_URL,
        # kombu's Redis transport ignores connect_timeout: its sockets take their own.
        transport_options={
            **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            "socket_connect_timeout": timeout,
            "socket_timeout": timeout,
        },
        connect_timeout=timeout,
    )
    try:
        with broker:
            broker.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as exc:  # kombu raises transport-specific errors
        logger.warning("healthz: broker unreachable: %s", type(exc).__name__)
        return "unavailable", type(exc).__name__
    return "ok", ""


def _paused_since(*, broker_ok: bool, error: str, database_ok: bool) -> datetime | None:
    """Keep the pages' "background work is paused" record in step with what the probe saw."""
    if not database_ok:
        return None
    try:
        if broker_ok:
            background.pause_clear()
            return None
        return background.pause_record(error=error)
    except Exception as exc:  # the probe answers whatever the record says
        logger.warning("healthz: could not record the broker's state: %s", type(exc).__name__)
        return None


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_status()}
    checks["broker"], error = _broker_status()
    healthy = all(value == "ok" for value in checks.values())
    body: dict[str, str] = {"status": "ok" if healthy else "unavailable", **checks}
    since = _paused_since(
        broker_ok=checks["broker"] == "ok", error=error, database_ok=checks["database"] == "ok"
    )
    if since is not None:
        body["broker_unreachable_since"] = since.isoformat()
    return JsonResponse(body, status=200 if healthy else 503)

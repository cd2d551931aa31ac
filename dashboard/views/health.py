"""GET /healthz (readiness): is the database reachable, is the broker reachable, do a worker and
beat run. GET /livez (liveness): does this web process still answer. Both public, for probes.

/livez touches neither the database nor the broker: an orchestrator restarts a web process that
stops answering it, and must not restart every web process because PostgreSQL or Redis is down
(that is /healthz's 503, which takes the process out of rotation instead).

A probe that finds the broker down also records since when background work is paused (the pages
show it) and says so; one that reaches it clears the pause.

Workers and beat write heartbeats (``dashboard.celery``): a kind of process none of whose hosts
beat within ``LOOKOUT_HEARTBEAT_STALE_AFTER`` seconds is reported ``"stale"`` with a 503, since
nothing queued would run. A kind this database has never seen is left out (a fresh install, the
test suite), unless ``LOOKOUT_HEALTHZ_EXPECT_PROCESSES`` says to report it ``"missing"``.
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
from dashboard.selectors import process_health

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


def _process_states() -> dict[str, str]:
    """{"worker": state, "beat": state} for the kinds worth reporting; {} if unreadable."""
    try:
        found = process_health()
    except Exception as exc:  # the database answered SELECT 1 but not this: say nothing
        logger.warning("healthz: could not read the heartbeats: %s", type(exc).__name__)
        return {}
    states = {health.role: health.state for health in found if health.state}
    for role, state in states.items():
        if state != "ok":
            logger.warning("healthz: %s %s", role, state)
    return states


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
def livez(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_status()}
    checks["broker"], error = _broker_status()
    if checks["database"] == "ok":
        checks.update(_process_states())
    healthy = all(value == "ok" for value in checks.values())
    # "degraded": pages work, but nothing queued would run (a worker or beat is not beating).
    reachable = checks["database"] == "ok" and checks["broker"] == "ok"
    status = "ok" if healthy else "degraded" if reachable else "unavailable"
    body: dict[str, str] = {"status": status, **checks}
    since = _paused_since(
        broker_ok=checks["broker"] == "ok", error=error, database_ok=checks["database"] == "ok"
    )
    if since is not None:
        body["broker_unreachable_since"] = since.isoformat()
    return JsonResponse(body, status=200 if healthy else 503)

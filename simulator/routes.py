"""The route table: every path the simulator answers, by surface.

Templates are what counters and fault scopes name ("GET /data/core/privacy/jobs/{job_id}").
A trailing slash is accepted everywhere (aepp posts to `/jobs/`, jwt-auth to
`/ims/exchange/jwt/`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from simulator import control_api as ctl
from simulator import control_data as data
from simulator import ims, privacy, privacy_create, status, status_events
from simulator.gateway import authenticate_privacy, authenticate_status

logger = logging.getLogger(__name__)

PRIVACY = "/data/core/privacy"
STATUS = "/api/v1"


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    surface: str  # "ims", "privacy", "status", "control"
    handler: Callable[..., Any]
    auth: Callable[..., Any] | None = None

    @property
    def name(self) -> str:
        return f"{self.method} {self.template}"


def _compile(template: str) -> re.Pattern[str]:
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
    return re.compile(f"^{pattern}/?$")


def _adobe_routes() -> list[Route]:
    p, s = authenticate_privacy, authenticate_status
    routes = [
        Route("POST", "/ims/token/v3", "ims", ims.token_v3),
        Route("POST", "/ims/token/v2", "ims", ims.token_v3),
        Route("POST", "/ims/exchange/jwt", "ims", ims.exchange_jwt),
        Route("GET", f"{PRIVACY}/jobs", "privacy", privacy.list_jobs, p),
        Route("POST", f"{PRIVACY}/jobs", "privacy", privacy_create.create_jobs, p),
        Route("GET", f"{PRIVACY}/jobs/{{job_id}}", "privacy", privacy.get_job, p),
        Route("GET", f"{PRIVACY}/jobs/{{job_id}}/content", "privacy", privacy.job_content, p),
        Route("POST", f"{PRIVACY}/consent", "privacy", privacy.consent, p),
    ]
    status_routes = {
        "/clouds": status.clouds,
        "/products": status.products,
        "/eventTypes": status.event_types,
        "/regions": status.regions,
        "/locales": status.locales,
        "/messages": status.messages,
        "/messages/{locale}": status.messages_locale,
        "/events": status_events.events,
        "/events/incidents": status_events.incidents,
        "/events/maintenance": status_events.maintenance,
        "/events/scheduled": status_events.scheduled,
    }
    routes += [Route("GET", STATUS + path, "status", h, s) for path, h in status_routes.items()]
    return routes


def _control_routes() -> list[Route]:
    c = "/_simulator"
    table: list[tuple[str, str, Callable[..., Any]]] = [
        ("GET", "/health", ctl.health),
        ("GET", "/config", ctl.config),
        ("POST", "/reset", ctl.reset),
        ("GET", "/orgs", ctl.orgs),
        ("GET", "/orgs/{org}", ctl.org_detail),
        ("POST", "/orgs/{org}/secrets", ctl.secret_add),
        ("POST", "/orgs/{org}/secrets/revoke", ctl.secret_revoke),
        ("GET", "/tokens", ctl.tokens),
        ("POST", "/tokens/revoke", ctl.tokens_revoke),
        ("GET", "/clock", ctl.clock),
        ("POST", "/clock", ctl.clock_set),
        ("POST", "/clock/advance", ctl.clock_advance),
        ("GET", "/faults", ctl.faults),
        ("POST", "/faults", ctl.fault_add),
        ("DELETE", "/faults", ctl.faults_clear),
        ("DELETE", "/faults/{fault_id}", ctl.fault_remove),
        ("GET", "/requests", ctl.requests_),
        ("POST", "/requests/reset", ctl.requests_reset),
        ("DELETE", "/requests", ctl.requests_reset),
        ("GET", "/counts", ctl.counts),
        ("GET", "/consents", ctl.consents),
        ("GET", "/jobs", data.jobs),
        ("POST", "/jobs", data.job_create),
        ("GET", "/jobs/{job_id}", data.job_detail),
        ("PATCH", "/jobs/{job_id}", data.job_update),
        ("GET", "/incidents", data.incidents),
        ("POST", "/incidents", data.incident_create),
        ("PATCH", "/incidents/{incident_id}", data.incident_update),
        ("GET", "/maintenances", data.maintenances),
        ("POST", "/maintenances", data.maintenance_create),
        ("PATCH", "/maintenances/{maintenance_id}", data.maintenance_update),
    ]
    return [Route(method, c + path, "control", handler) for method, path, handler in table]


ROUTES: list[tuple[re.Pattern[str], Route]] = [
    (_compile(route.template), route) for route in [*_adobe_routes(), *_control_routes()]
]


def match(method: str, path: str) -> tuple[Route | None, dict[str, str], bool]:
    """(route, path parameters, whether the path exists at all, under any method)."""
    path_known = False
    for pattern, route in ROUTES:
        found = pattern.match(path)
        if found:
            if route.method == method:
                return route, found.groupdict(), True
            path_known = True
    return None, {}, path_known

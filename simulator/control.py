"""A small Python client of the simulator's control API, for tests and benchmarks.

Every control endpoint (JSON in and out; none is ever counted or faulted):

    GET    /_simulator/health                      {"ok": true}
    GET    /_simulator/config                      seed, orgs, jobs_per_org, incidents, url,
                                                   ims_url, privacy_url, status_url
    POST   /_simulator/reset                       faults off, counters zero, clock back to its
                                                   start, tokens forgotten, secrets, jobs and
                                                   incidents as generated
    GET    /_simulator/orgs                        [{index, name, ims_org_id, client_id,
                                                   client_secrets, technical_account_id,
                                                   technical_account_email, scopes, metascopes,
                                                   private_key_pem, public_key_pem,
                                                   certificate_pem}]
    GET    /_simulator/orgs/{org}                  one of them ({org}: IMS org id, client id or
                                                   index, everywhere below too)
    POST   /_simulator/orgs/{org}/secrets          {"secret": optional} -> 201 {secret,
                                                   client_secrets}: adds a valid secret
    POST   /_simulator/orgs/{org}/secrets/revoke   {"secret": s} -> {client_secrets}
    GET    /_simulator/tokens                      issued tokens (org, grant, scopes, times,
                                                   revoked, valid); never the token values
    POST   /_simulator/tokens/revoke               {"org": optional, "access_token": optional}
                                                   -> {"revoked": n}; neither given: all
    GET    /_simulator/clock                       {now, now_epoch, start, offset_seconds, frozen}
    POST   /_simulator/clock                       {"frozen": bool}
    POST   /_simulator/clock/advance               {"seconds"|"minutes"|"hours"|"days": n}
    GET    /_simulator/faults                      active faults
    POST   /_simulator/faults                      {"kind", "surface"?, "endpoint"?, "org"?,
                                                   "count"?, ...params} -> 201 the fault (id)
    DELETE /_simulator/faults                      remove all
    DELETE /_simulator/faults/{id}                 remove one
    GET    /_simulator/requests                    {total, endpoints: {"GET /tpl": n},
                                                   statuses: {"GET /tpl": {"200": n}},
                                                   by_org: {org: {"GET /tpl": n}},
                                                   token_issuances: {org: {oauth, jwt, total}}}
    POST   /_simulator/requests/reset              zero the counters (DELETE /requests too)
    GET    /_simulator/counts                      jobs per org by status and regulation,
                                                   incidents, maintenances, consents, tokens
    GET    /_simulator/consents                    the POST /consent bodies received
    GET    /_simulator/jobs?org=&regulation=&status=&limit=&offset=
    GET    /_simulator/jobs/{job_id}
    POST   /_simulator/jobs                        {"org", "regulation", "action", "count",
                                                   "status", "created_at" | "created_seconds_ago",
                                                   "processing_in_seconds", "finish_in_seconds",
                                                   "outcome"} -> 201 {"jobs": [...]}
    PATCH  /_simulator/jobs/{job_id}               {"status", "processing_in_seconds",
                                                   "finish_in_seconds", "outcome"}
    GET    /_simulator/incidents                   every incident visible now (IncidentDto)
    POST   /_simulator/incidents                   {"products", "regions", "severity", "status",
                                                   "title", "message", "started_seconds_ago"}
    PATCH  /_simulator/incidents/{id}              {"status": Opened|Closed|Dismissed,
                                                   "severity", "title", "message"}
    GET    /_simulator/maintenances
    POST   /_simulator/maintenances                {"products", "regions", "type",
                                                   "starts_in_seconds", "duration_seconds",
                                                   "title", "message"}
    PATCH  /_simulator/maintenances/{id}           {"status": "Canceled"}

Fault kinds (see `simulator.faults`): rate_limit (retry_after: seconds, a verbatim string or null),
server_error (status 500/502/503/504, body_format "json"|"html"), error (status, body,
headers), drop_connection, drop_after_processing (the endpoint does its work, then the
connection closes unanswered), revoked_token, slow (seconds), malformed_json, truncated_page
(fraction), short_page (drop); switches with a `value`: page_base (0, 1, "1-lenient"),
jobs_key ("jobs"|"jobDetails"), download_key ("downloadURL"|"downloadUrl"|"both"),
total_records ("total"|"page"), date_format ("adobe"|"iso"),
status_times ("spec"|"iso"|"epoch_s"|"epoch_ms"), size_max, lookback_days, retention_days,
default_window_days, status_throttle (requests per 5 s; 0 turns it off), rate_limit_per_second
(Privacy Service requests a second per integration, then 429 with Retry-After; 0, the default,
turns it off).
Scope any fault with `surface` ("ims", "privacy", "status"), `endpoint` ("GET
/data/core/privacy/jobs", or the path template alone for every method), `org`, and `count`
(the next N matching requests).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import requests

logger = logging.getLogger(__name__)

JOBS = "GET /data/core/privacy/jobs"
JOB = "GET /data/core/privacy/jobs/{job_id}"
JOB_CONTENT = "GET /data/core/privacy/jobs/{job_id}/content"
CREATE_JOBS = "POST /data/core/privacy/jobs"
CONSENT = "POST /data/core/privacy/consent"
IMS_TOKEN = "POST /ims/token/v3"  # noqa: S105 (a route, not a secret)
IMS_JWT = "POST /ims/exchange/jwt"


@dataclass(frozen=True)
class SimulatedOrg:
    """A generated organization and its integration (OAuth and JWT)."""

    index: int
    name: str
    ims_org_id: str
    client_id: str
    client_secrets: tuple[str, ...] = field(repr=False)
    technical_account_id: str
    technical_account_email: str
    scopes: tuple[str, ...]
    metascopes: tuple[str, ...]
    private_key_pem: str = field(repr=False)
    public_key_pem: str = field(repr=False)
    certificate_pem: str = field(repr=False)

    @property
    def client_secret(self) -> str:
        return self.client_secrets[0]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SimulatedOrg:
        return cls(
            index=data["index"],
            name=data["name"],
            ims_org_id=data["ims_org_id"],
            client_id=data["client_id"],
            client_secrets=tuple(data["client_secrets"]),
            technical_account_id=data["technical_account_id"],
            technical_account_email=data["technical_account_email"],
            scopes=tuple(data["scopes"]),
            metascopes=tuple(data["metascopes"]),
            private_key_pem=data["private_key_pem"],
            public_key_pem=data["public_key_pem"],
            certificate_pem=data["certificate_pem"],
        )


class SimulatorControl:
    """Drive a running simulator: `SimulatorControl("http://127.0.0.1:8765")`."""

    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        self.url = base_url.rstrip("/")
        self.ims_url = self.url
        self.privacy_url = f"{self.url}/data/core/privacy"
        self.status_url = f"{self.url}/api/v1"
        self.timeout = timeout
        self._session = requests.Session()
        self._orgs: list[SimulatedOrg] | None = None

    def __repr__(self) -> str:
        return f"SimulatorControl({self.url!r})"

    def _call(
        self, method: str, path: str, body: dict[str, Any] | None = None, **params: Any
    ) -> Any:
        response = self._session.request(
            method,
            f"{self.url}/_simulator{path}",
            json=body,
            params={k: v for k, v in params.items() if v is not None},
            timeout=self.timeout,
        )
        if response.status_code >= 400:
            raise RuntimeError(
                f"simulator control {method} {path}: {response.status_code} {response.text}"
            )
        return response.json()

    def close(self) -> None:
        self._session.close()

    # Organizations, secrets, tokens

    def orgs(self) -> list[SimulatedOrg]:
        """Every generated organization (cached: secrets may change, use `org()` to re-read)."""
        if self._orgs is None:
            self._orgs = [SimulatedOrg.from_json(o) for o in self._call("GET", "/orgs")]
        return self._orgs

    def org(self, ref: int | str = 0) -> SimulatedOrg:
        """One organization, fresh from the server (by index, IMS org id or client id)."""
        return SimulatedOrg.from_json(self._call("GET", f"/orgs/{ref}"))

    def add_secret(self, org: int | str = 0, secret: str | None = None) -> str:
        return self._call("POST", f"/orgs/{org}/secrets", {"secret": secret})["secret"]

    def revoke_secret(self, org: int | str, secret: str) -> list[str]:
        return self._call("POST", f"/orgs/{org}/secrets/revoke", {"secret": secret})[
            "client_secrets"
        ]

    def tokens(self) -> list[dict[str, Any]]:
        return self._call("GET", "/tokens")

    def revoke_tokens(self, org: int | str | None = None, access_token: str | None = None) -> int:
        body = {"org": org, "access_token": access_token}
        return self._call("POST", "/tokens/revoke", body)["revoked"]

    # Lifecycle and clock

    def health(self) -> bool:
        return bool(self._call("GET", "/health")["ok"])

    def config(self) -> dict[str, Any]:
        return self._call("GET", "/config")

    def reset(self) -> None:
        self._call("POST", "/reset")
        self._orgs = None

    def clock(self) -> dict[str, Any]:
        return self._call("GET", "/clock")

    def now(self) -> float:
        """The simulated now, as epoch seconds."""
        return float(self.clock()["now_epoch"])

    def advance(self, seconds: float = 0, *, hours: float = 0, days: float = 0) -> dict[str, Any]:
        return self._call(
            "POST", "/clock/advance", {"seconds": seconds + hours * 3600 + days * 86400}
        )

    def freeze_clock(self, frozen: bool = True) -> dict[str, Any]:
        return self._call("POST", "/clock", {"frozen": frozen})

    # Faults

    def add_fault(self, kind: str, **spec: Any) -> dict[str, Any]:
        """E.g. `add_fault("server_error", status=503, endpoint=JOBS, count=2)`."""
        return self._call("POST", "/faults", {"kind": kind, **spec})

    def set_switch(self, kind: str, value: Any, **scope: Any) -> dict[str, Any]:
        """E.g. `set_switch("page_base", 0)` or `set_switch("jobs_key", "jobs")`."""
        return self.add_fault(kind, value=value, **scope)

    def faults(self) -> list[dict[str, Any]]:
        return self._call("GET", "/faults")

    def remove_fault(self, fault_id: int) -> None:
        self._call("DELETE", f"/faults/{fault_id}")

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    # Counters

    def requests(self) -> dict[str, Any]:
        return self._call("GET", "/requests")

    def request_count(self, route: str) -> int:
        """Requests served on one route, e.g. `request_count("GET /data/core/privacy/jobs")`."""
        return int(self.requests()["endpoints"].get(route, 0))

    def token_issuances(self, org: int | str = 0) -> int:
        """IMS tokens issued to one organization (both grants) since the last reset."""
        ims_org_id = (
            org if isinstance(org, str) and org.endswith("@AdobeOrg") else self.org(org).ims_org_id
        )
        return int(self.requests()["token_issuances"].get(ims_org_id, {}).get("total", 0))

    def reset_requests(self) -> None:
        self._call("POST", "/requests/reset")

    def counts(self) -> dict[str, Any]:
        return self._call("GET", "/counts")

    def consents(self) -> list[dict[str, Any]]:
        return self._call("GET", "/consents")

    # Jobs

    def jobs(self, org: int | str = 0, **filters: Any) -> dict[str, Any]:
        """{"total", "jobs"}; filters: regulation, status, limit, offset."""
        return self._call("GET", "/jobs", org=org, **filters)

    def job(self, job_id: str) -> dict[str, Any]:
        return self._call("GET", f"/jobs/{job_id}")

    def create_jobs(self, org: int | str = 0, **spec: Any) -> list[dict[str, Any]]:
        return self._call("POST", "/jobs", {"org": org, **spec})["jobs"]

    def update_job(self, job_id: str, **spec: Any) -> dict[str, Any]:
        return self._call("PATCH", f"/jobs/{job_id}", spec)

    # Status events

    def incidents(self) -> list[dict[str, Any]]:
        return self._call("GET", "/incidents")

    def create_incident(self, **spec: Any) -> dict[str, Any]:
        return self._call("POST", "/incidents", spec)

    def update_incident(self, incident_id: str, **spec: Any) -> dict[str, Any]:
        return self._call("PATCH", f"/incidents/{incident_id}", spec)

    def maintenances(self) -> list[dict[str, Any]]:
        return self._call("GET", "/maintenances")

    def create_maintenance(self, **spec: Any) -> dict[str, Any]:
        return self._call("POST", "/maintenances", spec)

    def update_maintenance(self, maintenance_id: str, **spec: Any) -> dict[str, Any]:
        return self._call("PATCH", f"/maintenances/{maintenance_id}", spec)

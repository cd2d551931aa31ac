"""Faults and switches that tests turn on through the control API.

A fault has a `kind`, an optional scope (`surface`, `endpoint`, `org`) and an optional `count`
(it fires on the next N matching requests, then retires). Three families:

* preempting: the request is answered by the fault instead of the endpoint (`rate_limit`,
  `server_error`, `error`, `drop_connection`, `revoked_token`);
* `slow`: the response is delayed by `seconds`;
* `drop_after_processing`: the endpoint does its work (a `POST /jobs` creates its jobs), then the
  connection closes with no answer, as when Adobe accepts a request and the answer is lost;
  it fires only on a 2xx, so a request the endpoint refused leaves it armed;
* response-shaping: `malformed_json` and `truncated_page` spoil a successful JSON body;
  `short_page` drops items from a jobs page;
* switches, where Adobe's docs disagree and a client must cope with either answer: `page_base`,
  `jobs_key`, `download_key`, `total_records`, `date_format`, `status_times`, `size_max`,
  `lookback_days`, `retention_days`, `default_window_days`, `status_throttle`,
  `rate_limit_per_second`.

Switch defaults (no fault) are the simulator's reading of Part 2: 1-based pages (swagger),
`jobDetails` in lists and `jobs` on create, `downloadUrl` (swagger), `totalRecords` = all
matches, Adobe's `MM/DD/YYYY hh:mm AM GMT` dates, size max 1000, 45-day look-back, jobs
retained 30 days after finishing, 7-day default window, 50 Status requests per 5 s per token,
no limit on the rate of Privacy Service requests (`rate_limit_per_second`: a token bucket per
integration, answering 429 with Retry-After; `simulator.ratelimit`).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from simulator.web import Request

logger = logging.getLogger(__name__)

PREEMPTING = ("rate_limit", "server_error", "error", "drop_connection", "revoked_token")
PREEMPTING_IMS = tuple(kind for kind in PREEMPTING if kind != "revoked_token")  # no bearer there
BODY_FAULTS = ("malformed_json", "truncated_page")  # spoil any 2xx JSON body
SHAPING = (*BODY_FAULTS, "short_page")  # short_page: the jobs list only
AFTER_PROCESSING = ("drop_after_processing",)  # the work is done, the answer is lost

# Switch kinds: allowed values (None: any non-negative number) and the default.
SWITCHES: dict[str, tuple[tuple[Any, ...] | None, Any]] = {
    "page_base": ((0, 1, "1-lenient"), 1),
    "jobs_key": (("jobs", "jobDetails"), None),  # None: per endpoint (list/create differ)
    "download_key": (("downloadURL", "downloadUrl", "both"), "downloadUrl"),
    "total_records": (("total", "page"), "total"),
    "date_format": (("adobe", "iso"), "adobe"),
    "status_times": (("spec", "iso", "epoch_s", "epoch_ms"), "spec"),
    "size_max": (None, 1000),
    "lookback_days": (None, 45),
    "retention_days": (None, 30),
    "default_window_days": (None, 7),
    "status_throttle": (None, 50),
    "rate_limit_per_second": (None, 0),  # Privacy Service requests per integration; 0: off
}
KINDS = (*PREEMPTING, "slow", *AFTER_PROCESSING, *SHAPING, *SWITCHES)
SURFACES = ("ims", "privacy", "status")


class FaultError(ValueError):
    """A fault definition the control API refuses (the message says why)."""


@dataclass
class Fault:
    id: int
    kind: str
    surface: str | None = None
    endpoint: str | None = None  # "GET /data/core/privacy/jobs" or just the path template
    org: str | None = None  # IMS org id
    remaining: int | None = None  # None: until removed
    params: dict[str, Any] = field(default_factory=dict)
    fired: int = 0

    def matches(self, request: Request, org: str | None) -> bool:
        if self.surface is not None and self.surface != request.surface:
            return False
        if self.endpoint is not None:
            template = request.route.partition(" ")[2]
            if self.endpoint not in (request.route, template):
                return False
        return self.org is None or self.org == org

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "surface": self.surface,
            "endpoint": self.endpoint,
            "org": self.org,
            "remaining": self.remaining,
            "fired": self.fired,
            **self.params,
        }


_SCOPE_KEYS = ("kind", "surface", "endpoint", "org", "count")
_PARAM_KEYS = {
    "rate_limit": ("retry_after",),
    "server_error": ("status", "body_format"),
    "error": ("status", "body", "headers"),
    "drop_connection": (),
    "revoked_token": (),
    "slow": ("seconds",),
    "drop_after_processing": (),
    "malformed_json": (),
    "truncated_page": ("fraction",),
    "short_page": ("drop",),
}


def _check_params(kind: str, params: dict[str, Any]) -> None:
    if kind == "server_error" and params.get("status", 503) not in (500, 502, 503, 504):
        raise FaultError("server_error status must be 500, 502, 503 or 504")
    if kind == "error" and not isinstance(params.get("status"), int):
        raise FaultError("error needs an integer status")
    if kind == "slow" and not isinstance(params.get("seconds"), int | float):
        raise FaultError("slow needs seconds (a number)")
    if kind == "rate_limit":
        retry_after = params.get("retry_after")
        # A string is sent verbatim (an HTTP-date, or something a client must survive).
        if retry_after is not None and not isinstance(retry_after, int | float | str):
            raise FaultError("retry_after must be seconds, a string (e.g. an HTTP-date) or null")
    if kind in SWITCHES:
        allowed, _default = SWITCHES[kind]
        value = params.get("value")
        if allowed is not None and value not in allowed:
            raise FaultError(f"{kind} value must be one of {list(allowed)}")
        if (
            allowed is None
            and value is not None
            and not (isinstance(value, int | float) and value >= 0)
        ):
            raise FaultError(f"{kind} value must be a non-negative number or null")


class Faults:
    """The active faults, in the order they were added (the first match wins)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._next_id = 1

    def add(self, spec: dict[str, Any]) -> Fault:
        kind = spec.get("kind")
        if kind not in KINDS:
            raise FaultError(f"unknown fault kind {kind!r}; known: {list(KINDS)}")
        surface = spec.get("surface")
        if surface is not None and surface not in SURFACES:
            raise FaultError(f"surface must be one of {list(SURFACES)}")
        count = spec.get("count")
        if count is not None and (not isinstance(count, int) or count < 1):
            raise FaultError("count must be a positive integer or null")
        allowed = _PARAM_KEYS.get(kind, ("value",))
        unknown = set(spec) - set(_SCOPE_KEYS) - set(allowed)
        if unknown:
            raise FaultError(f"unknown field(s) for {kind}: {sorted(unknown)}")
        params = {key: spec[key] for key in allowed if key in spec}
        _check_params(kind, params)
        with self._lock:
            fault = Fault(
                id=self._next_id,
                kind=kind,
                surface=surface,
                endpoint=spec.get("endpoint"),
                org=spec.get("org"),
                remaining=count,
                params=params,
            )
            self._next_id += 1
            self._faults.append(fault)
        logger.info("fault %s added: %s", fault.id, fault.as_json())
        return fault

    def take(self, request: Request, org: str | None, kinds: tuple[str, ...]) -> Fault | None:
        """The first active fault of one of `kinds` matching the request; uses up one count."""
        with self._lock:
            for fault in self._faults:
                if fault.kind in kinds and fault.matches(request, org):
                    fault.fired += 1
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def peek(self, request: Request, org: str | None, kinds: tuple[str, ...]) -> bool:
        with self._lock:
            return any(f.kind in kinds and f.matches(request, org) for f in self._faults)

    def switch(self, request: Request, org: str | None, kind: str, default: Any = None) -> Any:
        """The value of a switch for this request (a matching fault's value, else the default)."""
        fault = self.take(request, org, (kind,))
        if fault is not None:
            return fault.params.get("value")
        if default is not None:
            return default
        return SWITCHES[kind][1]

    def current(self, kind: str) -> Any:
        """A switch's value outside any request (first fault of that kind), without using it up."""
        with self._lock:
            for fault in self._faults:
                if fault.kind == kind:
                    return fault.params.get("value")
        return SWITCHES[kind][1]

    def remove(self, fault_id: int) -> bool:
        with self._lock:
            before = len(self._faults)
            self._faults = [f for f in self._faults if f.id != fault_id]
            return len(self._faults) != before

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def as_json(self) -> list[dict[str, Any]]:
        with self._lock:
            return [fault.as_json() for fault in self._faults]

"""The Adobe I/O gateway in front of Privacy Service and the Status API: who may call.

Privacy (adobe-api.md 2.1, 2.10, 2.13): `Authorization: Bearer`, `x-api-key` (the client id the
token was issued to) and `x-gw-ims-org-id` (the organization the token belongs to) on every
call, answered with the gateway's documented `{"error_code", "message"}` bodies, and a request
rate per integration when the `rate_limit_per_second` switch is on (429 with Retry-After;
`simulator.ratelimit`). Status (3.2,
3.3, 3.9): a bearer token and the fixed api key `StatusAdobeIOClient` (query `api_key` or header
`x-api-key`), 50 requests per 5 seconds per token.

A token from the JWT exchange carries only the metascopes it asked for: Privacy needs
`ent_gdpr_sdk` (or `ent_dataservices_sdk`), Status needs `ent_status_api`; without them the
gateway answers 403 "Profile is not valid", as for a token of another organization.
"""

from __future__ import annotations

import collections
import logging
import math
import threading
import time
from typing import TYPE_CHECKING

from simulator.ratelimit import TokenBuckets
from simulator.tokens import TokenRecord
from simulator.web import Request, Response, gateway_error

if TYPE_CHECKING:
    from simulator.state import SimulatorState

logger = logging.getLogger(__name__)

STATUS_API_KEY = "StatusAdobeIOClient"
PRIVACY_METASCOPES = frozenset({"ent_gdpr_sdk", "ent_dataservices_sdk"})
STATUS_METASCOPES = frozenset({"ent_status_api"})
THROTTLE_WINDOW_S = 5.0


def _bearer(request: Request) -> str | None:
    scheme, _, token = (request.header("authorization") or "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def _token_invalid() -> Response:
    return gateway_error(401, "401013", "Oauth token is not valid")


def _valid_token(request: Request, state: SimulatorState) -> TokenRecord | Response:
    token = _bearer(request)
    record = state.tokens.lookup(token) if token else None
    if record is None or not record.is_valid(state.clock.now()):
        return _token_invalid()
    return record


def authenticate_privacy(request: Request, state: SimulatorState) -> TokenRecord | Response:
    if not request.header("authorization"):
        return gateway_error(403, "403010", "Oauth token is missing.")
    api_key = request.header("x-api-key")
    if not api_key:
        return gateway_error(403, "403000", "Api Key is required")
    record = _valid_token(request, state)
    if isinstance(record, Response):
        return record
    if api_key != record.client_id:
        return gateway_error(403, "403003", "Api Key is invalid")
    org_id = request.header("x-gw-ims-org-id")
    if not org_id:
        return gateway_error(400, "400003", "Missing header")
    if org_id != record.ims_org_id:
        return gateway_error(403, "403025", "Profile is not valid")
    if record.grant == "jwt" and not PRIVACY_METASCOPES & set(record.metascopes):
        return gateway_error(403, "403025", "Profile is not valid")
    return _rate_limited(request, state, record) or record


def _rate_limited(request: Request, state: SimulatorState, record: TokenRecord) -> Response | None:
    """429 once the integration sends faster than `rate_limit_per_second` (0: no limit)."""
    rate = state.faults.switch(request, record.ims_org_id, "rate_limit_per_second")
    if not rate:
        return None
    wait = state.throttle.buckets.take(f"{record.ims_org_id} {record.client_id}", float(rate))
    return throttled(wait) if wait is not None else None


def authenticate_status(request: Request, state: SimulatorState) -> TokenRecord | Response:
    if not request.header("authorization"):
        # Status answers 401 where the Platform gateway says 403 (adobe-api.md 3.9).
        return gateway_error(401, "403010", "Oauth token is missing.")
    record = _valid_token(request, state)
    if isinstance(record, Response):
        return record
    api_key = request.arg("api_key") or request.header("x-api-key")
    if not api_key:
        return gateway_error(403, "403000", "Api Key is required")
    if api_key != STATUS_API_KEY:
        return gateway_error(403, "403003", "Api Key is invalid")
    if record.grant == "jwt" and not STATUS_METASCOPES & set(record.metascopes):
        return gateway_error(403, "403025", "Profile is not valid")
    return record


class Throttle:
    """Sliding-window limit per token: "up to 50 requests / 5 secs per user's session".

    Real time, not the simulated clock: it limits how fast a client calls, which a clock
    advance should not change.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: dict[str, collections.deque[float]] = {}
        #: Privacy Service's request rate per integration (the `rate_limit_per_second` switch).
        self.buckets = TokenBuckets()

    def check(self, key: str, limit: int) -> float | None:
        """Record a call; return None if allowed, else the seconds until one is allowed."""
        now = time.monotonic()
        with self._lock:
            calls = self._calls.setdefault(key, collections.deque())
            while calls and now - calls[0] >= THROTTLE_WINDOW_S:
                calls.popleft()
            if len(calls) >= limit:
                return THROTTLE_WINDOW_S - (now - calls[0])
            calls.append(now)
            return None

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
        self.buckets.reset()


def throttled(wait: float) -> Response:
    response = gateway_error(429, "429001", "Too many requests")
    response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
    return response

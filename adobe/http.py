"""The one HTTP transport every Adobe call goes through.

What it guarantees, so the clients above it need not repeat it:

* every request has a timeout, reuses pooled connections (one ``requests.Session``) and keeps TLS
  verification on (a session with ``verify=False`` is refused);
* idempotent ``GET`` requests retry 429, 5xx, timeouts and connection errors with capped
  exponential backoff, honouring ``Retry-After``; every other method is sent exactly once, because
  ``POST /jobs`` must never be repeated blindly (the caller reconciles instead);
* with a :class:`~adobe.ratelimit.RateGate` (``gate``), a 429 slows every thread that shares the
  gate down at once: each attempt waits at the gate first, and a 429 holds it for the wait;
* every non-2xx answer becomes a typed :mod:`adobe.errors` exception;
* nothing it logs or raises contains a request body, a token or a secret: messages hold the method,
  the path (never the query), the status and Adobe's error code and description, with any secret we
  sent redacted from the latter.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypedDict
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from adobe.errors import (
    AdobeAuthError,
    AdobeBadResponse,
    AdobeError,
    AdobeRateLimited,
    AdobeUnavailable,
)
from adobe.http_errors import error_for_response
from adobe.ratelimit import RateGate

logger = logging.getLogger(__name__)

USER_AGENT = "lookout-adobe/1.0"
# Form fields whose values are secrets; they are redacted from any message we build.
SECRET_FORM_FIELDS = frozenset({"client_secret", "jwt_token", "password", "refresh_token"})


@dataclass(frozen=True)
class RetryPolicy:
    """How ``GET`` requests retry transient failures.

    ``max_retries`` extra attempts after the first; the n-th wait is
    ``min(backoff_cap, backoff_base * 2**n)`` with jitter in its upper half, unless the server sent
    ``Retry-After``. A ``Retry-After`` longer than ``max_retry_after`` is not slept through: the
    call raises :class:`AdobeRateLimited` at once so a worker is not blocked (Celery retries later).
    """

    max_retries: int = 3
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    max_retry_after: float = 60.0

    def backoff(self, retry_number: int) -> float:
        ceiling = min(self.backoff_cap, self.backoff_base * 2**retry_number)
        # Jitter so that workers rate limited together do not come back together.
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - not cryptographic


class TransportOptions(TypedDict, total=False):
    """What every client passes through to its :class:`Transport` (see its arguments)."""

    session: requests.Session | None
    retry: RetryPolicy | None
    sleep: Callable[[float], None]
    on_response: Callable[[requests.Response], None] | None
    on_error: Callable[[requests.RequestException], None] | None
    gate: RateGate | None


class TokenProvider(Protocol):
    """Gives the current access token; ``force_refresh=True`` asks IMS for a new one.

    Any callable with this shape works, e.g. ``lambda force_refresh=False: token``.
    """

    def __call__(self, *, force_refresh: bool = False) -> str: ...


def new_session() -> requests.Session:
    session = requests.Session()
    # No urllib3-level retries: retrying is decided here, per method, with Retry-After honoured.
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=16, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    return session


class Transport:
    """Sends requests to one Adobe surface (``base_url``) and returns 2xx responses."""

    def __init__(
        self,
        *,
        base_url: str,
        session: requests.Session | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_response: Callable[[requests.Response], None] | None = None,
        on_error: Callable[[requests.RequestException], None] | None = None,
        gate: RateGate | None = None,
    ):
        """``sleep`` waits between retries (tests inject a recorder); ``on_response`` sees every
        HTTP answer, retries included (Lookout counts a run's requests with it); ``on_error`` sees
        every attempt that got no answer (a timeout, a refused or broken connection), so that
        the two together see every attempt once; both run in the thread that sent the request.
        ``gate``, shared by every thread and client calling for one integration, makes a 429 one
        pause for all of them (:mod:`adobe.ratelimit`)."""
        parts = urlsplit(base_url)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise ValueError("base_url must be an absolute http(s) URL")
        if timeout <= 0:
            raise ValueError("timeout must be positive: every Adobe call has one")
        self.base_url = base_url.rstrip("/")
        self.session = session if session is not None else new_session()
        if self.session.verify is False:
            raise ValueError("TLS verification must stay on for Adobe calls")
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._on_response = on_response
        self._on_error = on_error
        self.gate = gate

    def url_for(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def owns(self, url: str) -> bool:
        """True when ``url`` lies under this transport's base URL (safe to send our token to)."""
        return url == self.base_url or url.startswith(self.base_url + "/")

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        secrets: Iterable[str] = (),
        url: str | None = None,
    ) -> requests.Response:
        """Send one logical request; return the 2xx response or raise a typed error.

        ``url`` overrides ``base_url + path`` (only for URLs this transport :meth:`owns`).
        """
        method = method.upper()
        target = url if url is not None else self.url_for(path)
        shown = urlsplit(target).path or "/"
        hidden = _collect_secrets(headers, form, secrets)
        attempts = 1 + (self.retry.max_retries if method == "GET" else 0)
        for attempt in range(1, attempts + 1):
            if self.gate is not None:
                self.gate.wait()
            started = time.monotonic()
            try:
                response = self.session.request(
                    method,
                    target,
                    params=params,
                    headers=dict(headers or {}),
                    json=json_body,
                    data=form,
                    timeout=self.timeout,
                    # A redirected POST would turn into a GET; only reads follow redirects.
                    allow_redirects=method == "GET",
                )
            except requests.RequestException as exc:
                if self._on_error is not None:
                    self._on_error(exc)
                error: AdobeError = _error_for_exception(method, shown, exc, self.timeout)
            else:
                if self._on_response is not None:
                    self._on_response(response)
                elapsed_ms = (time.monotonic() - started) * 1000
                logger.debug(
                    "%s %s -> %s in %.0f ms (attempt %d/%d)",
                    method,
                    shown,
                    response.status_code,
                    elapsed_ms,
                    attempt,
                    attempts,
                )
                if 200 <= response.status_code < 300:
                    return response
                error = error_for_response(
                    method, shown, response, hidden, self.retry.backoff(attempt - 1)
                )
            if not _is_transient(error) or attempt == attempts:
                raise error
            delay = _delay_before_retry(error, self.retry, attempt - 1)
            if delay is None:
                raise error
            if self.gate is not None and isinstance(error, AdobeRateLimited):
                # The limit is the client's: its other threads pause too, from their next attempt.
                self.gate.hold(delay)
            logger.warning(
                "%s %s failed (%s); retry %d/%d in %.2f s",
                method,
                shown,
                error.message,
                attempt,
                attempts - 1,
                delay,
            )
            self._sleep(delay)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover


def authorized_request(
    transport: Transport,
    token_provider: TokenProvider,
    method: str,
    path: str,
    *,
    headers: Mapping[str, str],
    **kwargs: Any,
) -> requests.Response:
    """Send with ``Authorization: Bearer``; a 401 forces one token refresh and one retry.

    Repeating after a 401 is safe even for ``POST /jobs``: the gateway refused the request before
    Privacy Service saw it. A second 401 is raised, never looped on.
    """

    def send(token: str) -> requests.Response:
        return transport.request(
            method,
            path,
            headers={**headers, "Authorization": f"Bearer {token}"},
            secrets=(token,),
            **kwargs,
        )

    try:
        return send(token_provider())
    except AdobeAuthError as exc:
        if exc.status != 401:
            raise
        logger.info("%s %s got 401; refreshing the access token once", method, path)
    return send(token_provider(force_refresh=True))


def decode_json(response: requests.Response) -> Any:
    """Return the decoded JSON body, or raise AdobeBadResponse naming ``<body>``."""
    return decode_json_bytes(response.content, status=response.status_code)


def decode_json_bytes(content: bytes, *, status: int = 200) -> Any:
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise AdobeBadResponse(
            f"Adobe answered HTTP {status} with a body that is not valid JSON",
            field="<body>",
            status=status,
        ) from None


def _is_transient(error: AdobeError) -> bool:
    return isinstance(error, AdobeRateLimited | AdobeUnavailable)


def _delay_before_retry(error: AdobeError, policy: RetryPolicy, retry_number: int) -> float | None:
    # Retry-After from a 429, or from a 503 (Adobe's gateway may send one there too).
    from_server = isinstance(error, AdobeUnavailable) or (
        isinstance(error, AdobeRateLimited) and error.from_server
    )
    server_wait = getattr(error, "retry_after", None) if from_server else None
    if server_wait is None:
        return policy.backoff(retry_number)
    if server_wait > policy.max_retry_after:
        return None  # too long to hold a worker: let the caller reschedule
    return server_wait


def _error_for_exception(
    method: str, path: str, exc: requests.RequestException, timeout: float
) -> AdobeError:
    # Only the exception's class is reported: requests' own messages can embed the prepared
    # request, and we drop the cause (`from None` at raise sites) so no body rides along.
    if isinstance(exc, requests.ConnectTimeout):
        return AdobeUnavailable(f"{method} {path} failed: connect timeout after {timeout:g} s")
    if isinstance(exc, requests.Timeout):
        return AdobeUnavailable(
            f"{method} {path} failed: no response within {timeout:g} s", maybe_processed=True
        )
    if _refused(exc):
        return AdobeUnavailable(f"{method} {path} failed: the connection was refused")
    return AdobeUnavailable(
        f"{method} {path} failed: the connection broke before an answer came",
        maybe_processed=True,
    )


def _refused(exc: BaseException) -> bool:
    """True when the connection never opened, so the request certainly did not reach Adobe."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ConnectionRefusedError) or type(current).__name__ in (
            "NewConnectionError",
            "NameResolutionError",
        ):
            return True
        pending.extend([current.__cause__, current.__context__, getattr(current, "reason", None)])
        pending.extend(arg for arg in current.args if isinstance(arg, BaseException))
    return False


def _collect_secrets(
    headers: Mapping[str, str] | None, form: Mapping[str, str] | None, extra: Iterable[str]
) -> list[str]:
    found = [s for s in extra if s]
    for name, value in (headers or {}).items():
        if name.lower() == "authorization" and value:
            found.append(value.split(" ", 1)[-1])
    for name, value in (form or {}).items():
        if name in SECRET_FORM_FIELDS and value:
            found.append(value)
    # Longest first, so a secret that contains another is redacted whole.
    return sorted(set(found), key=len, reverse=True)

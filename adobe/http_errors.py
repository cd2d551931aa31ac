"""From an HTTP answer to the typed error it stands for (status, Adobe's error body, Retry-After).

Adobe's error bodies come in three shapes: IMS ``{"error", "error_description"}``, the I/O gateway's
``{"error_code", "message"}`` and Platform's problem detail ``{"title", "detail"}``. The code and
description are read from whichever is present, capped, stripped of control characters and of any
secret we sent (a server that echoes a request must not make us log it).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from adobe.errors import (
    AdobeAuthError,
    AdobeError,
    AdobeInvalidRequest,
    AdobeNotFound,
    AdobeRateLimited,
    AdobeUnavailable,
)

logger = logging.getLogger(__name__)

# IMS answers these with HTTP 400; they mean the credential itself is wrong (Part 1: permanent).
IMS_AUTH_ERROR_CODES = frozenset(
    {
        "invalid_client",
        "invalid_scope",
        "invalid_signature",
        "invalid_token",
        "invalid_jti",
        "bad_request",
        "unauthorized_client",
    }
)
TRANSIENT_STATUSES = frozenset({408, 500, 502, 503, 504})
_MAX_DESCRIPTION = 200
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]+")


def error_for_response(
    method: str,
    path: str,
    response: requests.Response,
    secrets: Iterable[str] = (),
    backoff: float = 1.0,
) -> AdobeError:
    """Map a non-2xx response to the typed error it stands for."""
    return error_for_status(
        method,
        path,
        status=response.status_code,
        retry_after=response.headers.get("Retry-After"),
        content=response.content,
        secrets=secrets,
        backoff=backoff,
    )


def error_for_status(
    method: str,
    path: str,
    *,
    status: int,
    retry_after: str | None = None,
    content: bytes = b"",
    secrets: Iterable[str] = (),
    backoff: float = 1.0,
) -> AdobeError:
    """The typed error for an HTTP status, Adobe's error body and its Retry-After header."""
    code, description = _error_details(content, secrets)
    message = f"{method} {path} failed: HTTP {status}"
    if code:
        message += f" {code}"
    if description:
        message += f": {description}"
    if status == 429:
        wait = parse_retry_after(retry_after)
        return AdobeRateLimited(
            message,
            retry_after=backoff if wait is None else wait,
            from_server=wait is not None,
            code=code,
        )
    if status in TRANSIENT_STATUSES or status >= 500:
        return AdobeUnavailable(
            message,
            status=status,
            code=code,
            maybe_processed=True,
            retry_after=parse_retry_after(retry_after),
        )
    if status in (401, 403) or (status == 400 and code in IMS_AUTH_ERROR_CODES):
        return AdobeAuthError(message, status=status, code=code)
    if status == 404:
        return AdobeNotFound(message, status=status, code=code)
    return AdobeInvalidRequest(message, status=status, code=code)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or HTTP-date); None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        seconds = when.timestamp() - time.time()
    if seconds != seconds or seconds == float("inf"):
        return None
    return max(0.0, seconds)


def _error_details(content: bytes, secrets: Iterable[str]) -> tuple[str, str]:
    """Adobe's error code and description from the known error shapes, redacted and capped."""
    secrets = list(secrets)
    try:
        body = json.loads(content) if content else None
    except (ValueError, UnicodeDecodeError, RecursionError):
        body = None
    if not isinstance(body, dict):
        return "", ""
    code = _first_text(body, ("error", "error_code", "errorCode"))
    description = _first_text(body, ("error_description", "message", "detail"))
    if not code and description:
        code = _first_text(body, ("title",))  # problem-detail bodies: title names the error
    elif not description:
        description = _first_text(body, ("title",))
    return _clean(code, secrets)[:64], _clean(description, secrets)[:_MAX_DESCRIPTION]


def _first_text(body: Mapping[str, Any], keys: tuple[str, ...]) -> str:
    for key in keys:
        value = body.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
            return str(value)
    return ""


def _clean(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, "[redacted]")
    return _CONTROL_CHARS.sub(" ", text).strip()

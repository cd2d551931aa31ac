"""Building the Status client: one credential with Status access, a throttled session, plain words
for every failure."""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections import deque
from typing import Any

import requests
from django.conf import settings

from adobe import RetryPolicy, StatusClient
from adobe.errors import (
    AdobeAuthError,
    AdobeBadResponse,
    AdobeError,
    AdobeRateLimited,
    AdobeUnavailable,
)
from adobe.http import new_session
from dashboard.models import Credential
from dashboard.selectors import credential_for_usage
from dashboard.services.tokens import CredentialTokenProvider

logger = logging.getLogger(__name__)

# Adobe accepts 50 requests per 5 s; staying a little under leaves room for a manual sync.
WINDOW_SECONDS = 5.0
MAX_REQUESTS_PER_WINDOW = 45

NO_CREDENTIAL = (
    "No credential has Adobe Status access: an organization admin adds one under "
    "Credentials & tokens (usage “Adobe Status” or both)."
)


class NoStatusCredential(Exception):
    """No organization has a usable credential for the Status API."""


class ThrottledSession(requests.Session):
    """A session that never sends more than ``MAX_REQUESTS_PER_WINDOW`` per ``WINDOW_SECONDS``
    from this process: it waits for the window instead of collecting 429s."""

    def __init__(self, limit: int = MAX_REQUESTS_PER_WINDOW, window: float = WINDOW_SECONDS):
        super().__init__()
        base = new_session()
        self.adapters = base.adapters
        self.headers.update(base.headers)
        self.limit, self.window = limit, window
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()
        #: Requests sent so far: a poll reports how many it cost.
        self.sent_total = 0

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        with self._lock:
            now = time.monotonic()
            while self._sent and now - self._sent[0] >= self.window:
                self._sent.popleft()
            if len(self._sent) >= self.limit:
                wait = self.window - (now - self._sent[0])
                logger.info(
                    "Status API: %d requests in %.0f s; waiting %.2f s",
                    self.limit,
                    self.window,
                    wait,
                )
                time.sleep(max(0.0, wait))
                self._sent.popleft()
            self._sent.append(time.monotonic())
            self.sent_total += 1
        return super().request(*args, **kwargs)


@functools.cache
def status_session() -> ThrottledSession:
    # One throttle and connection pool per process, shared by every poll it runs.
    return ThrottledSession()


def status_credential() -> Credential:
    credential = credential_for_usage(usage=Credential.Usage.STATUS)
    if credential is not None:
        return credential
    flagged = (
        Credential.objects.filter(
            usage__in=[Credential.Usage.STATUS, Credential.Usage.BOTH], needs_attention=True
        )
        .select_related("organization")
        .first()
    )
    if flagged is not None:
        raise NoStatusCredential(
            f"The only credentials with Adobe Status access need attention, e.g. "
            f"{flagged.organization.name}'s “{flagged.name}”: {flagged.last_error}"
        )
    raise NoStatusCredential(NO_CREDENTIAL)


def status_client(
    *, credential: Credential, session: requests.Session | None = None
) -> StatusClient:
    """A client that sleeps through a short Retry-After but hands a long one back to the caller
    (as AdobeRateLimited), so a worker is never blocked for minutes."""
    return StatusClient(
        base_url=settings.ADOBE_STATUS_API_URL,
        token_provider=CredentialTokenProvider(credential.pk),
        session=session or status_session(),
        timeout=settings.ADOBE_HTTP_TIMEOUT,
        retry=RetryPolicy(max_retries=2, backoff_base=0.5, backoff_cap=5.0, max_retry_after=5.0),
    )


def describe_status_error(exc: Exception) -> str:
    """The failure in plain words for the status page (never a token)."""
    if isinstance(exc, NoStatusCredential):
        return str(exc)
    if isinstance(exc, AdobeRateLimited):
        return (
            f"Adobe Status asked Lookout to slow down (429); the next poll waits "
            f"{exc.retry_after:.0f} s."
        )
    if isinstance(exc, AdobeAuthError):
        return (
            f"Adobe refused the credential for the Status API ({exc.status or exc.code}): "
            f"{exc.message}. An admin should check it under Credentials & tokens."
        )
    if isinstance(exc, AdobeUnavailable):
        return f"Adobe Status did not answer properly: {exc.message}. Lookout will retry."
    if isinstance(exc, AdobeBadResponse):
        return f"Adobe Status sent something Lookout could not read ({exc.field})."
    if isinstance(exc, AdobeError):
        return f"Adobe Status refused the request: {exc.message}."
    return f"Unexpected error: {type(exc).__name__}."

"""In-process token providers for :class:`~adobe.privacy.PrivacyClient` and
:class:`~adobe.status.StatusClient`.

The clients take any callable ``provider(*, force_refresh=False) -> str``. Lookout's Django side
supplies one backed by the encrypted, shared token cache; scripts, ``bench/`` and tests use
:class:`CachedTokenProvider` around an :class:`~adobe.ims.IMSClient` exchange.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from adobe.errors import AdobeAuthError, AdobeError
from adobe.ims import AccessToken, utc_now

logger = logging.getLogger(__name__)

#: Refresh ahead of time: when under 1 hour of the 24 remains (Part 1).
REFRESH_MARGIN = timedelta(hours=1)
#: Never send a token with less than this left (Part 1, as aio-lib-ims does).
MIN_VALIDITY = timedelta(minutes=10)


class CachedTokenProvider:
    """Keeps one token in memory and refreshes it ahead of expiry. Thread-safe.

    ``fetch`` returns a fresh :class:`AccessToken` (e.g. a bound ``IMSClient.exchange_oauth``).
    If an early refresh fails transiently while the cached token still has ``MIN_VALIDITY`` left,
    the cached token is used and the failure logged; otherwise the error propagates.
    """

    def __init__(
        self,
        fetch: Callable[[], AccessToken],
        *,
        refresh_margin: timedelta = REFRESH_MARGIN,
        min_validity: timedelta = MIN_VALIDITY,
        clock: Callable[[], datetime] = utc_now,
    ):
        self._fetch = fetch
        self._refresh_margin = refresh_margin
        self._min_validity = min_validity
        self._clock = clock
        self._token: AccessToken | None = None
        self._lock = threading.Lock()
        #: How many times IMS was asked for a token (useful to assert "one refresh, not a loop").
        self.fetch_count = 0

    def __repr__(self) -> str:
        expires = self._token.expires_at.isoformat() if self._token else None
        return f"CachedTokenProvider(expires_at={expires!r}, fetch_count={self.fetch_count})"

    @property
    def token(self) -> AccessToken | None:
        return self._token

    def __call__(self, *, force_refresh: bool = False) -> str:
        with self._lock:
            now = self._clock()
            current = self._token
            fresh = current is not None and current.remaining(now) > self._refresh_margin
            if fresh and not force_refresh:
                return current.value
            try:
                self.fetch_count += 1
                self._token = self._fetch()
            except AdobeAuthError:
                raise  # permanent: a still-valid old token would only hide it
            except AdobeError as exc:
                usable = current is not None and current.remaining(now) >= self._min_validity
                if force_refresh or not usable:
                    raise
                logger.warning("Early token refresh failed (%s); using the cached token", exc)
                return current.value
            return self._token.value

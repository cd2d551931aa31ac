"""Adobe I/O's request rate limit on Privacy Service, as a token bucket per integration.

Adobe's gateway answers 429 with ``Retry-After`` once a client sends faster than its limit
(adobe-api.md 2.13). The switch ``rate_limit_per_second`` turns it on: each integration (IMS
organization and client id) gets a bucket of that many tokens a second, holding at most one
second's worth, so a client that keeps under the rate is never refused and one that bursts past
it is told how long to wait. Retry-After is in whole seconds, as HTTP sends it (at least 1).

Real time, not the simulated clock: it limits how fast a client calls, which a clock advance
should not change.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)


class TokenBuckets:
    """One token bucket per key; thread-safe."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        #: key -> (tokens left, when they were counted, the rate they were counted at)
        self._buckets: dict[str, tuple[float, float, float]] = {}

    def take(self, key: str, rate: float) -> float | None:
        """Spend one token of ``key``'s bucket, filled at ``rate`` a second; None if there was one,
        else the seconds until there will be (the request is refused and spends nothing)."""
        if rate <= 0:
            return None
        capacity = max(1.0, rate)
        now = self._clock()
        with self._lock:
            tokens, counted_at, counted_rate = self._buckets.get(key, (capacity, now, rate))
            if counted_rate != rate:  # the switch changed: start full at the new rate
                tokens = capacity
            tokens = min(capacity, tokens + (now - counted_at) * rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now, rate)
                return None
            self._buckets[key] = (tokens, now, rate)
            return (1 - tokens) / rate

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()


def retry_after_seconds(wait: float) -> int:
    """The Retry-After header's value for a wait: whole seconds, at least one."""
    return max(1, math.ceil(wait))

"""One slow-down shared by every thread that calls Adobe through the same client.

When Adobe answers 429, the limit it enforces is the client's (its integration's), not one
request's: a pool of threads that each slept through its own 429 would keep the other threads
sending into the same limit, and earn one 429 per thread. A :class:`RateGate` is shared by every
request of a client (:class:`adobe.http.Transport` consults it before each attempt): a 429 *holds*
the gate for Adobe's ``Retry-After`` (or the retry backoff), and every thread waits at the gate
before its next request, so the whole pool pauses once and resumes together.

Plain Python and thread-safe; the clock and the sleep come in as arguments, for tests.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)


class RateGate:
    """Closed until a moment, for every thread at once.

    ``hold(seconds)`` closes the gate until ``seconds`` from now (a longer hold already in place
    stands); ``wait()`` returns at once while the gate is open, else sleeps until it opens, and
    again if another hold extended it meanwhile.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._open_at = 0.0
        #: How many times a 429 held the gate, and the seconds threads spent waiting at it.
        self.holds = 0
        self.waited = 0.0

    def __repr__(self) -> str:
        return f"RateGate(holds={self.holds}, waited={self.waited:.1f} s)"

    def hold(self, seconds: float) -> None:
        """Close the gate for ``seconds`` (Adobe asked every caller to wait that long)."""
        with self._lock:
            self.holds += 1
            self._open_at = max(self._open_at, self._clock() + max(0.0, seconds))
        logger.info("Adobe rate limit: every request of this client waits %.2f s", seconds)

    def remaining(self) -> float:
        """Seconds until the gate opens (0 when open)."""
        with self._lock:
            return max(0.0, self._open_at - self._clock())

    def wait(self) -> float:
        """Wait while the gate is held; return the seconds waited."""
        waited = 0.0
        seen: float | None = None
        while True:
            with self._lock:
                open_at = self._open_at
                remaining = open_at - self._clock()
            # `seen`: a sleep that does not advance the clock (a test's) must not loop forever.
            if remaining <= 0 or open_at == seen:
                break
            seen = open_at
            self._sleep(remaining)
            waited += remaining
        if waited:
            with self._lock:
                self.waited += waited
        return waited

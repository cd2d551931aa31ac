"""The simulated clock: Adobe's "now" as the simulator sees it.

Everything time-dependent inside the simulator (job lifecycles, token lifetimes, date-window
rules, incident histories) reads this clock, never the wall clock, so a test can move Adobe a day
ahead with one control call. Times are float seconds since the epoch (UTC) internally; they are
formatted only at the HTTP boundary.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime

logger = logging.getLogger(__name__)


def floor_to_second(ts: float) -> float:
    return float(int(ts))


class SimClock:
    """A clock that starts at `start`, can be advanced, and may or may not tick with real time.

    A frozen clock only moves when advanced (deterministic tests). A ticking clock also follows
    real elapsed time, so a demo's jobs progress on their own.
    """

    def __init__(self, *, start: float | None = None, frozen: bool = False) -> None:
        self._lock = threading.Lock()
        self.start = floor_to_second(time.time() if start is None else start)
        self.frozen = frozen
        self._initial_frozen = frozen
        self._offset = 0.0
        self._anchor = time.monotonic()

    def now(self) -> float:
        with self._lock:
            return self._now_locked()

    def _now_locked(self) -> float:
        elapsed = 0.0 if self.frozen else time.monotonic() - self._anchor
        return self.start + self._offset + elapsed

    def advance(self, seconds: float) -> float:
        """Move the clock forward (or back, with a negative value); return the new now."""
        with self._lock:
            self._offset += seconds
            return self._now_locked()

    def set_frozen(self, frozen: bool) -> None:
        # Re-base so that switching modes does not make the clock jump.
        with self._lock:
            current = self._now_locked()
            self.frozen = frozen
            self._anchor = time.monotonic()
            self._offset = current - self.start

    def reset(self) -> None:
        with self._lock:
            self.frozen = self._initial_frozen
            self._offset = 0.0
            self._anchor = time.monotonic()

    def describe(self) -> dict[str, object]:
        now = self.now()
        return {
            "now": iso(now),
            "now_epoch": now,
            "start": iso(self.start),
            "offset_seconds": now - self.start,
            "frozen": self.frozen,
        }


def iso(ts: float) -> str:
    """ISO 8601 UTC with a Z, to the second (for the control API)."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> float:
    """Parse an ISO 8601 instant; naive values are taken as UTC."""
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def adobe_date(ts: float) -> str:
    """Privacy Service's date format: `04/29/2021 09:53 PM GMT`."""
    return time.strftime("%m/%d/%Y %I:%M %p GMT", time.gmtime(ts))


def iso_local(ts: float) -> str:
    """Status API's undocumented string format, as in its SubscriptionAPI example."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts))


def day_start(ts: float) -> float:
    """Midnight UTC of the day containing `ts`."""
    return float(int(ts // 86400) * 86400)

"""Request counters, so tests and benchmarks can assert what a behaviour costs in calls.

Counted per route ("METHOD /template"), with the status codes returned, plus IMS token
issuances per organization and grant. Control API calls are never counted.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter, defaultdict
from typing import Any

logger = logging.getLogger(__name__)


class Counters:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: Counter[str] = Counter()
        self._statuses: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self._orgs: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self._tokens: defaultdict[str, Counter[str]] = defaultdict(Counter)

    def count_request(self, route: str, org: str | None) -> None:
        """Count a request as it arrives (a slow one is counted before its client gives up)."""
        with self._lock:
            self._requests[route] += 1
            if org:
                self._orgs[org][route] += 1

    def count_status(self, route: str, status: int | str) -> None:
        """Record what a request was answered (or "dropped"), once it is answered."""
        with self._lock:
            self._statuses[route][str(status)] += 1

    def count_token(self, org: str, grant: str) -> None:
        with self._lock:
            self._tokens[org][grant] += 1

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._statuses.clear()
            self._orgs.clear()
            self._tokens.clear()

    def as_json(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total": sum(self._requests.values()),
                "endpoints": dict(sorted(self._requests.items())),
                "statuses": {route: dict(c) for route, c in sorted(self._statuses.items())},
                "by_org": {org: dict(c) for org, c in sorted(self._orgs.items())},
                "token_issuances": {
                    org: {**dict(c), "total": sum(c.values())}
                    for org, c in sorted(self._tokens.items())
                },
            }

"""Adobe Status events: incidents and maintenances, generated from the seed, on the clock.

An event is a list of timed history entries; what the API shows is the part of that history
that has happened by "now". So an incident opened an hour in the simulated future appears when
the clock gets there, and a maintenance moves Scheduled -> Started -> Completed by itself.
The control API adds events and appends entries (updates, closing); `reset` drops both.
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass, field

from simulator.status_registry import PRODUCTS, REGIONS

logger = logging.getLogger(__name__)

HOUR = 3600.0
DAY = 86400.0
HISTORY_DAYS = 40  # "events from the past 40 days"
SEVERITIES = ("Major", "Minor", "Potential", "Trivial")

# The demo's scripted incident (`python -m simulator --demo`, as `make run` starts it): on a
# product the demo organizations watch (Adobe Experience Platform; see the demo in Lookout's
# dashboard/services/demo.py), opened two minutes after the start, so that within minutes of
# `make run` Lookout shows a new incident on a watched product; updated a few minutes later and
# closed later still. Its entries are timed like every other event's, so the simulated clock
# (and `/_simulator/clock/advance`) plays it, and `reset` plays it again.
DEMO_INCIDENT_ID = "890001"
DEMO_INCIDENT_PRODUCT = "503463"
DEMO_INCIDENT_SCRIPT: tuple[tuple[float, str, str], ...] = (
    # (seconds after the start, status, message token suffix)
    (120.0, "Opened", "CM0001001"),  # Investigating issue
    (480.0, "Opened", "CM0001002"),  # Issue identified
    (1320.0, "Closed", "CM0001004"),  # Issue resolved
)


@dataclass
class Entry:
    """One history entry of an incident (status Discovery/Opened/Closed/Dismissed)."""

    at: float
    status: str
    severity: str
    token: str  # message catalogue suffix, e.g. "CM0001001" or "CUSTOM3"
    message_type: str = "Canned"


@dataclass
class Incident:
    id: str
    product_ids: tuple[str, ...]
    region_ids: tuple[str, ...]
    entries: list[Entry]
    generated: bool = True

    def visible(self, now: float) -> list[Entry]:
        return [entry for entry in self.entries if entry.at <= now]

    def is_open(self, now: float) -> bool:
        seen = self.visible(now)
        return bool(seen) and seen[-1].status not in ("Closed", "Dismissed")

    def span(self, now: float) -> tuple[float, float] | None:
        seen = self.visible(now)
        if not seen:
            return None
        return seen[0].at, (seen[-1].at if not self.is_open(now) else now)


@dataclass
class Maintenance:
    id: str
    product_ids: tuple[str, ...]
    region_ids: tuple[str, ...]
    kind: str  # maintenanceType: Normal, Scheduled, Urgent
    announced_at: float
    start_at: float
    end_at: float
    cancelled_at: float | None = None
    token: str = "CM0002001"  # noqa: S105 (a message token, not a secret)
    generated: bool = True

    def status(self, now: float) -> str | None:
        if now < self.announced_at:
            return None
        if self.cancelled_at is not None and self.cancelled_at <= now:
            return "Canceled"
        if now < self.start_at:
            return "Scheduled"
        if now < self.end_at:
            return "Started"
        return "Completed"

    def history(self, now: float) -> list[tuple[float, str, str]]:
        """(time, status, message token suffix) entries that have happened."""
        steps = [(self.announced_at, "Scheduled", self.token)]
        if self.cancelled_at is not None:
            steps.append((self.cancelled_at, "Cancelled", "CM0002004"))
        else:
            steps += [
                (self.start_at, "Started", "CM0002002"),
                (self.end_at, "Completed", "CM0002003"),
            ]
        return [step for step in steps if step[0] <= now]


@dataclass
class StatusData:
    seed: int
    now: float
    count: int
    demo: bool = False
    incidents: list[Incident] = field(default_factory=list)
    maintenances: list[Maintenance] = field(default_factory=list)
    custom_messages: dict[str, tuple[str, str]] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    _next_id: int = 0

    def __post_init__(self) -> None:
        self._generate()

    def _generate(self) -> None:
        rng = random.Random(f"status:{self.seed}")
        product_ids = list(PRODUCTS)
        self.incidents = [
            _generate_incident(rng, f"{870001 + i}", product_ids, self.now, ongoing=i % 4 == 0)
            for i in range(self.count)
        ]
        self.maintenances = [
            _generate_maintenance(rng, f"{930001 + i}", product_ids, self.now, phase=i % 3)
            for i in range(max(3, self.count // 2))
        ]
        if self.demo:
            self.incidents.append(_demo_incident(self.now))
        self.custom_messages = {}
        self._next_id = 0

    def reset(self) -> None:
        with self.lock:
            self._generate()

    def new_id(self, base: int) -> str:
        with self.lock:
            self._next_id += 1
            return str(base + self._next_id)

    def add_custom_message(self, prefix: str, title: str, text: str) -> str:
        with self.lock:
            suffix = f"{prefix}{len(self.custom_messages) + 1}"
            self.custom_messages[suffix] = (title, text)
            return suffix

    def incident(self, incident_id: str) -> Incident | None:
        return next((i for i in self.incidents if i.id == incident_id), None)

    def maintenance(self, maintenance_id: str) -> Maintenance | None:
        return next((m for m in self.maintenances if m.id == maintenance_id), None)


def _pick_products(rng: random.Random, product_ids: list[str]) -> tuple[str, ...]:
    first = rng.choice(product_ids)
    same_cloud = [p for p in product_ids if PRODUCTS[p].cloud_id == PRODUCTS[first].cloud_id]
    chosen = [first]
    if rng.random() < 0.3:
        other = rng.choice(same_cloud)
        if other != first:
            chosen.append(other)
    return tuple(chosen)


def _pick_regions(rng: random.Random, products: tuple[str, ...]) -> tuple[str, ...]:
    available = sorted({r for p in products for r in PRODUCTS[p].region_ids})
    return tuple(sorted(rng.sample(available, k=min(len(available), 1 + rng.randrange(3)))))


def _generate_incident(
    rng: random.Random, incident_id: str, product_ids: list[str], now: float, *, ongoing: bool
) -> Incident:
    products = _pick_products(rng, product_ids)
    severity = rng.choices(SEVERITIES, weights=(2, 5, 2, 1))[0]
    start = now - (
        rng.uniform(0.5, 30) * HOUR if ongoing else rng.uniform(1, HISTORY_DAYS - 2) * DAY
    )
    at = float(int(start))
    entries = []
    if rng.random() < 0.4:
        entries.append(Entry(at, "Discovery", "Potential", "CM0001001"))
        at += rng.randrange(300, 1800)
    entries.append(Entry(at, "Opened", severity, rng.choice(("CM0001001", "CM0001005"))))
    for token in ("CM0001002", "CM0001003")[: rng.randrange(3)]:
        at += rng.randrange(1200, 4 * 3600)
        if at >= now and ongoing:
            break
        entries.append(Entry(at, "Opened", severity, token))
    if not ongoing:
        at += rng.randrange(1800, 6 * 3600)
        dismissed = rng.random() < 0.1
        entries.append(
            Entry(
                at,
                "Dismissed" if dismissed else "Closed",
                severity,
                "CM0001006" if dismissed else "CM0001004",
            )
        )
    return Incident(
        id=incident_id,
        product_ids=products,
        region_ids=_pick_regions(rng, products),
        entries=entries,
    )


def _demo_incident(start: float) -> Incident:
    return Incident(
        id=DEMO_INCIDENT_ID,
        product_ids=(DEMO_INCIDENT_PRODUCT,),
        region_ids=PRODUCTS[DEMO_INCIDENT_PRODUCT].region_ids[:2],
        entries=[
            Entry(float(int(start + offset)), status, "Major", token)
            for offset, status, token in DEMO_INCIDENT_SCRIPT
        ],
    )


def _generate_maintenance(
    rng: random.Random, maintenance_id: str, product_ids: list[str], now: float, *, phase: int
) -> Maintenance:
    products = _pick_products(rng, product_ids)
    if phase == 0:  # completed, in the past
        start = now - rng.uniform(1, HISTORY_DAYS - 5) * DAY
    elif phase == 1:  # scheduled, ahead, already announced
        start = now + rng.uniform(0.5, 5) * DAY
    else:  # under way
        start = now - rng.uniform(0.2, 1.5) * HOUR
    start = float(int(start // 900 * 900))  # maintenances start on the quarter hour
    duration = rng.choice((1, 2, 4)) * HOUR
    return Maintenance(
        id=maintenance_id,
        product_ids=products,
        region_ids=_pick_regions(rng, products),
        kind=rng.choice(("Normal", "Scheduled", "Urgent")) if phase != 1 else "Scheduled",
        announced_at=min(start - rng.uniform(3, 7) * DAY, now - HOUR),
        start_at=start,
        end_at=start + (duration if phase != 2 else max(duration, 3 * HOUR)),
    )


__all__ = [
    "DAY",
    "DEMO_INCIDENT_ID",
    "DEMO_INCIDENT_PRODUCT",
    "HISTORY_DAYS",
    "REGIONS",
    "Entry",
    "Incident",
    "Maintenance",
    "StatusData",
]

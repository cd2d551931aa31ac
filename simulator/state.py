"""Everything the simulator holds, in one object that `reset` puts back as generated."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from simulator.clock import SimClock
from simulator.counters import Counters
from simulator.data import generate_jobs, job_details, job_summary
from simulator.faults import Faults
from simulator.gateway import Throttle
from simulator.jobs import Job, JobDetails, JobStore, JobSummary
from simulator.orgs import Organization, generate_orgs
from simulator.status_data import StatusData
from simulator.tokens import TokenStore

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Config:
    seed: int = 1
    orgs: int = 3
    jobs_per_org: int = 2000
    incidents: int = 12
    start: float | None = None  # epoch seconds; None: now, floored to the second
    frozen: bool = False
    future_days: float = 0  # keep generating arrivals for this many days after the start
    demo: bool = False  # `make run`'s scripted events (status_data.DEMO_INCIDENT_SCRIPT)


class SimulatorState:
    def __init__(self, config: Config) -> None:
        started = time.perf_counter()
        self.config = config
        self.clock = SimClock(start=config.start, frozen=config.frozen)
        self.orgs: list[Organization] = generate_orgs(seed=config.seed, count=config.orgs)
        self._orgs_by_id = {org.ims_org_id: org for org in self.orgs}
        self._orgs_by_client = {org.client_id: org for org in self.orgs}
        self.jobs = JobStore(len(self.orgs))
        self.jobs.load_generated(
            [
                generate_jobs(
                    seed=config.seed,
                    org=org.index,
                    count=config.jobs_per_org,
                    now=self.clock.start,
                    future_days=config.future_days,
                )
                for org in self.orgs
            ]
        )
        self.status = StatusData(
            seed=config.seed, now=self.clock.start, count=config.incidents, demo=config.demo
        )
        self.tokens = TokenStore()
        self.faults = Faults()
        self.counters = Counters()
        self.throttle = Throttle()
        self.public_urls: set[str] = set()  # the server's own URLs, for JWT `aud` checks
        self._lock = threading.Lock()
        self._sequence = itertools.count(1)
        self._used_jti: set[tuple[str, str]] = set()
        self.consents: list[dict[str, Any]] = []
        self.generation = 0
        logger.info(
            "simulator data generated in %.2f s (%s orgs x %s jobs)",
            time.perf_counter() - started,
            config.orgs,
            config.jobs_per_org,
        )

    def org_by_id(self, ims_org_id: str) -> Organization | None:
        return self._orgs_by_id.get(ims_org_id)

    def org_by_client_id(self, client_id: str) -> Organization | None:
        return self._orgs_by_client.get(client_id)

    def org_ref(self, value: str) -> Organization | None:
        """An organization by IMS org id, client id or index (the control API accepts each)."""
        if value.isdigit() and int(value) < len(self.orgs):
            return self.orgs[int(value)]
        return self.org_by_id(value) or self.org_by_client_id(value)

    def details(self, job: Job, org: Organization) -> JobDetails:
        return job_details(job, org)

    def summary(self, job: Job, org: Organization) -> JobSummary:
        return job_summary(job, org)

    def next_sequence(self) -> int:
        with self._lock:
            return next(self._sequence)

    def use_jti(self, client_id: str, jti: str) -> bool:
        """Record a JWT id; False if this integration used it before."""
        with self._lock:
            if (client_id, jti) in self._used_jti:
                return False
            self._used_jti.add((client_id, jti))
            return True

    def record_consent(self, ims_org_id: str, body: dict[str, Any]) -> None:
        with self._lock:
            self.consents.append({"ims_org_id": ims_org_id, "at": self.clock.now(), **body})

    def reset(self) -> None:
        """Faults off, counters zero, clock back to start, generated data restored."""
        self.generation += 1  # requests still in a `slow` fault's sleep are dropped
        self.faults.clear()
        self.counters.reset()
        self.clock.reset()
        self.tokens.reset()
        self.throttle.reset()
        self.jobs.reset()
        self.status.reset()
        for org in self.orgs:
            org.reset()
        with self._lock:
            self._sequence = itertools.count(1)
            self._used_jti.clear()
            self.consents.clear()
        logger.info("simulator reset")

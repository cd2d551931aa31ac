"""Typed, immutable Adobe Status events (incidents, maintenances) and their parsers.

Times arrive as ISO strings or epoch seconds or milliseconds (undocumented): all are read as aware
UTC datetimes. An incident's timeline is its products' ``history`` ordered by ``messageTime``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adobe import _parse as p
from adobe.models.status import Named, named_list, objects

logger = logging.getLogger(__name__)

SEVERITY_ORDER = ("None", "Trivial", "Potential", "Minor", "Major")


@dataclass(frozen=True, slots=True)
class LocationImpact:
    environment_ids: tuple[str, ...] = ()
    region_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ServiceImpact:
    capability_ids: tuple[str, ...] = ()
    offering_ids: tuple[str, ...] = ()
    service_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EventUpdate:
    """One entry of a product's ``history`` (incident or maintenance)."""

    id: str | None
    status: str | None
    message_time: datetime | None
    message_token: str | None
    title_token: str | None
    message_type: str | None = None
    severity: str | None = None
    customer_impact: str | None = None
    operations_impact: str | None = None
    show_environment: bool | None = None
    cfs_id: str | None = None
    cfs_source: str | None = None
    cfs_url: str | None = None
    location_impact: LocationImpact = LocationImpact()
    service_impact: ServiceImpact = ServiceImpact()


@dataclass(frozen=True, slots=True)
class EventProduct:
    id: str
    name: str | None
    history: tuple[EventUpdate, ...]
    severity: str | None = None
    status: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class EventScope:
    """Where an event applies: clouds, environments, offerings, regions, services."""

    clouds: tuple[Named, ...] = ()
    environments: tuple[Named, ...] = ()
    offerings: tuple[Named, ...] = ()
    regions: tuple[Named, ...] = ()
    services: tuple[Named, ...] = ()


@dataclass(frozen=True, slots=True)
class Incident:
    id: str
    products: tuple[EventProduct, ...]
    scope: EventScope

    @property
    def severity(self) -> str | None:
        """The worst severity among the incident's products."""
        known = [prod.severity for prod in self.products if prod.severity in SEVERITY_ORDER]
        return max(known, key=SEVERITY_ORDER.index) if known else None

    @property
    def timeline(self) -> tuple[EventUpdate, ...]:
        """Every product's history, ordered by ``messageTime`` (undated entries last)."""
        updates = [update for prod in self.products for update in prod.history]
        return tuple(sorted(updates, key=_update_order))


@dataclass(frozen=True, slots=True)
class Maintenance:
    id: str
    products: tuple[EventProduct, ...]
    scope: EventScope
    maintenance_type: str | None = None
    status: str | None = None
    scheduled_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    reminders: tuple[datetime, ...] = ()


@dataclass(frozen=True, slots=True)
class Events:
    incidents: tuple[Incident, ...]
    maintenances: tuple[Maintenance, ...]


def parse_incidents(data: Any) -> tuple[Incident, ...]:
    return tuple(_incident(item, path) for path, item in objects(data))


def parse_maintenances(data: Any) -> tuple[Maintenance, ...]:
    return tuple(_maintenance(item, path) for path, item in objects(data))


def parse_events(data: Any) -> Events:
    body = p.obj(data, "")
    return Events(
        incidents=tuple(
            _incident(i, path)
            for path, i in objects(p.opt_list(body, "incidents", ""), "incidents")
        ),
        maintenances=tuple(
            _maintenance(m, path)
            for path, m in objects(p.opt_list(body, "maintenances", ""), "maintenances")
        ),
    )


def _incident(item: Mapping[str, Any], path: str) -> Incident:
    return Incident(
        id=p.req_id(item, "id", path),
        products=tuple(
            _event_product(prod, pp)
            for pp, prod in objects(p.opt_list(item, "products", path), p.join(path, "products"))
        ),
        scope=_scope(item, path),
    )


def _maintenance(item: Mapping[str, Any], path: str) -> Maintenance:
    reminders_path = p.join(path, "reminderDate")
    return Maintenance(
        id=p.req_id(item, "id", path),
        products=tuple(
            _event_product(prod, pp)
            for pp, prod in objects(p.opt_list(item, "products", path), p.join(path, "products"))
        ),
        scope=_scope(item, path),
        maintenance_type=p.opt_str(item, "maintenanceType", path) or p.opt_str(item, "type", path),
        status=p.opt_str(item, "status", path),
        scheduled_at=p.opt_datetime(item, "scheduledDate", path),
        started_at=p.opt_datetime(item, "startedOn", path),
        completed_at=p.opt_datetime(item, "completedOn", path),
        reminders=tuple(
            p.as_datetime(value, p.join(reminders_path, i))
            for i, value in enumerate(p.opt_list(item, "reminderDate", path))
        ),
    )


def _event_product(item: Mapping[str, Any], path: str) -> EventProduct:
    history = p.opt_list(item, "history", path)
    return EventProduct(
        id=p.req_id(item, "id", path),
        name=p.opt_str(item, "name", path),
        severity=p.opt_str(item, "severity", path),
        status=p.opt_str(item, "status", path),
        started_at=p.opt_datetime(item, "startedOn", path),
        ended_at=p.opt_datetime(item, "endedOn", path),
        history=tuple(_update(u, up) for up, u in objects(history, p.join(path, "history"))),
    )


def _update(item: Mapping[str, Any], path: str) -> EventUpdate:
    location = p.opt_obj(item, "locationImpact", path) or {}
    service = p.opt_obj(item, "serviceImpact", path) or {}
    lp, sp = p.join(path, "locationImpact"), p.join(path, "serviceImpact")
    return EventUpdate(
        id=p.opt_id(item, "id", path),
        status=p.opt_str(item, "status", path),
        message_time=p.opt_datetime(item, "messageTime", path),
        message_token=p.opt_str(item, "messageToken", path),
        title_token=p.opt_str(item, "titleToken", path),
        message_type=p.opt_str(item, "messageType", path),
        severity=p.opt_str(item, "severity", path),
        customer_impact=p.opt_str(item, "customerImpact", path),
        operations_impact=p.opt_str(item, "operationsImpact", path),
        show_environment=p.opt_bool(item, "showEnvironment", path),
        cfs_id=p.opt_id(item, "cfsId", path),
        cfs_source=p.opt_str(item, "cfsSource", path),
        cfs_url=p.opt_str(item, "cfsURL", path),
        location_impact=LocationImpact(
            environment_ids=p.str_tuple(location, "serviceEnvironments", lp),
            region_ids=p.str_tuple(location, "serviceRegions", lp),
        ),
        service_impact=ServiceImpact(
            capability_ids=p.str_tuple(service, "productCapabilities", sp),
            offering_ids=p.str_tuple(service, "productOfferings", sp),
            service_ids=p.str_tuple(service, "productServices", sp),
        ),
    )


def _scope(item: Mapping[str, Any], path: str) -> EventScope:
    # The Dto spells these singular (environment, offering, region); the raw model plural.
    def pick(*keys: str) -> tuple[Named, ...]:
        for key in keys:
            if item.get(key) is not None:
                return named_list(item, key, path)
        return ()

    return EventScope(
        clouds=pick("clouds"),
        environments=pick("environment", "environments"),
        offerings=pick("offering", "offerings"),
        regions=pick("region", "regions"),
        services=pick("services"),
    )


def _update_order(update: EventUpdate) -> tuple[int, float]:
    when = update.message_time
    return (0, when.timestamp()) if when else (1, 0.0)

"""The four Status event endpoints and their filters (adobe-api.md 3.5).

Filters: `cloudIds`, `environmentIds`, `offeringIds`, `productIds`, `regionIds`, `serviceIds`
(repeated keys or comma lists), `search` (product name), `from`/`to` (yyyy-MM-dd, 400 if not),
and from the SubscriptionAPI branch `status`, `eventTypes`, `locale` (accepted; the catalogue
is resolved through /messages) and `updateStart`/`updateEnd` (epoch, seconds or milliseconds).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from simulator.status import Times, event_context, incident_dto, maintenance_dto
from simulator.status_data import DAY, HISTORY_DAYS, Incident, Maintenance
from simulator.status_registry import PRODUCTS
from simulator.tokens import TokenRecord
from simulator.web import Request, Response, gateway_error, json_response

if TYPE_CHECKING:
    from simulator.state import SimulatorState

logger = logging.getLogger(__name__)

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ID_FILTERS = {
    "cloudIds": "clouds",
    "environmentIds": "environment",
    "offeringIds": "offering",
    "regionIds": "region",
    "serviceIds": "services",
}


@dataclass
class EventQuery:
    ids: dict[str, list[str]]
    product_ids: list[str]
    search: str | None
    since: float | None
    until: float | None
    status: list[str]
    update_range: tuple[float, float] | None

    @property
    def windowed(self) -> bool:
        return self.since is not None or self.until is not None

    def matches(self, product_ids: tuple[str, ...], region_ids: tuple[str, ...]) -> bool:
        if self.product_ids and not set(self.product_ids) & set(product_ids):
            return False
        if self.search and not any(
            self.search.lower() in PRODUCTS[p].name.lower() for p in product_ids
        ):
            return False
        context = event_context(product_ids, region_ids)
        for param, key in _ID_FILTERS.items():
            wanted = self.ids.get(param)
            if wanted and not {str(item["id"]) for item in context[key]} & set(wanted):
                return False
        return True

    def overlaps(self, start: float, end: float) -> bool:
        since = self.since if self.since is not None else float("-inf")
        until = self.until if self.until is not None else float("inf")
        return start < until and end >= since

    def updated(self, times: list[float]) -> bool:
        if self.update_range is None:
            return True
        low, high = self.update_range
        return any(low <= t <= high for t in times)


def _parse_day(name: str, value: str | None) -> float | Response | None:
    if value is None:
        return None
    try:
        if not _DATE.match(value):
            raise ValueError(value)
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return gateway_error(400, "400001", f"Invalid value for '{name}': use yyyy-MM-dd")


def _epoch(value: str | None) -> float | None:
    if value is None or not value.strip().isdigit():
        return None
    number = float(value)
    return number / 1000 if number > 1e11 else number  # milliseconds or seconds


def _query(request: Request) -> EventQuery | Response:
    since = _parse_day("from", request.arg("from"))
    if isinstance(since, Response):
        return since
    until = _parse_day("to", request.arg("to"))
    if isinstance(until, Response):
        return until
    low, high = _epoch(request.arg("updateStart")), _epoch(request.arg("updateEnd"))
    return EventQuery(
        ids={param: request.args(param) for param in _ID_FILTERS},
        product_ids=request.args("productIds"),
        search=request.arg("search"),
        since=since,
        until=None if until is None else until + DAY,
        status=[s.lower() for s in request.args("status")],
        update_range=None
        if low is None and high is None
        else (low or float("-inf"), high or float("inf")),
    )


def _incidents(state: SimulatorState, query: EventQuery, now: float, times: Times) -> list[object]:
    oldest = now - HISTORY_DAYS * DAY
    out = []
    with state.status.lock:
        incidents: list[Incident] = list(state.status.incidents)
    for incident in incidents:
        span = incident.span(now)
        if span is None or span[1] < oldest:
            continue
        if query.windowed:
            if not query.overlaps(*span):
                continue
        elif not incident.is_open(now):
            continue
        status = "opened" if incident.is_open(now) else "closed"
        if query.status and status not in query.status:
            continue
        if not query.updated([e.at for e in incident.visible(now)]):
            continue
        if query.matches(incident.product_ids, incident.region_ids):
            out.append(incident_dto(incident, now, times))
    return out


def _maintenances(
    state: SimulatorState, query: EventQuery, now: float, times: Times, *, scheduled: bool
) -> list[object]:
    oldest = now - HISTORY_DAYS * DAY
    out = []
    with state.status.lock:
        maintenances: list[Maintenance] = list(state.status.maintenances)
    for m in maintenances:
        status = m.status(now)
        if status is None or m.end_at < oldest:
            continue
        if scheduled:
            if status != "Scheduled" or (
                query.windowed and not query.overlaps(m.start_at, m.end_at)
            ):
                continue
        elif query.windowed:
            if not query.overlaps(m.start_at, m.end_at) or status == "Scheduled":
                continue
        elif status != "Started":
            continue
        if query.status and status.lower() not in query.status:
            continue
        if not query.updated([at for at, _s, _t in m.history(now)]):
            continue
        if query.matches(m.product_ids, m.region_ids):
            out.append(maintenance_dto(m, now, times))
    return out


def _prepare(request: Request, state: SimulatorState) -> tuple[EventQuery, float, Times] | Response:
    query = _query(request)
    if isinstance(query, Response):
        return query
    mode = state.faults.switch(request, None, "status_times")
    return query, state.clock.now(), Times(mode)


def events(request: Request, state: SimulatorState, token: TokenRecord) -> Response:
    prepared = _prepare(request, state)
    if isinstance(prepared, Response):
        return prepared
    query, now, times = prepared
    types = {t.lower() for t in request.args("eventTypes")}
    return json_response(
        200,
        {
            "incidents": _incidents(state, query, now, times)
            if not types or "incident" in types
            else [],
            "maintenances": _maintenances(state, query, now, times, scheduled=False)
            if not types or "maintenance" in types
            else [],
        },
    )


def incidents(request: Request, state: SimulatorState, token: TokenRecord) -> Response:
    prepared = _prepare(request, state)
    if isinstance(prepared, Response):
        return prepared
    return json_response(200, _incidents(state, *prepared))


def maintenance(request: Request, state: SimulatorState, token: TokenRecord) -> Response:
    prepared = _prepare(request, state)
    if isinstance(prepared, Response):
        return prepared
    return json_response(200, _maintenances(state, *prepared, scheduled=False))


def scheduled(request: Request, state: SimulatorState, token: TokenRecord) -> Response:
    prepared = _prepare(request, state)
    if isinstance(prepared, Response):
        return prepared
    return json_response(200, _maintenances(state, *prepared, scheduled=True))

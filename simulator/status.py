"""Adobe Status API endpoints (adobe-api.md 3.5 and 3.6): registry, messages and events.

Events without `from`/`to` are the ongoing ones; with them, every event of the window (only the
last 40 days are kept). Array filters take repeated keys and comma lists. Times follow the spec
(strings in the Dtos, epoch seconds in maintenance history) unless the `status_times` switch
says otherwise.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from simulator.clock import iso_local
from simulator.status_data import DAY, Incident, Maintenance
from simulator.status_registry import (
    EVENT_TYPES,
    LOCALES,
    PRODUCTS,
    REGIONS,
    clouds_json,
    messages_for,
)
from simulator.tokens import TokenRecord
from simulator.web import Request, Response, gateway_error, json_response

if TYPE_CHECKING:
    from simulator.state import SimulatorState

logger = logging.getLogger(__name__)

_REGION_NAMES = dict(REGIONS)


def _contains(needle: str | None, haystack: str) -> bool:
    return needle is None or needle.lower() in haystack.lower()


def clouds(request: Request, state: SimulatorState, token: TokenRecord) -> Response:
    ids, name = request.args("cloudId"), request.arg("cloudName")
    items = [
        c for c in clouds_json() if (not ids or c["id"] in ids) and _contains(name, str(c["name"]))
    ]
    return json_response(200, items)


def products(request: Request, state: SimulatorState, token: TokenRecord) -> Response:
    cloud_ids, product_ids = request.args("cloudId"), request.args("productId")
    name = request.arg("productName")
    items = [
        p.as_json()
        for p in PRODUCTS.values()
        if (not cloud_ids or p.cloud_id in cloud_ids)
        and (not product_ids or p.id in product_ids)
        and _contains(name, p.name)
    ]
    return json_response(200, items)


def event_types(request: Request, state: SimulatorState, token: TokenRecord) -> Response:
    return json_response(200, EVENT_TYPES)


def regions(request: Request, state: SimulatorState, token: TokenRecord) -> Response:
    return json_response(200, [{"id": rid, "name": name} for rid, name in REGIONS])


def locales(request: Request, state: SimulatorState, token: TokenRecord) -> Response:
    return json_response(200, [{"languageName": n, "localeCode": c} for c, n in LOCALES])


def _filter_token(dto: dict[str, Any], token: str | None) -> dict[str, Any]:
    if token is None:
        return dto
    for key in ("incidentMessages", "maintenanceMessages"):
        dto[key] = {k: v for k, v in dto[key].items() if k == token}
    return dto


def messages(request: Request, state: SimulatorState, token: TokenRecord) -> Response:
    custom = dict(state.status.custom_messages)
    wanted = request.arg("messageToken")
    return json_response(200, [_filter_token(messages_for(c, custom), wanted) for c, _ in LOCALES])


def messages_locale(request: Request, state: SimulatorState, token: TokenRecord) -> Response:
    # "en-US" and "en_US" resolve to "en": the catalogue is per language.
    locale = re.split(r"[-_]", request.params["locale"])[0].lower()
    if locale not in dict(LOCALES):
        return gateway_error(404, "404001", f"Locale {request.params['locale']} is not supported")
    dto = messages_for(locale, dict(state.status.custom_messages))
    return json_response(200, [_filter_token(dto, request.arg("messageToken"))])


class Times:
    """How times are written, per the `status_times` switch."""

    def __init__(self, mode: str) -> None:
        self.mode = mode

    def __call__(self, ts: float | None, *, spec_int: bool = False) -> object:
        if ts is None:
            return None
        if self.mode == "epoch_s" or (self.mode == "spec" and spec_int):
            return int(ts)
        if self.mode == "epoch_ms":
            return int(ts * 1000)
        return iso_local(ts)


def event_context(product_ids: tuple[str, ...], region_ids: tuple[str, ...]) -> dict[str, Any]:
    """The flattened registry arrays every event Dto carries."""
    prods = [PRODUCTS[p] for p in product_ids]
    by_cloud: dict[str, dict[str, Any]] = {}
    for p in prods:
        cloud = by_cloud.setdefault(
            p.cloud_id, {"id": p.cloud_id, "name": p.cloud_name, "cloudProducts": []}
        )
        cloud["cloudProducts"].append(p.id)
    return {
        "clouds": list(by_cloud.values()),
        "environment": [
            {"id": e["id"], "name": e["name"], "serviceRegions": list(region_ids)}
            for p in prods
            for e in p.environments[:1]
        ],
        "offering": [dict(o) for p in prods for o in p.offerings[:1]],
        "region": [{"id": r, "name": _REGION_NAMES[r]} for r in region_ids],
        "services": [dict(s) for p in prods for s in p.services],
    }


def _impacts(product_ids: tuple[str, ...], region_ids: tuple[str, ...]) -> dict[str, object]:
    prods = [PRODUCTS[p] for p in product_ids]
    return {
        "locationImpact": {
            "serviceEnvironments": [str(p.environments[0]["id"]) for p in prods],
            "serviceRegions": list(region_ids),
        },
        "serviceImpact": {
            "productCapabilities": [],
            "productOfferings": [str(p.offerings[0]["id"]) for p in prods],
            "productServices": [str(s["id"]) for p in prods for s in p.services],
        },
    }


def incident_dto(incident: Incident, now: float, times: Times) -> dict[str, object]:
    seen = incident.visible(now)
    closed = not incident.is_open(now)
    impacts = _impacts(incident.product_ids, incident.region_ids)
    products_out = []
    for pid in incident.product_ids:
        history = [
            {
                "id": f"{incident.id}-{pid}-{n}",
                "cfsId": "",
                "cfsSource": "",
                "cfsURL": "",
                "customerImpact": "None"
                if e.status in ("Closed", "Dismissed")
                else _impact(e.severity),
                "operationsImpact": _operations(e.severity),
                "severity": e.severity,
                "status": e.status,
                "messageType": e.message_type,
                "messageTime": times(e.at),
                "messageToken": f"message.{e.token}",
                "titleToken": f"title.{e.token}",
                "showEnvironment": False,
                **impacts,
            }
            for n, e in enumerate(seen, start=1)
        ]
        products_out.append(
            {
                "id": pid,
                "name": PRODUCTS[pid].name,
                "startedOn": times(seen[0].at),
                "endedOn": times(seen[-1].at) if closed else None,
                "severity": seen[-1].severity,
                "status": "Closed" if closed else "Opened",
                "history": history,
            }
        )
    return {
        "id": incident.id,
        **event_context(incident.product_ids, incident.region_ids),
        "products": products_out,
    }


def _impact(severity: str) -> str:
    return {"Major": "Most", "Minor": "Some", "Potential": "Unknown"}.get(severity, "None")


def _operations(severity: str) -> str:
    return {"Major": "Availability", "Minor": "Performance", "Potential": "Unknown"}.get(
        severity, "None"
    )


def maintenance_dto(m: Maintenance, now: float, times: Times) -> dict[str, object]:
    impacts = _impacts(m.product_ids, m.region_ids)
    steps = m.history(now)
    products_out = [
        {
            "id": pid,
            "name": PRODUCTS[pid].name,
            "history": [
                {
                    "id": f"{m.id}-{pid}-{n}",
                    "customerImpact": "Some",
                    "operationsImpact": "Availability",
                    "messageType": "Canned",
                    "status": status,
                    "messageTime": times(at, spec_int=True),
                    "messageToken": f"message.{suffix}",
                    "titleToken": f"title.{suffix}",
                    "showEnvironment": False,
                    **impacts,
                }
                for n, (at, status, suffix) in enumerate(steps, start=1)
            ],
        }
        for pid in m.product_ids
    ]
    status = m.status(now)
    return {
        "id": m.id,
        **event_context(m.product_ids, m.region_ids),
        "products": products_out,
        "maintenanceType": m.kind,
        "status": status,
        "scheduledDate": times(m.start_at),
        "startedOn": times(m.start_at) if status in ("Started", "Completed") else None,
        "completedOn": times(m.end_at) if status == "Completed" else None,
        "reminderDate": [times(m.start_at - DAY)],
    }

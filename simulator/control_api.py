"""The control API under `/_simulator/`: the simulator's own endpoints, never Adobe's.

Organizations and credentials, reset, the clock, faults, request counters and tokens live
here; jobs, incidents and maintenances in `simulator.control_data`. The endpoints are listed
with their bodies in `simulator.control` (the Python client) and in simulator/README.md.
Control calls are neither counted nor subject to faults.
"""

from __future__ import annotations

import logging
import random
from typing import TYPE_CHECKING, Any

from simulator.faults import FaultError
from simulator.orgs import Organization, new_secret
from simulator.web import Request, Response, json_response

if TYPE_CHECKING:
    from simulator.state import SimulatorState

logger = logging.getLogger(__name__)


def error(status: int, message: str) -> Response:
    return json_response(status, {"error": message})


def body_of(request: Request) -> dict[str, Any] | Response:
    if not request.body.strip():
        return {}
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        return error(400, "the body must be JSON")
    if not isinstance(body, dict):
        return error(400, "the body must be a JSON object")
    return body


def org_of(state: SimulatorState, value: str | None) -> Organization | Response:
    if value is None:
        return error(400, "an organization (org: IMS org id, client id or index) is required")
    org = state.org_ref(str(value))
    if org is None:
        return error(404, f"no organization {value}")
    return org


def urls(request: Request) -> dict[str, str]:
    base = request.base_url
    return {
        "url": base,
        "ims_url": base,
        "privacy_url": f"{base}/data/core/privacy",
        "status_url": f"{base}/api/v1",
    }


def health(request: Request, state: SimulatorState) -> Response:
    return json_response(200, {"ok": True})


def config(request: Request, state: SimulatorState) -> Response:
    c = state.config
    return json_response(
        200,
        {
            "seed": c.seed,
            "orgs": c.orgs,
            "jobs_per_org": c.jobs_per_org,
            "incidents": c.incidents,
            "demo": c.demo,
            **urls(request),
        },
    )


def reset(request: Request, state: SimulatorState) -> Response:
    state.reset()
    return json_response(200, {"ok": True, "clock": state.clock.describe()})


def orgs(request: Request, state: SimulatorState) -> Response:
    return json_response(200, [org.as_json() for org in state.orgs])


def org_detail(request: Request, state: SimulatorState) -> Response:
    org = org_of(state, request.params["org"])
    return org if isinstance(org, Response) else json_response(200, org.as_json())


def secret_add(request: Request, state: SimulatorState) -> Response:
    """Add a client secret (given, or generated); the existing ones stay valid."""
    org = org_of(state, request.params["org"])
    if isinstance(org, Response):
        return org
    body = body_of(request)
    if isinstance(body, Response):
        return body
    secret = body.get("secret") or new_secret(random.Random())
    if not isinstance(secret, str):
        return error(400, "secret must be a string")
    if secret not in org.client_secrets:
        org.client_secrets.append(secret)
    return json_response(201, {"secret": secret, "client_secrets": list(org.client_secrets)})


def secret_revoke(request: Request, state: SimulatorState) -> Response:
    org = org_of(state, request.params["org"])
    if isinstance(org, Response):
        return org
    body = body_of(request)
    if isinstance(body, Response):
        return body
    secret = body.get("secret")
    if secret not in org.client_secrets:
        return error(404, "that secret is not one of the organization's secrets")
    org.client_secrets.remove(secret)
    return json_response(200, {"client_secrets": list(org.client_secrets)})


def tokens(request: Request, state: SimulatorState) -> Response:
    return json_response(200, state.tokens.as_json(state.clock.now()))


def tokens_revoke(request: Request, state: SimulatorState) -> Response:
    """Revoke one token (`access_token`), an organization's (`org`), or every token."""
    body = body_of(request)
    if isinstance(body, Response):
        return body
    ims_org_id = None
    if body.get("org") is not None:
        org = org_of(state, body["org"])
        if isinstance(org, Response):
            return org
        ims_org_id = org.ims_org_id
    revoked = state.tokens.revoke(ims_org_id=ims_org_id, token=body.get("access_token"))
    return json_response(200, {"revoked": revoked})


def clock(request: Request, state: SimulatorState) -> Response:
    return json_response(200, state.clock.describe())


def clock_set(request: Request, state: SimulatorState) -> Response:
    """Freeze or unfreeze the clock: `{"frozen": true}`."""
    body = body_of(request)
    if isinstance(body, Response):
        return body
    if not isinstance(body.get("frozen"), bool):
        return error(400, "frozen (a boolean) is required")
    state.clock.set_frozen(body["frozen"])
    return json_response(200, state.clock.describe())


def clock_advance(request: Request, state: SimulatorState) -> Response:
    """Advance by `seconds` (and/or `minutes`, `hours`, `days`)."""
    body = body_of(request)
    if isinstance(body, Response):
        return body
    units = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
    given = {k: v for k, v in body.items() if k in units}
    if not given or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in given.values()
    ):
        return error(400, "give a number of seconds (or minutes, hours, days)")
    state.clock.advance(sum(units[k] * v for k, v in given.items()))
    return json_response(200, state.clock.describe())


def faults(request: Request, state: SimulatorState) -> Response:
    return json_response(200, state.faults.as_json())


def fault_add(request: Request, state: SimulatorState) -> Response:
    body = body_of(request)
    if isinstance(body, Response):
        return body
    if body.get("org") is not None:
        org = org_of(state, body["org"])
        if isinstance(org, Response):
            return org
        body["org"] = org.ims_org_id
    try:
        fault = state.faults.add(body)
    except FaultError as exc:
        return error(400, str(exc))
    return json_response(201, fault.as_json())


def fault_remove(request: Request, state: SimulatorState) -> Response:
    fault_id = request.params["fault_id"]
    if not fault_id.isdigit() or not state.faults.remove(int(fault_id)):
        return error(404, f"no fault {fault_id}")
    return json_response(200, {"ok": True})


def faults_clear(request: Request, state: SimulatorState) -> Response:
    state.faults.clear()
    return json_response(200, {"ok": True})


def requests_(request: Request, state: SimulatorState) -> Response:
    return json_response(200, state.counters.as_json())


def requests_reset(request: Request, state: SimulatorState) -> Response:
    state.counters.reset()
    return json_response(200, {"ok": True})


def counts(request: Request, state: SimulatorState) -> Response:
    now = state.clock.now()
    retention = state.faults.current("retention_days")
    with state.status.lock:
        incidents = list(state.status.incidents)
        maintenances = list(state.status.maintenances)
    return json_response(
        200,
        {
            "orgs": {
                org.ims_org_id: {"name": org.name, **state.jobs.counts(org.index, now, retention)}
                for org in state.orgs
            },
            "incidents": {
                "total": sum(1 for i in incidents if i.visible(now)),
                "open": sum(1 for i in incidents if i.is_open(now)),
            },
            "maintenances": {
                status: sum(1 for m in maintenances if m.status(now) == status)
                for status in ("Scheduled", "Started", "Completed", "Canceled")
            },
            "consents": len(state.consents),
            "tokens": len(state.tokens.as_json(now)),
        },
    )


def consents(request: Request, state: SimulatorState) -> Response:
    return json_response(200, list(state.consents))

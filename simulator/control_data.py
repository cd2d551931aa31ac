"""Control API for the data: jobs, incidents and maintenances (create, change, inspect).

Changes are made relative to the simulated clock's "now", and `reset` undoes all of them.
"""

from __future__ import annotations

import logging
import random
from typing import TYPE_CHECKING, Any

from simulator.clock import iso, parse_iso
from simulator.control_api import body_of, error, org_of
from simulator.data import uuid_from_bits
from simulator.jobs import INF, Job
from simulator.regulations import ACTIONS, JOB_STATUSES, resolve_regulation
from simulator.status import Times, incident_dto, maintenance_dto
from simulator.status_data import SEVERITIES, Entry, Incident, Maintenance
from simulator.status_registry import PRODUCTS, REGIONS
from simulator.web import Request, Response, json_response

if TYPE_CHECKING:
    from simulator.state import SimulatorState

logger = logging.getLogger(__name__)


def _when(ts: float) -> str | None:
    return None if ts == INF else iso(ts)


def job_view(state: SimulatorState, job: Job) -> dict[str, Any]:
    now = state.clock.now()
    return {
        "job_id": job.job_id,
        "ims_org_id": state.orgs[job.org].ims_org_id,
        "regulation": job.regulation,
        "action": job.action,
        "status": job.status_at(now),
        "outcome": job.outcome,
        "created_at": iso(job.created_at),
        "processing_at": _when(job.processing_at),
        "finished_at": _when(job.finished_at),
        "visible": job.visible_at(now, state.faults.current("retention_days")),
        "generated": job.generated,
    }


def jobs(request: Request, state: SimulatorState) -> Response:
    """GET /_simulator/jobs?org=&regulation=&status=&limit=&offset= (newest first)."""
    org = org_of(state, request.arg("org") or "0")
    if isinstance(org, Response):
        return org
    now = state.clock.now()
    regulation, status = request.arg("regulation"), request.arg("status")
    found = sorted(
        (
            job
            for job in state.jobs.org_jobs(org.index)
            if (regulation is None or job.regulation == regulation)
            and (status is None or job.status_at(now) == status)
        ),
        key=lambda job: -job.created_at,
    )
    offset = int(request.arg("offset") or 0)
    limit = int(request.arg("limit") or 100)
    return json_response(
        200,
        {"total": len(found), "jobs": [job_view(state, j) for j in found[offset : offset + limit]]},
    )


def job_detail(request: Request, state: SimulatorState) -> Response:
    job = state.jobs.get(request.params["job_id"])
    if job is None:
        return error(404, f"no job {request.params['job_id']}")
    return json_response(200, job_view(state, job))


def job_create(request: Request, state: SimulatorState) -> Response:
    """Insert jobs without going through POST /jobs validation (see the module docstring)."""
    body = body_of(request)
    if isinstance(body, Response):
        return body
    org = org_of(state, body.get("org", "0"))
    if isinstance(org, Response):
        return org
    now = state.clock.now()
    regulation, reason = resolve_regulation(str(body.get("regulation", "gdpr")), now=now)
    action = body.get("action", "access")
    count = body.get("count", 1)
    if regulation is None:
        return error(400, reason)
    if action not in ACTIONS or not isinstance(count, int) or not 1 <= count <= 100_000:
        return error(400, "action must be access or delete; count 1 to 100000")
    problem = _check_status_body(body)
    if problem:
        return problem
    if "created_at" in body:
        created_at = parse_iso(str(body["created_at"]))
    else:
        created_at = now - float(body.get("created_seconds_ago", 0))
    rng = random.Random(f"control-job:{state.config.seed}:{state.next_sequence()}")
    created = []
    for _ in range(count):
        job = Job(
            job_id=uuid_from_bits(rng.getrandbits(128)),
            org=org.index,
            regulation=regulation,
            action=action,
            created_at=created_at,
            processing_at=INF,
            finished_at=INF,
            outcome="complete",
            generated=False,
        )
        state.jobs.add(job, count_quota=False)
        _apply_status(state, job, body)
        created.append(job_view(state, job))
    return json_response(201, {"jobs": created})


def _check_status_body(body: dict[str, Any]) -> Response | None:
    if body.get("status", "submitted") not in JOB_STATUSES:
        return error(400, f"status must be one of {list(JOB_STATUSES)}")
    if body.get("outcome", "complete") not in ("complete", "error"):
        return error(400, "outcome must be complete or error")
    for key in ("processing_in_seconds", "finish_in_seconds"):
        value = body.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            return error(400, f"{key} must be a number of seconds")
    return None


def _apply_status(state: SimulatorState, job: Job, body: dict[str, Any]) -> None:
    """Re-plan a (checked) job's timeline so it has `status` now and moves on as asked."""
    status = body.get("status", "submitted")
    now = state.clock.now()
    processing_in = body.get("processing_in_seconds")
    finish_in = body.get("finish_in_seconds")
    outcome = body.get("outcome", job.outcome)
    if status == "submitted":
        processing_at = INF if processing_in is None else now + float(processing_in)
        finished_at = INF if finish_in is None else processing_at + float(finish_in)
    elif status == "processing":
        processing_at = min(job.processing_at, now)
        finished_at = INF if finish_in is None else now + float(finish_in)
    else:
        processing_at, finished_at, outcome = min(job.processing_at, now), now, status
    state.jobs.set_timeline(
        job, processing_at=processing_at, finished_at=finished_at, outcome=outcome
    )


def job_update(request: Request, state: SimulatorState) -> Response:
    """PATCH a job: `status` (+ `processing_in_seconds`, `finish_in_seconds`, `outcome`)."""
    body = body_of(request)
    if isinstance(body, Response):
        return body
    job = state.jobs.get(request.params["job_id"])
    if job is None:
        return error(404, f"no job {request.params['job_id']}")
    problem = _check_status_body(body)
    if problem:
        return problem
    _apply_status(state, job, body)
    return json_response(200, job_view(state, job))


def _products_regions(body: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]] | Response:
    products = tuple(str(p) for p in body.get("products", ["503462"]))
    if not products or any(p not in PRODUCTS for p in products):
        return error(400, f"products must be ids from /api/v1/products: {sorted(PRODUCTS)}")
    known_regions = dict(REGIONS)
    regions = tuple(body.get("regions") or PRODUCTS[products[0]].region_ids[:1])
    if any(r not in known_regions for r in regions):
        return error(400, f"regions must be among {sorted(known_regions)}")
    return products, regions


def _message_token(state: SimulatorState, body: dict[str, Any], default: str, prefix: str) -> str:
    if body.get("title") or body.get("message"):
        return state.status.add_custom_message(
            prefix, str(body.get("title") or "Update"), str(body.get("message") or "")
        )
    return default


def incidents(request: Request, state: SimulatorState) -> Response:
    now, times = state.clock.now(), Times("iso")
    with state.status.lock:
        items = [i for i in state.status.incidents if i.visible(now)]
    return json_response(200, [incident_dto(i, now, times) for i in items])


def incident_create(request: Request, state: SimulatorState) -> Response:
    """Body: products, regions, severity, status (Opened|Discovery), title, message."""
    body = body_of(request)
    if isinstance(body, Response):
        return body
    where = _products_regions(body)
    if isinstance(where, Response):
        return where
    severity, status = body.get("severity", "Major"), body.get("status", "Opened")
    if severity not in SEVERITIES or status not in ("Opened", "Discovery"):
        return error(400, f"severity in {list(SEVERITIES)}; status Opened or Discovery")
    now = state.clock.now() - float(body.get("started_seconds_ago", 0))
    token = _message_token(state, body, "CM0001001", "CUSTOM")
    incident = Incident(
        id=state.status.new_id(880000),
        product_ids=where[0],
        region_ids=where[1],
        entries=[
            Entry(
                now, status, severity, token, "Custom" if token.startswith("CUSTOM") else "Canned"
            )
        ],
        generated=False,
    )
    with state.status.lock:
        state.status.incidents.append(incident)
    return json_response(201, incident_dto(incident, state.clock.now(), Times("iso")))


def incident_update(request: Request, state: SimulatorState) -> Response:
    """Append a history entry now: status (Opened|Closed|Dismissed), severity, title, message."""
    body = body_of(request)
    if isinstance(body, Response):
        return body
    incident = state.status.incident(request.params["incident_id"])
    if incident is None:
        return error(404, f"no incident {request.params['incident_id']}")
    now = state.clock.now()
    seen = incident.visible(now)
    last = seen[-1] if seen else incident.entries[0]
    status = body.get("status", "Opened")
    severity = body.get("severity", last.severity)
    if status not in ("Opened", "Closed", "Dismissed") or severity not in SEVERITIES:
        return error(400, "status Opened, Closed or Dismissed; severity among the known ones")
    default = {"Closed": "CM0001004", "Dismissed": "CM0001006"}.get(status, "CM0001002")
    token = _message_token(state, body, default, "CUSTOM")
    with state.status.lock:
        incident.entries.append(
            Entry(
                now, status, severity, token, "Custom" if token.startswith("CUSTOM") else "Canned"
            )
        )
    return json_response(200, incident_dto(incident, now, Times("iso")))


def maintenances(request: Request, state: SimulatorState) -> Response:
    now, times = state.clock.now(), Times("iso")
    with state.status.lock:
        items = [m for m in state.status.maintenances if m.status(now)]
    return json_response(200, [maintenance_dto(m, now, times) for m in items])


def maintenance_create(request: Request, state: SimulatorState) -> Response:
    """Body: products, regions, starts_in_seconds, duration_seconds, type, title, message."""
    body = body_of(request)
    if isinstance(body, Response):
        return body
    where = _products_regions(body)
    if isinstance(where, Response):
        return where
    kind = body.get("type", "Scheduled")
    if kind not in ("Normal", "Scheduled", "Urgent"):
        return error(400, "type must be Normal, Scheduled or Urgent")
    now = state.clock.now()
    start = now + float(body.get("starts_in_seconds", 86400))
    maintenance = Maintenance(
        id=state.status.new_id(940000),
        product_ids=where[0],
        region_ids=where[1],
        kind=kind,
        announced_at=min(now, start),
        start_at=start,
        end_at=start + float(body.get("duration_seconds", 7200)),
        token=_message_token(state, body, "CM0002001", "MNT"),
        generated=False,
    )
    with state.status.lock:
        state.status.maintenances.append(maintenance)
    return json_response(201, maintenance_dto(maintenance, now, Times("iso")))


def maintenance_update(request: Request, state: SimulatorState) -> Response:
    """`{"status": "Canceled"}` cancels it now."""
    body = body_of(request)
    if isinstance(body, Response):
        return body
    maintenance = state.status.maintenance(request.params["maintenance_id"])
    if maintenance is None:
        return error(404, f"no maintenance {request.params['maintenance_id']}")
    if body.get("status") != "Canceled":
        return error(400, 'only {"status": "Canceled"} is supported')
    now = state.clock.now()
    with state.status.lock:
        maintenance.cancelled_at = now
    return json_response(200, maintenance_dto(maintenance, now, Times("iso")))

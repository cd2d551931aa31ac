"""POST /jobs: validate a privacy request exactly as documented, then create its jobs.

Limits (adobe-api.md 2.4, 2.11): `companyContexts` with an `imsOrgID` entry equal to the
`x-gw-ims-org-id` header; 1 to 1000 `users`, each with a `key`, 1+ unique `access`/`delete`
actions and 1 to 9 `userIDs`; 1+ unique known products in `include`; a supported `regulation`;
at most 20,000 jobs per organization per (GMT) day. One job per user and action.

Created jobs start `submitted`, go `processing` after a minute and finish within 90 minutes of
simulated time. They complete, unless a user's `key` contains "fail" (any case): that user's
jobs end in `error`, so tests can ask for a failure without the control API.
"""

from __future__ import annotations

import logging
import random
from typing import TYPE_CHECKING, Any

from simulator.data import plan_products, request_id, uuid_from_bits
from simulator.jobs import Job, JobDetails, JobSummary
from simulator.regulations import (
    ACTIONS,
    QUALIFIERS,
    namespace_id,
    product_name,
    resolve_regulation,
)
from simulator.tokens import TokenRecord
from simulator.web import JSON_TYPE, Request, Response, bad_request, json_response, problem

if TYPE_CHECKING:
    from simulator.state import SimulatorState

logger = logging.getLogger(__name__)

MAX_USERS = 1000
MAX_USER_IDS = 9
DAILY_JOB_LIMIT = 20_000
ORG_NAMESPACES = ("imsorgid", "imsorg")


def require_json_body(request: Request) -> dict[str, Any] | Response:
    if request.content_type() != JSON_TYPE:
        return problem(400, "BadRequestError", "A valid content-type must be specified")
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        return bad_request("The request body is not valid JSON.")
    if not isinstance(body, dict):
        return bad_request("The request body must be a JSON object.")
    return body


def _nonempty_str(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _check_contexts(body: dict[str, Any], org_id: str) -> str | None:
    contexts = body.get("companyContexts")
    if not isinstance(contexts, list) or not contexts:
        return "companyContexts is required and must be a non-empty array."
    for index, context in enumerate(contexts):
        if not isinstance(context, dict):
            return f"companyContexts[{index}] must be an object."
        if not _nonempty_str(context.get("namespace")) or not _nonempty_str(context.get("value")):
            return f"companyContexts[{index}] needs a namespace and a value."
    org_values = [c["value"] for c in contexts if c["namespace"].lower() in ORG_NAMESPACES]
    if not org_values:
        return "companyContexts must include an imsOrgID namespace."
    if org_id not in org_values:
        return "The imsOrgID value in companyContexts must match the x-gw-ims-org-id header."
    return None


def _check_user_id(where: str, user_id: object) -> str | None:
    if not isinstance(user_id, dict):
        return f"{where} must be an object."
    if not _nonempty_str(user_id.get("namespace")):
        return f"{where}.namespace is required."
    if not _nonempty_str(user_id.get("value")):
        return f"{where}.value is required."
    qualifier = user_id.get("type", "standard")
    if qualifier not in QUALIFIERS:
        return f"{where}.type must be one of {', '.join(QUALIFIERS)}."
    if "namespaceId" in user_id and (
        isinstance(user_id["namespaceId"], bool) or not isinstance(user_id["namespaceId"], int)
    ):
        return f"{where}.namespaceId must be an integer."
    if "isDeletedClientSide" in user_id and not isinstance(user_id["isDeletedClientSide"], bool):
        return f"{where}.isDeletedClientSide must be a boolean."
    return None


def _check_users(body: dict[str, Any]) -> str | None:
    users = body.get("users")
    if not isinstance(users, list) or not users:
        return "users is required and must be a non-empty array."
    if len(users) > MAX_USERS:
        return f"A maximum of {MAX_USERS} users can be provided in a single request."
    for index, user in enumerate(users):
        where = f"users[{index}]"
        if not isinstance(user, dict):
            return f"{where} must be an object."
        if not _nonempty_str(user.get("key")):
            return f"{where}.key is required."
        actions = user.get("action")
        if not isinstance(actions, list) or not actions:
            return f"{where}.action is required and must be a non-empty array."
        if len(set(map(str, actions))) != len(actions):
            return f"{where}.action must not repeat a value."
        for action in actions:
            if action == "opt-out-of-sale":
                return f"{where}.action: opt-out requests must be made through /consent."
            if action not in ACTIONS:
                return f"{where}.action must include access, delete, or both."
        user_ids = user.get("userIDs")
        if not isinstance(user_ids, list) or not user_ids:
            return f"{where}.userIDs is required and must be a non-empty array."
        if len(user_ids) > MAX_USER_IDS:
            # Adobe's wording: "The number of identities a single user can have is limited to nine."
            return (
                f"{where}.userIDs: the number of identities a single user can have is limited "
                "to nine."
            )
        for id_index, user_id in enumerate(user_ids):
            error = _check_user_id(f"{where}.userIDs[{id_index}]", user_id)
            if error:
                return error
    return None


def _check_options(body: dict[str, Any]) -> str | None:
    include = body.get("include")
    if not isinstance(include, list) or not include:
        return "include is required and must be a non-empty array of products."
    if not all(isinstance(p, str) for p in include):
        return "include must contain product names."
    if len({p.lower() for p in include}) != len(include):
        return "include must not repeat a product."
    unknown = [p for p in include if product_name(p) is None]
    if unknown:
        return f"include: unknown product(s) {', '.join(unknown)}."
    for key in ("expandIds", "expandIDs"):
        if key in body and body[key] not in (True, False, "true", "false"):
            return f"{key} must be true or false."
    if "priority" in body and body["priority"] not in ("normal", "low"):
        return "priority must be normal or low."
    if "analyticsDeleteMethod" in body and body["analyticsDeleteMethod"] not in (
        "anonymize",
        "purge",
    ):
        return "analyticsDeleteMethod must be anonymize or purge."
    if not _nonempty_str(body.get("regulation")):
        return "regulation is required."
    return None


def validate(body: dict[str, Any], *, org_id: str) -> str | None:
    """The first problem with a POST /jobs body, or None."""
    return _check_contexts(body, org_id) or _check_users(body) or _check_options(body)


def _echo_user_id(user_id: dict[str, Any]) -> dict[str, Any]:
    echoed = {
        "namespace": user_id["namespace"],
        "value": user_id["value"],
        "type": user_id.get("type", "standard"),
    }
    ns_id = user_id.get("namespaceId", namespace_id(user_id["namespace"]))
    if ns_id is not None and echoed["type"] != "unregistered":
        echoed["namespaceId"] = ns_id
    echoed["isDeletedClientSide"] = user_id.get("isDeletedClientSide", False)
    return echoed


def create_jobs(request: Request, state: SimulatorState, token: TokenRecord) -> Response:
    body = require_json_body(request)
    if isinstance(body, Response):
        return body
    error = validate(body, org_id=token.ims_org_id)
    if error:
        return bad_request(error)
    now = state.clock.now()
    regulation, reason = resolve_regulation(body["regulation"], now=now)
    if regulation is None:
        return bad_request(reason)
    wanted = sum(len(user["action"]) for user in body["users"])
    if state.jobs.created_today(token.org, now) + wanted > DAILY_JOB_LIMIT:
        return bad_request(f"The daily upload limit of {DAILY_JOB_LIMIT} jobs has been reached.")
    rng = random.Random(f"create:{state.config.seed}:{state.next_sequence()}")
    org = state.orgs[token.org]
    products = [product_name(p) or p for p in body["include"]]
    req_id = request_id(rng, now)
    created = []
    for user in body["users"]:
        user_ids = tuple(_echo_user_id(uid) for uid in user["userIDs"])
        outcome = "error" if "fail" in user["key"].lower() else "complete"
        for action in user["action"]:
            processing_at = now + 60
            details = JobDetails(
                summary=JobSummary(
                    request_id=req_id,
                    user_key=user["key"],
                    submitted_by=org.technical_account_email,
                ),
                user_ids=user_ids,
                products=plan_products(
                    rng, products, outcome=outcome, user_values=[u["value"] for u in user_ids]
                ),
            )
            job = Job(
                job_id=uuid_from_bits(rng.getrandbits(128)),
                org=token.org,
                regulation=regulation,
                action=action,
                created_at=now,
                processing_at=processing_at,
                finished_at=processing_at + 1800 + rng.randrange(3600),
                outcome=outcome,
                details=details,
                generated=False,
            )
            state.jobs.add(job)
            created.append(
                {
                    "jobId": job.job_id,
                    "customer": {
                        "user": {"key": user["key"], "action": [action], "userIDs": list(user_ids)}
                    },
                }
            )
    key = state.faults.switch(request, token.ims_org_id, "jobs_key", default="jobs")
    logger.info("created %s privacy jobs for %s", len(created), token.ims_org_id)
    return json_response(
        202, {"requestId": req_id, "totalRecords": len(created), key: created, "requestStatus": 1}
    )

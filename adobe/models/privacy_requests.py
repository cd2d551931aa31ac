"""Privacy Service request bodies, validated against Adobe's limits before anything is sent.

``POST /jobs`` is never retried blindly, so a body Adobe would refuse must be caught here, where the
error can name the offending field (``users[12].userIDs``) without quoting personal data.
Limits (adobe-api.md §2.4, §2.7): 1 to 1000 users; each with a key, ``access`` and/or ``delete``,
1 to 9 identities; at least one product in ``include``; an ``imsOrgID`` company context equal to
the organization the request is sent for; a well-formed regulation code. Whether Adobe knows that
code is Adobe's to say: an unknown code is sent, and Adobe's refusal is what the caller gets.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from adobe.errors import AdobeInvalidRequest
from adobe.models.privacy import UserIdentity

logger = logging.getLogger(__name__)

MAX_USERS = 1000
MAX_IDS_PER_USER = 9
ACTIONS = frozenset({"access", "delete"})
PRIORITIES = frozenset({"normal", "low"})
ANALYTICS_DELETE_METHODS = frozenset({"anonymize", "purge"})
# Namespace qualifiers (§2.9).
IDENTITY_TYPES = frozenset(
    {"standard", "custom", "integrationCode", "namespaceId", "unregistered", "analytics", "target"}
)
# Adobe's examples spell the org namespace imsOrgID, imsOrgId and imsOrg.
ORG_NAMESPACES = frozenset({"imsorgid", "imsorg"})
# Every regulation code Adobe has documented (gdpr, ucpa_ut_usa, ql25_qc_can) has this shape.
REGULATION_CODE = re.compile(r"[a-z0-9_]+")


@dataclass(frozen=True)
class PrivacyUser:
    """A data subject in a job request: ``key`` is echoed back as the jobs' ``userKey``."""

    key: str = field(repr=False)
    actions: tuple[str, ...]
    ids: tuple[UserIdentity, ...] = field(repr=False)


@dataclass(frozen=True)
class CompanyContext:
    namespace: str
    value: str


def build_job_request(
    *,
    ims_org_id: str,
    regulation: str,
    users: Sequence[PrivacyUser],
    include: Sequence[str],
    company_contexts: Sequence[CompanyContext] = (),
    expand_ids: bool | None = None,
    priority: str | None = None,
    merge_policy_id: int | None = None,
    analytics_delete_method: str | None = None,
    region: str | None = None,
) -> dict[str, Any]:
    """The JSON body of ``POST /jobs``; raises AdobeInvalidRequest naming the first bad field."""
    body: dict[str, Any] = {
        "companyContexts": _company_contexts(ims_org_id, company_contexts),
        "users": _users(users),
        "include": _include(include),
        "regulation": regulation_code(regulation),
    }
    if expand_ids is not None:
        body["expandIds"] = _require(isinstance(expand_ids, bool), expand_ids, "expandIds")
    if priority is not None:
        body["priority"] = _require(priority in PRIORITIES, priority, "priority")
    if merge_policy_id is not None:
        ok = isinstance(merge_policy_id, int) and not isinstance(merge_policy_id, bool)
        body["mergePolicyId"] = _require(ok, merge_policy_id, "mergePolicyId")
    if analytics_delete_method is not None:
        ok = analytics_delete_method in ANALYTICS_DELETE_METHODS
        body["analyticsDeleteMethod"] = _require(
            ok, analytics_delete_method, "analyticsDeleteMethod"
        )
    if region is not None:
        body["region"] = _require(isinstance(region, str) and bool(region), region, "region")
    return body


def build_consent_request(
    *, entities: Mapping[str, Sequence[str]], opt_out_of_sale: bool = True
) -> dict[str, Any]:
    """The JSON body of ``POST /consent``: namespace -> identity values (note ``nameSpace``)."""
    if not isinstance(opt_out_of_sale, bool):
        raise AdobeInvalidRequest("optOutOfSale must be a boolean", field="optOutOfSale")
    if not entities:
        raise AdobeInvalidRequest("at least one entity is required", field="entities")
    built = []
    for i, (namespace, values) in enumerate(entities.items()):
        path = f"entities[{i}]"
        if not isinstance(namespace, str) or not namespace.strip():
            raise AdobeInvalidRequest("each entity needs a namespace", field=f"{path}.nameSpace")
        unique = list(dict.fromkeys([values] if isinstance(values, str) else values))
        if not unique or not all(isinstance(v, str) and v for v in unique):
            raise AdobeInvalidRequest(
                "each entity needs one or more non-empty string values", field=f"{path}.values"
            )
        built.append({"nameSpace": namespace, "values": unique})
    return {"optOutOfSale": opt_out_of_sale, "entities": built}


def _company_contexts(ims_org_id: str, contexts: Sequence[CompanyContext]) -> list[dict[str, str]]:
    built: list[dict[str, str]] = []
    has_org = False
    for i, context in enumerate(contexts):
        path = f"companyContexts[{i}]"
        if not context.namespace or not context.value:
            raise AdobeInvalidRequest("namespace and value are required", field=path)
        if context.namespace.lower() in ORG_NAMESPACES:
            if context.value != ims_org_id:
                raise AdobeInvalidRequest(
                    "the imsOrgID context must be the organization the request is sent for",
                    field=f"{path}.value",
                )
            has_org = True
        built.append({"namespace": context.namespace, "value": context.value})
    if not has_org:
        # Required by Adobe; added for the caller so it cannot be forgotten or mistyped.
        built.insert(0, {"namespace": "imsOrgID", "value": ims_org_id})
    return built


def _users(users: Sequence[PrivacyUser]) -> list[dict[str, Any]]:
    if not users:
        raise AdobeInvalidRequest("at least one user is required", field="users")
    if len(users) > MAX_USERS:
        raise AdobeInvalidRequest(
            f"at most {MAX_USERS} users per request (got {len(users)})", field="users"
        )
    return [_user(user, f"users[{i}]") for i, user in enumerate(users)]


def _user(user: PrivacyUser, path: str) -> dict[str, Any]:
    if not isinstance(user.key, str) or not user.key.strip():
        raise AdobeInvalidRequest("each user needs a non-empty key", field=f"{path}.key")
    actions = list(dict.fromkeys(user.actions))
    if not actions or any(action not in ACTIONS for action in actions):
        raise AdobeInvalidRequest(
            "action must be access, delete or both (opt-outs go to POST /consent)",
            field=f"{path}.action",
        )
    if not user.ids:
        raise AdobeInvalidRequest("each user needs at least one identity", field=f"{path}.userIDs")
    if len(user.ids) > MAX_IDS_PER_USER:
        raise AdobeInvalidRequest(
            f"at most {MAX_IDS_PER_USER} identities per user (got {len(user.ids)})",
            field=f"{path}.userIDs",
        )
    return {
        "key": user.key,
        "action": actions,
        "userIDs": [_identity(ident, f"{path}.userIDs[{i}]") for i, ident in enumerate(user.ids)],
    }


def _identity(ident: UserIdentity, path: str) -> dict[str, Any]:
    if not isinstance(ident.namespace, str) or not ident.namespace:
        raise AdobeInvalidRequest("namespace is required", field=f"{path}.namespace")
    if not isinstance(ident.value, str) or not ident.value:
        raise AdobeInvalidRequest("value is required", field=f"{path}.value")
    if ident.type not in IDENTITY_TYPES:
        raise AdobeInvalidRequest(
            f"type must be one of {', '.join(sorted(IDENTITY_TYPES))}", field=f"{path}.type"
        )
    built: dict[str, Any] = {"namespace": ident.namespace, "value": ident.value, "type": ident.type}
    if ident.namespace_id is not None:
        built["namespaceId"] = ident.namespace_id
    if ident.is_deleted_client_side is not None:
        built["isDeletedClientSide"] = ident.is_deleted_client_side
    return built


def _include(include: Sequence[str]) -> list[str]:
    if isinstance(include, str):
        include = [include]
    products = [product for product in include if isinstance(product, str) and product.strip()]
    if not products or len(products) != len(include):
        raise AdobeInvalidRequest(
            "include must list one or more product codes (e.g. analytics)", field="include"
        )
    # Product values are case-insensitive, and Adobe wants them unique: keep the first spelling.
    seen: set[str] = set()
    unique = []
    for product in products:
        if product.lower() not in seen:
            seen.add(product.lower())
            unique.append(product)
    return unique


def _require(ok: bool, value: Any, name: str) -> Any:
    if not ok:
        raise AdobeInvalidRequest(f"{name} has a value Adobe does not accept", field=name)
    return value


def regulation_code(regulation: Any) -> str:
    """The ``regulation`` value to send: stripped and lower-cased, Adobe's spelling of codes.

    Only a value that cannot be a code is refused (empty, not a string, characters outside
    ``[a-z0-9_]``). Known or not is Adobe's call, and mapping a legacy code to today's is the
    caller's (Lookout's Regulation table): the client sends the code it is given.
    """
    code = regulation.strip().lower() if isinstance(regulation, str) else ""
    if not REGULATION_CODE.fullmatch(code):
        raise AdobeInvalidRequest(
            "regulation must be a code of letters, digits and _", field="regulation"
        )
    return code

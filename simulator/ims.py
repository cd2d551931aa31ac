"""The simulated IMS: OAuth Server-to-Server (`/ims/token/v3`) and the JWT exchange.

Validation follows adobe-api.md 1.2 and 1.3: client id, client secret (any of the
integration's current secrets), requested scopes, and for the JWT exchange the RS256 signature
(against the public key of the organization's generated key pair), `aud`, `exp`, `iss`, `sub`
and the metascope claims. `aud` and metascope claims may use the simulator's own base URL or
Adobe's real IMS hosts as prefix, so a client configured with either works.

The JWT's `exp` is checked against the wall clock, not the simulated one: the client signs it
with its own clock, which the control API cannot move, so checking it against an advanced
simulated clock would fail every exchange after a clock advance.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import jwt

from simulator.orgs import KNOWN_METASCOPES, Organization
from simulator.tokens import TOKEN_LIFETIME_MS
from simulator.web import Request, Response, ims_error, json_response

if TYPE_CHECKING:
    from simulator.state import SimulatorState

logger = logging.getLogger(__name__)

ADOBE_IMS_HOSTS = ("https://ims-na1.adobelogin.com", "https://ims-na1-stg1.adobelogin.com")
# IMS reports a little under the full lifetime, as in Adobe's samples (86399 s, 86399992 ms).
OAUTH_EXPIRES_IN_S = TOKEN_LIFETIME_MS // 1000 - 1
JWT_EXPIRES_IN_MS = TOKEN_LIFETIME_MS - 8


def _params(request: Request) -> dict[str, str]:
    """OAuth parameters "can be sent in the body or as query parameters"."""
    params = {key: values[0] for key, values in request.query.items() if values}
    params.update(request.form())
    return params


def _client(
    state: SimulatorState, params: dict[str, str], *, jwt_flow: bool
) -> Organization | Response:
    client_id = params.get("client_id", "")
    if not client_id:
        return ims_error(400, "invalid_request", "missing client_id parameter")
    org = state.org_by_client_id(client_id)
    if org is None:
        if jwt_flow:
            return ims_error(400, "invalid_client", "Integration does not exist.")
        return ims_error(400, "invalid_client", "invalid client_id parameter")
    secret = params.get("client_secret", "")
    if not secret:
        return ims_error(400, "invalid_request", "missing client_secret parameter")
    if secret not in org.client_secrets:
        if jwt_flow:
            return ims_error(
                401, "invalid_client", "The client ID and client secret combination is invalid."
            )
        return ims_error(401, "invalid_client", "invalid client_secret parameter")
    return org


def token_v3(request: Request, state: SimulatorState) -> Response:
    """POST /ims/token/v3 (and /v2): grant_type=client_credentials."""
    params = _params(request)
    grant_type = params.get("grant_type", "")
    if not grant_type:
        return ims_error(400, "invalid_request", "missing grant_type parameter")
    if grant_type != "client_credentials":
        return ims_error(400, "unsupported_grant_type", f"unsupported grant_type {grant_type}")
    org = _client(state, params, jwt_flow=False)
    if isinstance(org, Response):
        return org
    if "scope" not in params:
        return ims_error(400, "invalid_request", "missing scope parameter")
    # Adobe's sample separates with comma+space; accept both.
    requested = tuple(s.strip() for s in params["scope"].split(",") if s.strip())
    if not requested:
        return ims_error(400, "invalid_scope", "scope parameter is empty")
    unknown = [s for s in requested if s not in org.scopes]
    if unknown:
        return ims_error(400, "invalid_scope", f"Invalid scope(s): {','.join(unknown)}")
    token, _record = state.tokens.issue(
        org=org.index,
        ims_org_id=org.ims_org_id,
        client_id=org.client_id,
        technical_account_id=org.technical_account_id,
        grant="oauth",
        scopes=requested,
        metascopes=(),
        now=state.clock.now(),
    )
    state.counters.count_token(org.ims_org_id, "oauth")
    logger.info("IMS issued an OAuth token to %s", org.ims_org_id)
    return json_response(
        200, {"access_token": token, "token_type": "bearer", "expires_in": OAUTH_EXPIRES_IN_S}
    )


def _ims_prefixes(request: Request, state: SimulatorState) -> set[str]:
    return {request.base_url, *state.public_urls, *ADOBE_IMS_HOSTS}


def _metascopes(claims: dict[str, object], prefixes: set[str]) -> list[str] | None:
    """Names of the `{ims}/s/<name>: true` claims; None if a claim has a non-true value."""
    names = []
    for key, value in claims.items():
        for prefix in prefixes:
            if key.startswith(prefix + "/s/"):
                if value is not True:
                    return None
                names.append(key[len(prefix) + 3 :])
    return names


def exchange_jwt(request: Request, state: SimulatorState) -> Response:
    """POST /ims/exchange/jwt: client_id, client_secret and a signed jwt_token, as form data."""
    form = request.form()
    if "jwt_token" not in form and request.arg("jwt_token") is not None:
        # Observed behaviour (adobe-dev-console#124): query-string parameters get a 500.
        return ims_error(500, "internal_error", "Please try again later")
    org = _client(state, form, jwt_flow=True)
    if isinstance(org, Response):
        return org
    assertion = form.get("jwt_token", "")
    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.PyJWTError:
        return ims_error(400, "invalid_token", "JWT is missing or cannot be decoded.")
    if header.get("alg") != "RS256":
        return ims_error(
            400,
            "invalid_signature",
            "The signature does not match the algorithm specified in the JWT header.",
        )
    try:
        claims = jwt.decode(
            assertion,
            org.keys.private_key.public_key(),
            algorithms=["RS256"],
            options={"verify_exp": False, "verify_aud": False, "verify_iat": False},
        )
    except jwt.InvalidSignatureError:
        return ims_error(
            400,
            "invalid_signature",
            "The JWT signature does not match any certificates attached to the integration.",
        )
    except jwt.PyJWTError:
        return ims_error(400, "invalid_token", "JWT is missing or cannot be decoded.")
    return _check_claims(request, state, org, claims)


def _check_claims(
    request: Request, state: SimulatorState, org: Organization, claims: dict[str, object]
) -> Response:
    prefixes = _ims_prefixes(request, state)
    if claims.get("aud") not in {f"{prefix}/c/{org.client_id}" for prefix in prefixes}:
        return ims_error(
            400,
            "invalid_client",
            "The client_id parameter and the aud field in the JWT do not match.",
        )
    exp = claims.get("exp")
    if exp is None or isinstance(exp, bool) or not isinstance(exp, int):
        return ims_error(400, "invalid_token", "The exp field of the JWT is not an integer.")
    if exp <= time.time():
        return ims_error(400, "invalid_token", "JWT has expired.")
    jti = claims.get("jti")
    if jti is not None and (isinstance(jti, bool) or not isinstance(jti, int | str)):
        return ims_error(400, "invalid_token", "The jti field of the JWT is not an integer.")
    if jti is not None and not state.use_jti(org.client_id, str(jti)):
        return ims_error(400, "invalid_jti", "The jti field was previously used.")
    iss, sub = claims.get("iss"), claims.get("sub")
    if not isinstance(iss, str) or not iss.endswith("@AdobeOrg"):
        return ims_error(400, "bad_request", "iss is not in the format org_ident@AdobeOrg.")
    if not isinstance(sub, str) or not sub.endswith("@techacct.adobe.com"):
        return ims_error(400, "bad_request", "sub is not in the format id@techacct.adobe.com.")
    if iss != org.ims_org_id or sub != org.technical_account_id:
        return ims_error(400, "bad_request", "iss or sub do not match the integration.")
    metascopes = _metascopes(claims, prefixes)
    if metascopes is None:
        return ims_error(400, "bad_request", "A metascope claim must have the value true.")
    if not metascopes:
        return ims_error(400, "invalid_scope", "The JWT has no metascopes.")
    if any(name not in KNOWN_METASCOPES for name in metascopes):
        return ims_error(
            400,
            "invalid_scope",
            "Metascopes in the JWT contain a scope or scopes that do not exist.",
        )
    if any(name not in org.metascopes for name in metascopes):
        return ims_error(
            400,
            "invalid_scope",
            "The metascopes in the JWT are not a subset of the metascopes in the binding.",
        )
    token, _record = state.tokens.issue(
        org=org.index,
        ims_org_id=org.ims_org_id,
        client_id=org.client_id,
        technical_account_id=org.technical_account_id,
        grant="jwt",
        scopes=(),
        metascopes=tuple(metascopes),
        now=state.clock.now(),
    )
    state.counters.count_token(org.ims_org_id, "jwt")
    logger.info("IMS issued a JWT-exchange token to %s", org.ims_org_id)
    return json_response(
        200, {"token_type": "bearer", "access_token": token, "expires_in": JWT_EXPIRES_IN_MS}
    )

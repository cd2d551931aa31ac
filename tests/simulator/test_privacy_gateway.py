"""The gateway in front of Privacy Service: headers, tokens and their binding."""

from __future__ import annotations

import pytest
import requests

from tests.simulator.conftest import TIMEOUT, jwt_assertion, oauth_token, privacy_api

GDPR = {"regulation": "gdpr"}


def _get(sim, headers):
    return requests.get(f"{sim.privacy_url}/jobs", params=GDPR, headers=headers, timeout=TIMEOUT)


def _headers(org, token, **overrides):
    headers = {
        "Authorization": f"Bearer {token}",
        "x-api-key": org.client_id,
        "x-gw-ims-org-id": org.ims_org_id,
    }
    headers.update(overrides)
    return {k: v for k, v in headers.items() if v is not None}


@pytest.mark.parametrize(
    ("overrides", "status", "body"),
    [
        (
            {"Authorization": None},
            403,
            {"error_code": "403010", "message": "Oauth token is missing."},
        ),
        ({"x-api-key": None}, 403, {"error_code": "403000", "message": "Api Key is required"}),
        (
            {"Authorization": "Bearer nope"},
            401,
            {"error_code": "401013", "message": "Oauth token is not valid"},
        ),
        (
            {"x-api-key": "someone-else"},
            403,
            {"error_code": "403003", "message": "Api Key is invalid"},
        ),
        ({"x-gw-ims-org-id": None}, 400, {"error_code": "400003", "message": "Missing header"}),
    ],
)
def test_header_problems_get_the_gateways_documented_bodies(
    simulator, org, token, overrides, status, body
):
    response = _get(simulator, _headers(org, token, **overrides))

    assert response.status_code == status
    assert response.json() == body


def test_a_token_cannot_be_used_for_another_organization(simulator, org, other_org, token):
    response = _get(simulator, _headers(org, token, **{"x-gw-ims-org-id": other_org.ims_org_id}))

    assert response.status_code == 403
    assert response.json() == {"error_code": "403025", "message": "Profile is not valid"}


def test_a_token_expires_after_24_simulated_hours(simulator, org, token):
    simulator.advance(hours=23, seconds=3599)
    assert _get(simulator, _headers(org, token)).status_code == 200

    simulator.advance(seconds=1)

    response = _get(simulator, _headers(org, token))
    assert response.status_code == 401
    assert response.json()["error_code"] == "401013"


def test_revoked_tokens_are_refused_and_new_ones_work(simulator, org, token):
    assert simulator.revoke_tokens(org=org.ims_org_id) == 1

    assert _get(simulator, _headers(org, token)).status_code == 401
    assert _get(simulator, _headers(org, oauth_token(simulator, org))).status_code == 200


def test_tokens_are_forgotten_on_reset(simulator, org, token):
    simulator.reset()

    assert _get(simulator, _headers(org, token)).status_code == 401


def _jwt_token(sim, org, metascopes):
    response = requests.post(
        f"{sim.ims_url}/ims/exchange/jwt",
        data={
            "client_id": org.client_id,
            "client_secret": org.client_secret,
            "jwt_token": jwt_assertion(org, ims=sim.ims_url, metascopes=metascopes),
        },
        timeout=TIMEOUT,
    )
    return response.json()["access_token"]


def test_a_jwt_token_needs_the_gdpr_metascope(simulator, org):
    status_only = _jwt_token(simulator, org, ("ent_status_api",))
    privacy_ok = _jwt_token(simulator, org, ("ent_gdpr_sdk",))

    assert _get(simulator, _headers(org, status_only)).status_code == 403
    assert _get(simulator, _headers(org, privacy_ok)).status_code == 200


def test_lower_case_bearer_scheme_is_accepted(simulator, org, token):
    # aepp's ConnectObject sends "bearer <token>".
    assert _get(simulator, _headers(org, token, Authorization=f"bearer {token}")).status_code == 200


def test_post_without_json_content_type_gets_platforms_problem_body(simulator, org, token):
    api = privacy_api(simulator, org, token)

    response = api.post("/jobs", data="{}", headers={"Content-Type": "text/plain"})

    assert response.status_code == 400
    assert response.json() == {
        "type": "/placeholder/type/uri",
        "status": 400,
        "title": "BadRequestError",
        "detail": "A valid content-type must be specified",
    }


def test_unknown_paths_are_404(simulator, privacy):
    assert privacy.get("/nothing-here").status_code == 404

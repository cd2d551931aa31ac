"""IMS OAuth Server-to-Server (`/ims/token/v3`) as the simulator serves it."""

from __future__ import annotations

import jwt
import pytest
import requests

from tests.simulator.conftest import PRIVACY_SCOPES, TIMEOUT


def _post(sim, data=None, **kwargs):
    return requests.post(f"{sim.ims_url}/ims/token/v3", data=data, timeout=TIMEOUT, **kwargs)


def _form(org, **overrides):
    form = {
        "grant_type": "client_credentials",
        "client_id": org.client_id,
        "client_secret": org.client_secret,
        "scope": PRIVACY_SCOPES,
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def test_token_is_issued_with_expiry_in_seconds(simulator, org):
    response = _post(simulator, _form(org))

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 86399
    assert set(body) == {"access_token", "token_type", "expires_in"}


def test_access_token_is_a_jwt_with_created_at_and_expires_in_as_millisecond_strings(
    simulator, org
):
    token = _post(simulator, _form(org)).json()["access_token"]

    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header["alg"] == "RS256"
    assert claims["expires_in"] == "86400000"
    assert abs(int(claims["created_at"]) / 1000 - simulator.now()) < 2
    assert claims["client_id"] == org.client_id
    assert claims["type"] == "access_token"


def test_parameters_may_come_in_the_query_string(simulator, org):
    response = requests.post(
        f"{simulator.ims_url}/ims/token/v3", params=_form(org), timeout=TIMEOUT
    )

    assert response.status_code == 200


def test_multipart_form_bodies_and_the_v2_path_are_accepted(simulator, org):
    files = {key: (None, value) for key, value in _form(org).items()}
    response = requests.post(f"{simulator.ims_url}/ims/token/v2", files=files, timeout=TIMEOUT)

    assert response.status_code == 200


def test_scope_with_comma_and_space_as_in_adobes_sample_is_accepted(simulator, org):
    response = _post(simulator, _form(org, scope="openid, AdobeID, read_organizations"))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("overrides", "status", "error"),
    [
        ({"client_secret": "p8e-wrong"}, 401, "invalid_client"),
        ({"client_id": "0" * 32}, 400, "invalid_client"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"grant_type": None}, 400, "invalid_request"),
        ({"client_id": None}, 400, "invalid_request"),
        ({"client_secret": None}, 400, "invalid_request"),
        ({"scope": None}, 400, "invalid_request"),
        ({"scope": "openid,ent_secret_powers"}, 400, "invalid_scope"),
    ],
)
def test_bad_requests_get_oauth_error_bodies(simulator, org, overrides, status, error):
    response = _post(simulator, _form(org, **overrides))

    assert response.status_code == status
    assert response.json()["error"] == error
    assert response.json()["error_description"]


def test_a_second_secret_works_and_a_revoked_one_stops_working(simulator, org):
    new_secret = simulator.add_secret(org.index)
    assert _post(simulator, _form(org, client_secret=new_secret)).status_code == 200

    simulator.revoke_secret(org.index, org.client_secret)

    refused = _post(simulator, _form(org))
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"
    assert _post(simulator, _form(org, client_secret=new_secret)).status_code == 200


def test_reset_restores_the_generated_secrets(simulator, org):
    simulator.revoke_secret(org.index, org.client_secret)

    simulator.reset()

    assert _post(simulator, _form(org)).status_code == 200


def test_token_issuances_are_counted_per_organization(simulator, org, other_org):
    for _ in range(3):
        _post(simulator, _form(org))
    _post(simulator, _form(other_org))
    _post(simulator, _form(org, client_secret="p8e-wrong"))

    issued = simulator.requests()["token_issuances"]
    assert issued[org.ims_org_id] == {"oauth": 3, "total": 3}
    assert issued[other_org.ims_org_id]["total"] == 1
    assert simulator.request_count("POST /ims/token/v3") == 5


def test_a_chunked_request_body_is_read(simulator, org):
    encoded = "&".join(f"{k}={v}" for k, v in _form(org).items()).encode()

    def body():
        yield encoded[:20]
        yield encoded[20:]

    response = _post(
        simulator, body(), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )

    assert response.status_code == 200

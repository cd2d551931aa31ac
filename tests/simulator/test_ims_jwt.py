"""IMS Service Account (JWT) exchange: every documented check on the assertion."""

from __future__ import annotations

import time

import jwt
import pytest
import requests

from simulator.orgs import generate_key_pair
from tests.simulator.conftest import TIMEOUT, jwt_assertion

ADOBE_IMS = "https://ims-na1.adobelogin.com"


def _exchange(sim, org, assertion, *, path="/ims/exchange/jwt", secret=None, multipart=False):
    form = {
        "client_id": org.client_id,
        "client_secret": secret or org.client_secret,
        "jwt_token": assertion,
    }
    if multipart:
        return requests.post(
            sim.ims_url + path, files={k: (None, v) for k, v in form.items()}, timeout=TIMEOUT
        )
    return requests.post(sim.ims_url + path, data=form, timeout=TIMEOUT)


def test_exchange_returns_a_token_with_expiry_in_milliseconds(simulator, org):
    response = _exchange(simulator, org, jwt_assertion(org, ims=simulator.ims_url))

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert 86_000_000 < body["expires_in"] <= 86_400_000
    assert simulator.requests()["token_issuances"][org.ims_org_id] == {"jwt": 1, "total": 1}


def test_assertion_addressed_to_adobes_real_ims_host_is_accepted(simulator, org):
    assertion = jwt_assertion(org, ims=ADOBE_IMS, metascopes=("ent_gdpr_sdk", "ent_status_api"))

    assert _exchange(simulator, org, assertion).status_code == 200


def test_multipart_body_and_trailing_slash_are_accepted(simulator, org):
    assertion = jwt_assertion(org, ims=simulator.ims_url)

    response = _exchange(simulator, org, assertion, path="/ims/exchange/jwt/", multipart=True)

    assert response.status_code == 200


def test_query_string_parameters_get_adobes_internal_error(simulator, org):
    params = {
        "client_id": org.client_id,
        "client_secret": org.client_secret,
        "jwt_token": jwt_assertion(org, ims=simulator.ims_url),
    }
    response = requests.post(
        simulator.ims_url + "/ims/exchange/jwt/", params=params, timeout=TIMEOUT
    )

    assert response.status_code == 500
    assert response.json() == {
        "error": "internal_error",
        "error_description": "Please try again later",
    }


def _other_key_pem() -> str:
    return generate_key_pair("someone-else").private_key_pem


@pytest.mark.parametrize(
    ("assertion_args", "error"),
    [
        ({"aud": "https://ims-na1.adobelogin.com/c/someone-else"}, "invalid_client"),
        ({"exp": int(time.time()) - 60}, "invalid_token"),
        ({"exp": "soon"}, "invalid_token"),
        ({"exp": None}, "invalid_token"),
        ({"iss": "not-an-org"}, "bad_request"),
        ({"sub": "not-a-tech-account"}, "bad_request"),
        ({"iss": "000000000000000000000000@AdobeOrg"}, "bad_request"),
        ({"metascopes": ()}, "invalid_scope"),
        ({"metascopes": ("ent_gdpr_sdk", "ent_made_up_sdk")}, "invalid_scope"),
        ({"metascopes": ("ent_user_sdk",)}, "invalid_scope"),
    ],
)
def test_bad_assertions_get_the_documented_errors(simulator, org, assertion_args, error):
    assertion = jwt_assertion(org, ims=simulator.ims_url, **assertion_args)

    response = _exchange(simulator, org, assertion)

    assert response.status_code == 400
    assert response.json()["error"] == error


def test_metascopes_outside_the_binding_get_adobes_observed_message(simulator, org):
    assertion = jwt_assertion(org, ims=simulator.ims_url, metascopes=("ent_user_sdk",))

    body = _exchange(simulator, org, assertion).json()

    assert body == {
        "error_description": (
            "The metascopes in the JWT are not a subset of the metascopes in the binding."
        ),
        "error": "invalid_scope",
    }


def test_assertion_signed_with_another_key_fails_signature_check(simulator, org):
    assertion = jwt_assertion(org, ims=simulator.ims_url, key_pem=_other_key_pem())

    response = _exchange(simulator, org, assertion)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_signature"


def test_assertion_not_signed_with_rs256_fails_signature_check(simulator, org):
    claims = jwt.decode(
        jwt_assertion(org, ims=simulator.ims_url), options={"verify_signature": False}
    )
    assertion = jwt.encode(claims, "a-shared-secret-of-32-bytes-long!!", algorithm="HS256")

    response = _exchange(simulator, org, assertion)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_signature"


def test_garbage_assertion_cannot_be_decoded(simulator, org):
    response = _exchange(simulator, org, "not.a.jwt")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_token"


def test_wrong_secret_is_a_401_invalid_client(simulator, org):
    assertion = jwt_assertion(org, ims=simulator.ims_url)

    response = _exchange(simulator, org, assertion, secret="p8e-wrong")

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_a_jti_cannot_be_used_twice(simulator, org):
    assertion = jwt_assertion(org, ims=simulator.ims_url, jti="one-time")

    assert _exchange(simulator, org, assertion).status_code == 200
    second = _exchange(simulator, org, assertion)

    assert second.status_code == 400
    assert second.json()["error"] == "invalid_jti"

"""Adobe's documented error bodies map to the typed errors Lookout acts on."""

from __future__ import annotations

import json

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from adobe.errors import (
    AdobeAuthError,
    AdobeInvalidRequest,
    AdobeNotFound,
    AdobeRateLimited,
    AdobeUnavailable,
)
from adobe.http_errors import error_for_status, parse_retry_after
from adobe.ims import build_jwt_assertion
from tests.adobe.helpers import payload


def _error(status, body, **kwargs):
    return error_for_status(
        "GET", "/jobs", status=status, content=json.dumps(body).encode(), **kwargs
    )


@pytest.mark.parametrize(
    ("index", "status", "expected"),
    [
        (0, 403, AdobeAuthError),  # Oauth token is missing.
        (1, 401, AdobeAuthError),  # Oauth token is not valid
        (2, 403, AdobeAuthError),  # Api Key is required
        (3, 403, AdobeAuthError),  # Api Key is invalid
        (4, 400, AdobeInvalidRequest),  # Missing header
        (5, 403, AdobeAuthError),  # Profile is not valid
        (6, 400, AdobeInvalidRequest),  # problem detail: content-type
    ],
)
def test_gateway_errors_map_to_typed_errors_with_adobe_code(index, status, expected):
    body = payload("gateway_errors")[index]
    error = _error(status, body)
    assert type(error) is expected
    assert error.status == status
    assert error.code == (body.get("error_code") or body.get("title"))
    assert (body.get("message") or body.get("detail")) in str(error)


def test_ims_invalid_scope_is_a_permanent_auth_error():
    error = _error(400, payload("ims_error_invalid_scope"))
    assert isinstance(error, AdobeAuthError)
    assert error.permanent
    assert error.code == "invalid_scope"
    assert "not a subset of the metascopes" in error.message


def test_ims_internal_error_is_transient():
    error = _error(500, payload("ims_error_internal"))
    assert isinstance(error, AdobeUnavailable)
    assert not error.permanent
    assert error.code == "internal_error"


def test_not_found_is_its_own_invalid_request():
    error = _error(404, {"title": "NotFoundError", "detail": "no such job"})
    assert isinstance(error, AdobeNotFound)
    assert isinstance(error, AdobeInvalidRequest)


def test_rate_limit_carries_server_retry_after_or_our_backoff():
    with_header = _error(429, {}, retry_after="7")
    assert isinstance(with_header, AdobeRateLimited)
    assert (with_header.retry_after, with_header.from_server) == (7.0, True)
    without = _error(429, {}, backoff=2.5)
    assert (without.retry_after, without.from_server) == (2.5, False)


def test_retry_after_accepts_seconds_and_http_dates():
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: go now
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_secrets_echoed_in_an_error_body_are_redacted():
    error = _error(
        400,
        {"error": "invalid_client", "error_description": "bad s3cr3t-value"},
        secrets=["s3cr3t-value"],
    )
    assert "s3cr3t-value" not in str(error)
    assert "[redacted]" in str(error)


def test_jwt_assertion_has_the_claims_of_adobes_sample():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    from datetime import UTC, datetime

    now = datetime(2025, 1, 1, tzinfo=UTC)
    token = build_jwt_assertion(
        client_id="a64f5f10849a410a97ffdac8ae1",
        ims_org_id="C74F69D7594880280@AdobeOrg",
        technical_account_id="6657031C5C095BB40A4@techacct.adobe.com",
        private_key_pem=pem,
        metascopes=["ent_dataservices_sdk"],
        audience_base="https://ims-na1.adobelogin.com",
        now=now,
    )
    claims = jwt.decode(
        token,
        key.public_key(),
        algorithms=["RS256"],
        audience="https://ims-na1.adobelogin.com/c/a64f5f10849a410a97ffdac8ae1",
        options={"verify_exp": False},
    )
    sample = payload("ims_jwt_claims_sample")
    assert set(claims) == set(sample)
    assert claims["https://ims-na1.adobelogin.com/s/ent_dataservices_sdk"] is True
    assert claims["exp"] == int(now.timestamp()) + 300
    assert jwt.get_unverified_header(token)["alg"] == "RS256"

"""Tokens, client secrets and private keys never appear in a repr, str, exception or log line."""

from __future__ import annotations

import logging

import pytest

from adobe import (
    AdobeError,
    CachedTokenProvider,
    IMSClient,
    PrivacyClient,
    StatusClient,
)
from adobe.ims import METASCOPE_PRIVACY, build_jwt_assertion, utc_now
from tests.adobe.conftest import FAST_RETRY

JOBS = "GET /data/core/privacy/jobs"
OAUTH = "POST /ims/token/v3"


def _pem_body(pem: str) -> list[str]:
    """Lines of the key's base64 body: any of them leaking is a leak."""
    return [line for line in pem.splitlines() if line and not line.startswith("-----")]


def test_nothing_secret_leaks_through_a_day_of_failures(simulator, org, caplog):
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []  # every repr, str and message produced below
    ims = IMSClient(base_url=simulator.ims_url, timeout=2.0)
    second = simulator.add_secret(org.ims_org_id)

    def expect_error(call, *args, **kwargs):
        with pytest.raises(AdobeError) as caught:
            call(*args, **kwargs)
        seen.extend([str(caught.value), repr(caught.value), str(caught.value.__cause__)])

    # IMS: wrong secrets, a fallback that works, JWT with a good and a bad key.
    expect_error(
        ims.exchange_oauth,
        client_id=org.client_id,
        client_secret=["wrong-secret-1", "wrong-secret-2"],
        scopes=org.scopes,
    )
    token = ims.exchange_oauth(
        client_id=org.client_id, client_secret=["wrong-secret-1", second], scopes=org.scopes
    )
    jwt_token = ims.exchange_jwt(
        client_id=org.client_id,
        client_secret=org.client_secret,
        ims_org_id=org.ims_org_id,
        technical_account_id=org.technical_account_id,
        private_key_pem=org.private_key_pem,
        metascopes=[METASCOPE_PRIVACY],
    )
    expect_error(
        ims.exchange_jwt,
        client_id=org.client_id,
        client_secret=org.client_secret,
        ims_org_id=org.ims_org_id,
        technical_account_id=org.technical_account_id,
        private_key_pem=org.private_key_pem[:200],
        metascopes=[METASCOPE_PRIVACY],
    )
    # IMS echoing the secret back in an error body.
    simulator.add_fault(
        "error",
        status=400,
        endpoint=OAUTH,
        count=1,
        body={
            "error": "invalid_client",
            "error_description": f"secret {org.client_secret} is wrong",
        },
    )
    expect_error(
        ims.exchange_oauth,
        client_id=org.client_id,
        client_secret=org.client_secret,
        scopes=org.scopes,
    )
    seen += [repr(token), str(token), repr(jwt_token), repr(ims)]

    # Privacy and Status: a revoked token, retries, an error body echoing the bearer token.
    provider = CachedTokenProvider(
        lambda: ims.exchange_oauth(client_id=org.client_id, client_secret=second, scopes=org.scopes)
    )
    privacy = PrivacyClient(
        base_url=simulator.privacy_url,
        client_id=org.client_id,
        ims_org_id=org.ims_org_id,
        token_provider=provider,
        retry=FAST_RETRY,
    )
    status = StatusClient(base_url=simulator.status_url, token_provider=provider, retry=FAST_RETRY)
    jobs = privacy.list_jobs(regulation="gdpr")
    first_bearer = provider.token.value
    simulator.revoke_tokens(org.ims_org_id)
    simulator.add_fault("server_error", status=503, endpoint=JOBS, count=1)
    privacy.list_jobs_page(regulation="gdpr", page=1)
    bearer = provider.token.value
    simulator.add_fault(
        "error",
        status=400,
        endpoint=JOBS,
        body={"error_code": "400999", "message": f"bad token {bearer}"},
    )
    expect_error(privacy.list_jobs_page, regulation="gdpr", page=1)
    simulator.add_fault("revoked_token", surface="status")
    expect_error(status.clouds)
    seen += [repr(privacy), repr(status), repr(provider), repr(jobs[:3])]

    secrets = [
        *org.client_secrets,
        second,
        token.value,
        jwt_token.value,
        first_bearer,
        bearer,
        *_pem_body(org.private_key_pem),
        build_jwt_assertion(
            client_id=org.client_id,
            ims_org_id=org.ims_org_id,
            technical_account_id=org.technical_account_id,
            private_key_pem=org.private_key_pem,
            metascopes=[METASCOPE_PRIVACY],
            audience_base=simulator.ims_url,
            now=utc_now(),
        ).split(".")[2],
    ]
    output = "\n".join(seen) + "\n" + caplog.text
    assert "[redacted]" in output  # the echoed secret and token were caught
    for secret in secrets:
        assert secret not in output
    assert "adobe.http" in caplog.text  # the transport did log, just not secrets


def test_token_reprs_hide_the_value(simulator, ims, org):
    token = ims.exchange_oauth(
        client_id=org.client_id, client_secret=org.client_secret, scopes=org.scopes
    )
    assert token.value not in repr(token)
    assert token.value not in str(token)
    assert token.value not in f"{token}"

"""IMSClient against the simulator over real sockets: tokens, secret fallback, typed failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from adobe import AdobeAuthError, AdobeBadResponse, AdobeRateLimited, AdobeUnavailable, IMSClient
from adobe.errors import AdobeInvalidRequest
from adobe.ims import METASCOPE_PRIVACY

OAUTH = "POST /ims/token/v3"
JWT = "POST /ims/exchange/jwt"


def _oauth(ims, org, secrets=None, scopes=None):
    return ims.exchange_oauth(
        client_id=org.client_id,
        client_secret=list(org.client_secrets) if secrets is None else secrets,
        scopes=org.scopes if scopes is None else scopes,
    )


def _jwt(ims, org, **overrides):
    arguments = {
        "client_id": org.client_id,
        "client_secret": org.client_secret,
        "ims_org_id": org.ims_org_id,
        "technical_account_id": org.technical_account_id,
        "private_key_pem": org.private_key_pem,
        "metascopes": [METASCOPE_PRIVACY],
    }
    arguments.update(overrides)
    return ims.exchange_jwt(**arguments)


def _other_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _ims_issuing_at(simulator, issued: datetime) -> IMSClient:
    """A client whose clock stands still at ``issued``: expires_at - issued is the lifetime read."""
    return IMSClient(base_url=simulator.ims_url, timeout=5.0, clock=lambda: issued)


def test_oauth_token_lives_about_a_day_counted_in_seconds(simulator, org, counted):
    issued = datetime.now(UTC)
    token = _oauth(_ims_issuing_at(simulator, issued), org)
    assert token.value
    assert token.secret_index == 0
    assert timedelta(hours=23) < token.expires_at - issued <= timedelta(hours=24)
    assert counted(OAUTH) == 1


def test_jwt_token_lives_about_a_day_counted_in_milliseconds(simulator, org, counted):
    issued = datetime.now(UTC)
    token = _jwt(_ims_issuing_at(simulator, issued), org)
    # Read as seconds, 86,399,992 would be 1,000 days; the token must say about one day.
    assert timedelta(hours=23) < token.expires_at - issued <= timedelta(hours=24)
    assert counted(JWT) == 1


def test_the_second_secret_is_used_when_the_first_is_rejected(simulator, ims, org, counted):
    second = simulator.add_secret(org.ims_org_id)
    simulator.revoke_secret(org.ims_org_id, org.client_secret)
    token = _oauth(ims, org, secrets=[org.client_secret, second])
    assert token.secret_index == 1
    assert counted(OAUTH) == 2


def test_jwt_exchange_also_falls_back_to_the_next_secret(simulator, ims, org, counted):
    second = simulator.add_secret(org.ims_org_id)
    token = _jwt(ims, org, client_secret=["not-the-secret", second])
    assert token.secret_index == 1
    assert counted(JWT) == 2


def test_all_secrets_rejected_is_a_permanent_auth_error(simulator, ims, org, counted):
    with pytest.raises(AdobeAuthError) as caught:
        _oauth(ims, org, secrets=["wrong-1", "wrong-2", "wrong-3"])
    assert caught.value.code == "invalid_client"
    assert caught.value.permanent
    assert "all 3 client secrets" in str(caught.value)
    assert counted(OAUTH) == 3


def test_a_scope_error_does_not_try_other_secrets(simulator, ims, org, counted):
    with pytest.raises(AdobeAuthError) as caught:
        _oauth(ims, org, secrets=[org.client_secret, "spare"], scopes=["no_such_scope"])
    assert caught.value.code == "invalid_scope"
    assert counted(OAUTH) == 1


def test_jwt_signed_with_another_key_is_refused(simulator, ims, org):
    with pytest.raises(AdobeAuthError) as caught:
        _jwt(ims, org, private_key_pem=_other_key_pem())
    assert caught.value.code == "invalid_signature"


def test_jwt_with_a_metascope_outside_the_binding_is_refused(simulator, ims, org):
    with pytest.raises(AdobeAuthError) as caught:
        _jwt(ims, org, metascopes=["ent_user_sdk"])
    assert caught.value.code == "invalid_scope"


def test_jwt_metascope_may_be_given_as_the_full_claim_name(simulator, ims, org):
    token = _jwt(ims, org, metascopes=[f"https://ims-na1.adobelogin.com/s/{METASCOPE_PRIVACY}"])
    assert token.value


def test_an_unreadable_private_key_is_refused_before_sending(simulator, ims, org, counted):
    with pytest.raises(AdobeInvalidRequest) as caught:
        _jwt(ims, org, private_key_pem="-----BEGIN " + "PRIVATE KEY-----\nnope\n")
    assert caught.value.field == "private_key_pem"
    assert counted(JWT) == 0


@pytest.mark.parametrize("status", [500, 502, 503])
def test_ims_server_errors_are_transient_and_token_posts_are_sent_once(
    simulator, ims, org, counted, status
):
    simulator.add_fault("server_error", status=status, endpoint=OAUTH)
    with pytest.raises(AdobeUnavailable) as caught:
        _oauth(ims, org)
    assert caught.value.status == status
    assert not caught.value.permanent
    assert counted(OAUTH) == 1


def test_ims_rate_limit_reports_retry_after(simulator, ims, org, counted):
    simulator.add_fault("rate_limit", retry_after=30, endpoint=OAUTH)
    with pytest.raises(AdobeRateLimited) as caught:
        _oauth(ims, org)
    assert caught.value.retry_after == 30
    assert caught.value.from_server
    assert counted(OAUTH) == 1


def test_ims_answer_slower_than_the_timeout_is_unavailable(simulator, org, counted):
    simulator.add_fault("slow", seconds=0.8, endpoint=OAUTH, count=1)
    ims = IMSClient(base_url=simulator.ims_url, timeout=0.3)
    with pytest.raises(AdobeUnavailable, match=r"no response within 0\.3 s") as caught:
        _oauth(ims, org)
    assert caught.value.maybe_processed
    assert counted(OAUTH, expect=1) == 1


def test_malformed_token_response_is_a_bad_response(simulator, ims, org):
    simulator.add_fault("malformed_json", endpoint=OAUTH)
    with pytest.raises(AdobeBadResponse) as caught:
        _oauth(ims, org)
    assert caught.value.field == "<body>"


def test_dropped_connection_is_unavailable(simulator, ims, org, counted):
    simulator.add_fault("drop_connection", endpoint=OAUTH)
    with pytest.raises(AdobeUnavailable):
        _oauth(ims, org)
    assert counted(OAUTH) == 1

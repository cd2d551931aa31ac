"""Tokens stay fresh on the simulator's clock, recover from revocation, survive secret rotation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from adobe import PrivacyClient
from dashboard.models import ClientSecret, Credential
from dashboard.services.clients import privacy_client
from dashboard.services.credentials import secret_add, secret_retire
from dashboard.services.tokens import (
    CredentialNeedsAttention,
    credential_ids_refresh_due,
    credential_test,
    token_get,
    token_refresh,
)
from tests.conftest import onboard_oauth

JOBS = "GET /data/core/privacy/jobs"


def _privacy(credential: Credential) -> PrivacyClient:
    return privacy_client(organization=credential.organization, credential=credential)


def _list_one_page(privacy: PrivacyClient) -> None:
    privacy.list_jobs_page(regulation="gdpr", page=1, size=1)


def _refresh_due() -> None:
    """What beat and the workers do every few minutes."""
    for credential_id in credential_ids_refresh_due():
        token_refresh(credential_id=credential_id)


def test_three_simulated_days_never_send_an_expired_token(sim_org, adobe):
    credential = onboard_oauth(sim_org, adobe.org(0))
    privacy = _privacy(credential)
    step = timedelta(minutes=20)
    steps = int(timedelta(days=3) / step)
    # Lookout's clock and Adobe's move together, one beat interval at a time.
    with time_machine.travel(datetime.fromtimestamp(adobe.now(), UTC), tick=False) as clock:
        for _ in range(steps):
            _refresh_due()
            _list_one_page(privacy)
            clock.shift(step)
            adobe.advance(seconds=step.total_seconds())

    statuses = adobe.requests()["statuses"][JOBS]
    assert statuses == {"200": steps}  # no 401: no call ever carried an expired token
    # One token a day, taken in the hour before the previous one expired: 72 h / 23 h.
    assert adobe.token_issuances(0) == 4


def test_a_revoked_token_recovers_with_one_refresh(sim_org, adobe):
    credential = onboard_oauth(sim_org, adobe.org(0))
    first_worker, second_worker = _privacy(credential), _privacy(credential)
    _list_one_page(first_worker)
    assert adobe.token_issuances(0) == 1

    adobe.revoke_tokens(org=sim_org.ims_org_id)
    _list_one_page(first_worker)  # 401, one refresh, one retry
    _list_one_page(second_worker)  # finds the new token already there
    assert adobe.token_issuances(0) == 2
    assert adobe.requests()["statuses"][JOBS] == {"200": 3, "401": 1}


def test_a_rotated_secret_keeps_working(sim_org, adobe, alice):
    generated = adobe.org(0)
    old_secret = generated.client_secret
    credential = onboard_oauth(sim_org, generated, secrets=[old_secret])
    assert credential_test(credential=credential, actor=alice).ok

    new_secret = adobe.add_secret(0)
    secret_add(credential=credential, secret=new_secret, actor=alice, make_primary=True)
    adobe.revoke_secret(0, old_secret)  # Developer Console drops the old one
    outcome = credential_test(credential=credential, actor=alice)
    assert outcome.ok, outcome.message
    assert f"secret …{new_secret[-4:]}" in outcome.message

    old_row = ClientSecret.objects.get(credential=credential, hint=f"…{old_secret[-4:]}")
    secret_retire(secret=old_row, actor=alice)
    old_row.refresh_from_db()
    assert old_row.secret_encrypted == "" and old_row.retired_at is not None
    assert credential_test(credential=credential, actor=alice).ok


def test_a_fallback_secret_is_tried_when_the_primary_is_refused(client, sim_org, adobe, alice):
    generated = adobe.org(0)
    credential = onboard_oauth(
        sim_org, generated, secrets=["p8e-revoked-primary", generated.client_secret]
    )
    outcome = credential_test(credential=credential, actor=alice)
    assert outcome.ok
    assert f"secret …{generated.client_secret[-4:]}" in outcome.message
    client.force_login(alice)
    page = client.get(credential.get_absolute_url()).content.decode()
    assert "Fallback" in page and "Primary" in page


def test_a_transient_ims_failure_backs_off_and_then_recovers(sim_org, adobe):
    credential = onboard_oauth(sim_org, adobe.org(0))
    adobe.add_fault("server_error", status=503, surface="ims", count=1)
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        outcome = token_refresh(credential_id=credential.pk)
        assert not outcome.ok
        assert outcome.message.startswith(
            "IMS did not answer properly: POST /ims/token/v3 failed: HTTP 503"
        )
        credential.refresh_from_db()
        assert credential.consecutive_failures == 1 and not credential.needs_attention
        assert credential.health[1].startswith("Token refresh failed 1 time: IMS did not answer")
        assert credential.pk not in credential_ids_refresh_due()  # backing off

        assert credential.next_attempt_at - credential.last_error_at == timedelta(minutes=1)
        clock.shift(timedelta(minutes=1))
        assert credential.pk in credential_ids_refresh_due()
        assert token_refresh(credential_id=credential.pk).ok
    credential.refresh_from_db()
    assert credential.consecutive_failures == 0 and credential.health[0] == "ok"


def test_a_permanent_failure_waits_for_an_admin(client, sim_org, adobe, alice):
    generated = adobe.org(0)
    credential = onboard_oauth(sim_org, generated, secrets=["p8e-wrong-secret-000"])
    assert not token_refresh(credential_id=credential.pk).ok
    assert credential.pk not in credential_ids_refresh_due()
    assert adobe.request_count("POST /ims/token/v3") == 1

    client.force_login(alice)
    client.post(
        reverse("dashboard:secret_add", args=[credential.code]),
        {"secret": generated.client_secret, "make_primary": "on"},
    )
    assert credential.pk in credential_ids_refresh_due()  # the admin acted
    _refresh_due()
    credential.refresh_from_db()
    assert credential.health[0] == "ok"


def test_a_credential_ims_refuses_is_probed_on_a_backoff_and_recovers_by_itself(sim_org, adobe):
    """IMS refusing once must not switch a credential off for good: it is tried again later."""
    credential = onboard_oauth(sim_org, adobe.org(0))
    adobe.add_fault(
        "error",
        status=400,
        surface="ims",
        count=1,
        body={"error": "invalid_client", "error_description": "invalid client_id parameter"},
    )
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        outcome = token_refresh(credential_id=credential.pk)
        assert outcome.message == "IMS rejected the client ID or client secret (invalid_client)."
        credential.refresh_from_db()
        assert credential.needs_attention
        assert credential.next_attempt_at - credential.last_error_at == timedelta(minutes=5)
        assert credential.pk not in credential_ids_refresh_due()
        with pytest.raises(CredentialNeedsAttention):  # no IMS call before the probe is due
            token_get(credential_id=credential.pk)
        assert adobe.request_count("POST /ims/token/v3") == 1

        clock.shift(timedelta(minutes=5))
        assert credential.pk in credential_ids_refresh_due()
        _refresh_due()
    credential.refresh_from_db()
    assert not credential.needs_attention and credential.health[0] == "ok"

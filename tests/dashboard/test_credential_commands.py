"""The scriptable side: onboard_credential, rotate_encryption_key and the start-up check."""

from __future__ import annotations

import io
import json

import pytest
from cryptography.fernet import Fernet
from django.core.checks import run_checks
from django.core.management import CommandError, call_command

from dashboard import crypto
from dashboard.models import ClientSecret, Credential
from tests import pems


def _onboard(monkeypatch, stdin: str, *args: str) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command("onboard_credential", *args, stdout=out)
    return out.getvalue()


def test_onboard_oauth_from_stdin_by_ims_org_id_and_test_it(monkeypatch, sim_org, adobe):
    generated = adobe.org(0)
    printed = _onboard(
        monkeypatch,
        generated.client_secret + "\n",
        "--org",
        sim_org.ims_org_id,
        "--kind",
        "oauth",
        "--client-id",
        generated.client_id,
        "--scopes",
        ",".join(generated.scopes),
        "--client-secret-file",
        "-",
        "--test",
    )
    assert "saved for Simulated Org; its secrets are stored encrypted." in printed
    assert "Connection works. New token valid until" in printed
    assert generated.client_secret not in printed
    assert adobe.token_issuances(0) == 1


def test_onboard_jwt_from_files_by_organization_code(tmp_path, sim_org, adobe):
    generated = adobe.org(0)
    (tmp_path / "secret").write_text(generated.client_secret)
    (tmp_path / "private.key").write_text(generated.private_key_pem)
    (tmp_path / "cert.crt").write_text(generated.certificate_pem)
    out = io.StringIO()
    call_command(
        "onboard_credential",
        "--org",
        str(sim_org.code),
        "--kind",
        "jwt",
        "--client-id",
        generated.client_id,
        "--technical-account-id",
        generated.technical_account_id,
        "--metascopes",
        ",".join(generated.metascopes),
        "--client-secret-file",
        str(tmp_path / "secret"),
        "--private-key-file",
        str(tmp_path / "private.key"),
        "--certificate-file",
        str(tmp_path / "cert.crt"),
        "--test",
        stdout=out,
    )
    assert "Connection works." in out.getvalue()
    assert Credential.objects.get().certificate_expires_at is not None


def test_onboard_from_the_console_json(tmp_path, sim_org, adobe):
    generated = adobe.org(0)
    path = tmp_path / "credential.json"
    path.write_text(
        json.dumps(
            {
                "CLIENT_ID": generated.client_id,
                "CLIENT_SECRETS": list(generated.client_secrets),
                "ORG_ID": generated.ims_org_id,
                "SCOPES": list(generated.scopes),
            }
        )
    )
    call_command(
        "onboard_credential",
        "--org",
        sim_org.ims_org_id,
        "--kind",
        "oauth",
        "--console-json",
        str(path),
        stdout=io.StringIO(),
    )
    assert Credential.objects.get().client_id == generated.client_id


def test_bad_input_on_the_command_line_saves_nothing(monkeypatch, sim_org, adobe):
    with pytest.raises(
        CommandError, match="private_key: This is an elliptic-curve \\(EC\\) key, not an RSA key"
    ):
        monkeypatch.setattr("sys.stdin", io.StringIO(pems.ec_private_pem()))
        call_command(
            "onboard_credential",
            "--org",
            sim_org.ims_org_id,
            "--kind",
            "jwt",
            "--client-id",
            "x",
            "--technical-account-id",
            "t@techacct.adobe.com",
            "--metascopes",
            "ent_gdpr_sdk",
            "--private-key-file",
            "-",
            stdout=io.StringIO(),
        )
    with pytest.raises(CommandError, match="No organization has the code or IMS org id"):
        call_command("onboard_credential", "--org", "nobody@AdobeOrg", "--kind", "oauth")
    assert not Credential.objects.exists()


def test_secrets_cannot_be_passed_on_the_command_line(db):
    with pytest.raises(CommandError, match="unrecognized arguments: --client-secret"):
        call_command(
            "onboard_credential",
            "--org",
            "x",
            "--kind",
            "oauth",
            "--client-secret",
            "p8e-visible-in-ps",
        )


def test_rotating_the_encryption_key_keeps_every_secret_readable(settings, acme_credential):
    old_key = settings.LOOKOUT_ENCRYPTION_KEYS[0]
    before = [crypto.decrypt(s.secret_encrypted) for s in ClientSecret.objects.order_by("pk")]
    new_key = Fernet.generate_key().decode()
    settings.LOOKOUT_ENCRYPTION_KEYS = [new_key, old_key]
    out = io.StringIO()
    call_command("rotate_encryption_key", stdout=out)
    assert "Re-encrypted 2 secrets under the first key." in out.getvalue()

    settings.LOOKOUT_ENCRYPTION_KEYS = [new_key]  # the old key can go now
    after = [crypto.decrypt(s.secret_encrypted) for s in ClientSecret.objects.order_by("pk")]
    assert after == before
    assert acme_credential.audit_events.model.objects.filter(action="keys_rotated").count() == 1


def test_start_up_names_a_credential_no_key_can_decrypt(settings, acme_credential, acme):
    assert not [m for m in run_checks(databases=["default"]) if m.id == "dashboard.W002"]
    settings.LOOKOUT_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the old key is lost
    messages = [m for m in run_checks(databases=["default"]) if m.id == "dashboard.W002"]
    assert [m.msg for m in messages] == [
        "Credential “Acme privacy” of Acme has secrets that no key in LOOKOUT_ENCRYPTION_KEYS "
        "can decrypt."
    ]
    with pytest.raises(CommandError, match="Acme / Acme privacy \\(secret …0001\\)"):
        call_command("rotate_encryption_key", stdout=io.StringIO())

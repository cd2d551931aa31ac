"""The scriptable side: onboard_credential, rotate_encryption_key and the start-up check."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.checks import run_checks
from django.core.management import CommandError, call_command

from dashboard import crypto
from dashboard.models import AuditEvent, ClientSecret, Credential, Organization
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


def test_rotating_the_encryption_key_keeps_every_secret_readable(
    settings, tmp_path, acme_credential
):
    old_key = settings.LOOKOUT_ENCRYPTION_KEYS[0]
    key_file = tmp_path / "encryption_keys"
    key_file.write_text(old_key)
    settings.LOOKOUT_ENCRYPTION_KEYS_FILE = str(key_file)  # the procedure: keys in a file
    before = [crypto.decrypt(s.secret_encrypted) for s in ClientSecret.objects.order_by("pk")]
    new_key = Fernet.generate_key().decode()
    key_file.write_text(f"{new_key}\n{old_key}\n")
    out = io.StringIO()
    call_command("rotate_encryption_key", stdout=out)
    assert f"Re-encrypted 2 secrets under the first key in {key_file}" in out.getvalue()

    key_file.write_text(new_key)  # the old key can go now
    after = [crypto.decrypt(s.secret_encrypted) for s in ClientSecret.objects.order_by("pk")]
    assert after == before
    assert acme_credential.audit_events.model.objects.filter(action="keys_rotated").count() == 1


def test_start_up_names_a_credential_no_key_can_decrypt(settings, acme_credential, acme):
    assert not [m for m in run_checks(databases=["default"]) if m.id == "dashboard.W002"]
    settings.LOOKOUT_ENCRYPTION_KEYS_FILE = ""  # keys from the environment only
    settings.LOOKOUT_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the old key is lost
    messages = [m for m in run_checks(databases=["default"]) if m.id == "dashboard.W002"]
    assert [m.msg for m in messages] == [
        "Credential “Acme privacy” of Acme has secrets that no key in LOOKOUT_ENCRYPTION_KEYS "
        "can decrypt."
    ]
    with pytest.raises(CommandError, match="Acme / Acme privacy \\(secret …0001\\)"):
        call_command("rotate_encryption_key", "--restarted", stdout=io.StringIO())


# --- Bad files: a one-line CommandError, no traceback, nothing written ------------------------


def _rows() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Organization, Credential, ClientSecret, AuditEvent)
    }


def _refused(*args: str, match: str, secrets=()) -> str:
    before = _rows()
    with pytest.raises(CommandError) as caught:
        call_command("onboard_credential", *args, stdout=io.StringIO(), stderr=io.StringIO())
    message = str(caught.value)
    assert match in message
    assert "\n" not in message  # one line
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    for secret in secrets:
        assert secret not in message
    assert _rows() == before
    return message


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            lambda g: json.dumps({"CLIENT_ID": 5, "CLIENT_SECRETS": list(g.client_secrets)}),
            "This file's CLIENT_ID should be a string, not a number",
        ),
        (
            lambda g: json.dumps({"CLIENT_ID": "c", "CLIENT_SECRETS": [g.client_secret, None]}),
            "This file's CLIENT_SECRETS[1] should be a string, not null",
        ),
        (
            lambda g: json.dumps(
                {"CLIENT_ID": "c", "CLIENT_SECRETS": list(g.client_secrets), "ORG_ID": []}
            ),
            "This file's ORG_ID should be a string, not a list",
        ),
        (
            lambda g: json.dumps({"project": {"org": {"ims_org_id": {"id": g.ims_org_id}}}}),
            "This file's project.org.ims_org_id should be a string, not an object",
        ),
        (lambda g: "[" * 30_000, "This file nests brackets more than 32 levels deep"),
        (lambda g: b"{\xff\xfe\xfd}", "This file is not UTF-8 text, so it is not JSON"),
        (lambda g: "{not json", "This file is not JSON"),
        (
            lambda g: json.dumps(
                {
                    "CLIENT_ID": "c",
                    "CLIENT_SECRETS": list(g.client_secrets),
                    "ORG_ID": "FFFFFFFFFFFFFFFFFFFFFFFF@AdobeOrg",
                }
            ),
            "This file is for IMS organization FFFFFFFFFFFFFFFFFFFFFFFF@AdobeOrg, not Simulated",
        ),
    ],
    ids=[
        "number",
        "null secret",
        "list org",
        "object org",
        "nested",
        "not utf-8",
        "not json",
        "other org",
    ],
)
def test_a_malformed_console_json_is_a_command_error(tmp_path, sim_org, adobe, raw, message):
    generated = adobe.org(0)
    content = raw(generated)
    path = tmp_path / "credential.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    args = ("--org", sim_org.ims_org_id, "--kind", "oauth", "--console-json", str(path))
    printed = _refused(*args, match=message, secrets=generated.client_secrets)
    assert printed.startswith("Nothing was saved: ")


def test_a_console_json_with_a_byte_order_mark_onboards(tmp_path, sim_org, adobe):
    generated = adobe.org(0)
    path = tmp_path / "credential.json"
    document = {
        "CLIENT_ID": generated.client_id,
        "CLIENT_SECRETS": list(generated.client_secrets),
        "ORG_ID": generated.ims_org_id,
        "SCOPES": list(generated.scopes),
    }
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(document).encode())
    out = io.StringIO()
    call_command(
        "onboard_credential",
        *("--org", sim_org.ims_org_id, "--kind", "oauth", "--console-json", str(path), "--test"),
        stdout=out,
    )
    assert "Connection works." in out.getvalue()


def test_a_secret_file_that_is_not_utf8_is_a_command_error(tmp_path, sim_org, adobe):
    path = tmp_path / "secret"
    path.write_bytes("p8e-sécret".encode("latin-1"))
    _refused(
        *("--org", sim_org.ims_org_id, "--kind", "oauth", "--client-id", "c", "--scopes", "s"),
        *("--client-secret-file", str(path)),
        match=f"Nothing was saved: the client secret file {path} is not UTF-8 text.",
    )
    _refused(
        *("--org", sim_org.ims_org_id, "--kind", "jwt", "--private-key-file", str(path)),
        match=f"the private key file {path} is not UTF-8 text.",
    )


def test_a_secret_file_with_a_byte_order_mark_onboards(tmp_path, sim_org, adobe):
    generated = adobe.org(0)
    path = tmp_path / "secret"
    path.write_bytes(b"\xef\xbb\xbf" + generated.client_secret.encode() + b"\r\n")
    out = io.StringIO()
    call_command(
        "onboard_credential",
        *("--org", sim_org.ims_org_id, "--kind", "oauth", "--client-id", generated.client_id),
        *("--scopes", ",".join(generated.scopes), "--client-secret-file", str(path), "--test"),
        stdout=out,
    )
    assert "Connection works." in out.getvalue()


def test_manage_py_prints_one_line_and_no_traceback(tmp_path):
    """The whole way a shell sees it: exit status 1, one line on stderr, no traceback."""
    path = tmp_path / "secret"
    path.write_bytes(b"\xff\xfe not utf-8")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SECRET_KEY", "DATABASE"))},
        "SECRET_KEY": "k" * 60,
        "LOOKOUT_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'never-opened.sqlite3'}",
    }
    env.pop("LOOKOUT_ENCRYPTION_KEYS_FILE", None)
    result = subprocess.run(
        [
            *(sys.executable, "manage.py", "onboard_credential", "--org", "x@AdobeOrg"),
            *("--kind", "oauth", "--client-secret-file", str(path)),
        ],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"CommandError: Nothing was saved: the client secret file {path} is not UTF-8 text."
    )


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (
            lambda: rsa.generate_private_key(public_exponent=65537, key_size=1024),  # noqa: S505
            "private_key: This RSA key is 1024 bits, too weak to sign with",
        ),
        (
            lambda: rsa.generate_private_key(public_exponent=3, key_size=2048),
            "private_key: This RSA key's public exponent is 3",
        ),
    ],
    ids=["1024 bits", "exponent 3"],
)
def test_a_weak_key_on_the_command_line_saves_nothing(tmp_path, sim_org, adobe, key, message):
    generated = adobe.org(0)
    (tmp_path / "secret").write_text(generated.client_secret)
    (tmp_path / "private.key").write_text(pems.private_pem(key()))
    before = _rows()
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command(
            "onboard_credential",
            *("--org", sim_org.ims_org_id, "--kind", "jwt", "--client-id", generated.client_id),
            *("--technical-account-id", generated.technical_account_id),
            *("--metascopes", "ent_gdpr_sdk", "--client-secret-file", str(tmp_path / "secret")),
            *("--private-key-file", str(tmp_path / "private.key")),
            stdout=io.StringIO(),
        )
    assert _rows() == before

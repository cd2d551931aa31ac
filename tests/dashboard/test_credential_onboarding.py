"""Admins onboard credentials once; bad input is explained and saves nothing.

Against the simulator over real sockets: the Test connection button gets a real token.
"""

from __future__ import annotations

import html
import json

import pytest
from cryptography.hazmat.primitives.asymmetric import dsa, ed25519, rsa
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.models import AuditEvent, ClientSecret, Credential, Organization
from tests import pems


def _upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="application/octet-stream")


def _oauth_form(generated, **overrides) -> dict:
    data = {
        "name": "Privacy",
        "usage": "both",
        "client_id": generated.client_id,
        "client_secret": generated.client_secret,
        "scopes": ",".join(generated.scopes),
        "technical_account_id": generated.technical_account_id,
        "technical_account_email": generated.technical_account_email,
    }
    return {**data, **overrides}


def _jwt_form(generated, **overrides) -> dict:
    data = {
        "name": "Legacy JWT",
        "usage": "both",
        "client_id": generated.client_id,
        "client_secret": generated.client_secret,
        "technical_account_id": generated.technical_account_id,
        "metascopes": ",".join(generated.metascopes),
        "private_key": _upload("private.key", generated.private_key_pem),
        "certificate": _upload("certificate_pub.crt", generated.certificate_pem),
    }
    return {**data, **overrides}


def _add(client, organization, kind: str, data: dict):
    return client.post(
        reverse(f"dashboard:credential_add_{kind}", args=[organization.code]), data, follow=True
    )


def _test_connection(client, credential):
    return client.post(reverse("dashboard:credential_test", args=[credential.code]), follow=True)


def test_admin_onboards_oauth_and_the_connection_works(client, alice, sim_org, adobe):
    generated = adobe.org(0)
    client.force_login(alice)
    page = _add(client, sim_org, "oauth", _oauth_form(generated)).content.decode()
    assert "Credential saved. Its secrets will not be shown again." in page
    credential = Credential.objects.get(organization=sim_org)
    assert credential.secrets.get().hint == f"…{generated.client_secret[-4:]}"

    page = _test_connection(client, credential).content.decode()
    assert "Connection works. New token valid until" in page
    assert adobe.token_issuances(0) == 1
    credential.refresh_from_db()
    assert credential.health[0] == "ok"
    assert credential.last_error == ""
    actions = list(
        AuditEvent.objects.filter(credential=credential).values_list("action", flat=True)
    )
    assert {"credential_created", "credential_tested", "token_refreshed"} <= set(actions)


@pytest.mark.parametrize("shape", ["flat", "project"])
def test_admin_onboards_oauth_from_the_developer_console_json(client, alice, sim_org, adobe, shape):
    generated = adobe.org(0)
    flat = {
        "CLIENT_ID": generated.client_id,
        "CLIENT_SECRETS": list(generated.client_secrets),
        "ORG_ID": generated.ims_org_id,
        "SCOPES": list(generated.scopes),
        "TECHNICAL_ACCOUNT_ID": generated.technical_account_id,
        "TECHNICAL_ACCOUNT_EMAIL": generated.technical_account_email,
    }
    document = (
        flat
        if shape == "flat"
        else {
            "project": {
                "org": {"ims_org_id": generated.ims_org_id},
                "workspace": {
                    "details": {
                        "credentials": [
                            {
                                "oauth_server_to_server": {
                                    "client_id": generated.client_id,
                                    "client_secrets": list(generated.client_secrets),
                                    "technical_account_email": generated.technical_account_email,
                                    "technical_account_id": generated.technical_account_id,
                                    "scopes": list(generated.scopes),
                                }
                            }
                        ]
                    }
                },
            }
        }
    )
    client.force_login(alice)
    response = _add(
        client,
        sim_org,
        "oauth",
        {
            "name": "",
            "usage": "privacy",
            "console_json": _upload("cred.json", json.dumps(document)),
        },
    )
    assert "Credential saved." in response.content.decode()
    credential = Credential.objects.get(organization=sim_org)
    assert credential.client_id == generated.client_id
    assert credential.scope_list == list(generated.scopes)
    assert "Connection works." in _test_connection(client, credential).content.decode()


def test_admin_onboards_a_jwt_credential_labelled_deprecated(client, alice, sim_org, adobe):
    generated = adobe.org(0)
    client.force_login(alice)
    page = _add(client, sim_org, "jwt", _jwt_form(generated)).content.decode()
    assert "Credential saved." in page
    assert "Deprecated: Service Account (JWT) credentials reached end of life on 2025-06-30" in page
    assert "Certificate expires" in page
    credential = Credential.objects.get(organization=sim_org)
    assert credential.private_key_fingerprint.startswith("SHA256:")
    assert "Connection works." in _test_connection(client, credential).content.decode()
    assert adobe.requests()["token_issuances"][generated.ims_org_id]["jwt"] == 1


def test_a_wrong_secret_is_explained_and_stops_automatic_refreshes(client, alice, sim_org, adobe):
    generated = adobe.org(0)
    client.force_login(alice)
    _add(client, sim_org, "oauth", _oauth_form(generated, client_secret="p8e-not-the-secret"))
    credential = Credential.objects.get(organization=sim_org)
    page = _test_connection(client, credential).content.decode()
    assert (
        "Connection failed. IMS rejected the client ID or client secret (invalid_client)." in page
    )
    credential.refresh_from_db()
    assert credential.needs_attention
    assert credential.health[0] == "attention"


def _assert_refused(response, message: str) -> None:
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Credential.objects.exists()


def test_a_malformed_private_key_is_refused(client, alice, sim_org, adobe):
    client.force_login(alice)
    lines = adobe.org(0).private_key_pem.strip().splitlines()
    broken = "\n".join([lines[0], *lines[1:4], lines[-1]])  # the body cut short
    response = _add(
        client,
        sim_org,
        "jwt",
        _jwt_form(adobe.org(0), private_key=_upload("private.key", broken), certificate=""),
    )
    _assert_refused(
        response, "This PEM private key is damaged or incomplete: it could not be read."
    )


def test_a_file_that_is_not_pem_is_refused(client, alice, sim_org, adobe):
    client.force_login(alice)
    response = _add(
        client,
        sim_org,
        "jwt",
        _jwt_form(adobe.org(0), private_key=_upload("private.key", "hello"), certificate=""),
    )
    _assert_refused(response, "This is not a PEM-encoded private key")


def test_a_key_that_is_not_rsa_is_refused(client, alice, sim_org, adobe):
    client.force_login(alice)
    response = _add(
        client,
        sim_org,
        "jwt",
        _jwt_form(
            adobe.org(0), private_key=_upload("private.key", pems.ec_private_pem()), certificate=""
        ),
    )
    _assert_refused(response, "not an RSA key: Adobe signs Service Account (JWT) assertions")


def test_a_certificate_of_another_key_is_refused(client, alice, sim_org, adobe):
    client.force_login(alice)
    other = pems.certificate_pem(pems.rsa_key())
    response = _add(
        client,
        sim_org,
        "jwt",
        _jwt_form(adobe.org(0), certificate=_upload("certificate_pub.crt", other)),
    )
    _assert_refused(response, "This certificate does not belong to the private key")


def test_empty_scopes_are_refused(client, alice, sim_org, adobe):
    client.force_login(alice)
    response = _add(client, sim_org, "oauth", _oauth_form(adobe.org(0), scopes=" , "))
    _assert_refused(response, "Enter at least one scope, comma-separated")
    response = _add(client, sim_org, "jwt", _jwt_form(adobe.org(0), metascopes=""))
    _assert_refused(response, "This field is required.")


def test_a_missing_secret_is_refused_and_never_echoed(client, alice, sim_org, adobe):
    client.force_login(alice)
    response = _add(
        client, sim_org, "oauth", _oauth_form(adobe.org(0), client_secret="", scopes="")
    )
    _assert_refused(response, "Enter the client secret from Developer Console.")
    # A failed submit never sends a typed secret back to the browser.
    response = _add(client, sim_org, "oauth", _oauth_form(adobe.org(0), scopes=""))
    assert adobe.org(0).client_secret not in response.content.decode()


@pytest.mark.parametrize(
    ("org_id", "message"),
    [
        ("1234567890ABCDEF12345678", "does not end in @AdobeOrg"),
        ("FFFFFFFFFFFFFFFFFFFFFFFF@AdobeOrg", "This file is for IMS organization FFFF"),
    ],
)
def test_a_json_file_for_a_wrong_organization_is_refused(
    client, alice, sim_org, adobe, org_id, message
):
    generated = adobe.org(0)
    document = {
        "CLIENT_ID": generated.client_id,
        "CLIENT_SECRETS": ["x" * 20],
        "ORG_ID": org_id,
        "SCOPES": list(generated.scopes),
    }
    client.force_login(alice)
    response = _add(
        client,
        sim_org,
        "oauth",
        {"usage": "both", "console_json": _upload("c.json", json.dumps(document))},
    )
    _assert_refused(response, message)


def test_a_file_that_is_not_json_is_refused(client, alice, sim_org, adobe):
    client.force_login(alice)
    response = _add(
        client, sim_org, "oauth", {"usage": "both", "console_json": _upload("c.json", "{not json")}
    )
    _assert_refused(response, "This file is not JSON: download it again from Developer Console.")


def test_the_same_client_id_twice_is_refused(client, alice, sim_org, adobe):
    client.force_login(alice)
    _add(client, sim_org, "oauth", _oauth_form(adobe.org(0)))
    response = _add(client, sim_org, "oauth", _oauth_form(adobe.org(0)))
    assert response.status_code == 400
    assert "already has a credential with this client ID" in response.content.decode()
    assert Credential.objects.count() == 1


def test_test_connection_answers_at_once_while_a_worker_refreshes(client, alice, sim_org, adobe):
    """It used to wait up to 30 s inside the request, then could report a success as failed."""
    from dashboard.runs import run_claim
    from dashboard.services.tokens import LEASE
    from tests.conftest import onboard_oauth

    credential = onboard_oauth(sim_org, adobe.org(0))
    assert run_claim(Credential, pk=credential.pk, lease=LEASE) is not None  # a worker's refresh
    adobe.reset_requests()
    client.force_login(alice)

    page = _test_connection(client, credential).content.decode()

    assert "A refresh is in progress right now; its result shows on this page in a moment." in page
    assert adobe.request_count("POST /ims/token/v3") == 0
    tested = AuditEvent.objects.filter(action=AuditEvent.Action.CREDENTIAL_TESTED).get()
    assert tested.detail.startswith("In progress.")


# --- Malformed Developer Console files: a 400 in words, nothing written ----------------------

OAUTH_PATH = "project.workspace.details.credentials[0].oauth_server_to_server"


def _rows() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Organization, Credential, ClientSecret, AuditEvent)
    }


def _flat(generated, **overrides) -> dict:
    return {
        "CLIENT_ID": generated.client_id,
        "CLIENT_SECRETS": list(generated.client_secrets),
        "ORG_ID": generated.ims_org_id,
        "SCOPES": list(generated.scopes),
        "TECHNICAL_ACCOUNT_ID": generated.technical_account_id,
        "TECHNICAL_ACCOUNT_EMAIL": generated.technical_account_email,
        **overrides,
    }


def _project(generated, *, oauth=None, org=None, credentials=None) -> dict:
    oauth = {
        "client_id": generated.client_id,
        "client_secrets": list(generated.client_secrets),
        "scopes": list(generated.scopes),
        **(oauth or {}),
    }
    return {
        "project": {
            "org": {"ims_org_id": generated.ims_org_id} if org is None else org,
            "workspace": {
                "details": {
                    "credentials": (
                        [{"oauth_server_to_server": oauth}] if credentials is None else credentials
                    )
                }
            },
        }
    }


def _upload_json(client, organization, raw: bytes):
    return client.post(
        reverse("dashboard:credential_add_oauth", args=[organization.code]),
        {
            "usage": "both",
            "console_json": SimpleUploadedFile("cred.json", raw, "application/json"),
        },
    )


def _assert_refused_and_nothing_written(response, before: dict, message: str, secrets) -> None:
    page = response.content.decode()
    assert response.status_code == 400
    assert 'enctype="multipart/form-data"' in page  # the form, for another try
    assert html.escape(message) in page
    for secret in secrets:
        assert secret not in page
    assert _rows() == before


MALFORMED_DOCUMENTS = {
    "client id a number": (
        lambda g: _flat(g, CLIENT_ID=12345),
        "This file's CLIENT_ID should be a string, not a number",
    ),
    "client id a list": (
        lambda g: _flat(g, CLIENT_ID=[g.client_id]),
        "This file's CLIENT_ID should be a string, not a list",
    ),
    "client secrets an object": (
        lambda g: _flat(g, CLIENT_SECRETS={"primary": g.client_secret}),
        "This file's CLIENT_SECRETS should be a list of strings, not an object",
    ),
    "a client secret a number": (
        lambda g: _flat(g, CLIENT_SECRETS=[g.client_secret, 42]),
        "This file's CLIENT_SECRETS[1] should be a string, not a number",
    ),
    "technical account id null": (
        lambda g: _flat(g, TECHNICAL_ACCOUNT_ID=None),
        "This file's TECHNICAL_ACCOUNT_ID should be a string, not null",
    ),
    "technical account email an object": (
        lambda g: _flat(g, TECHNICAL_ACCOUNT_EMAIL={"email": "x"}),
        "This file's TECHNICAL_ACCOUNT_EMAIL should be a string, not an object",
    ),
    "org id a number": (
        lambda g: _flat(g, ORG_ID=7),
        "This file's ORG_ID should be a string, not a number",
    ),
    "a scope true": (
        lambda g: _flat(g, SCOPES=["openid", True]),
        "This file's SCOPES[1] should be a string, not a boolean",
    ),
    "client id with a NUL": (
        lambda g: _flat(g, CLIENT_ID="abc\u0000"),
        "This file's CLIENT_ID contains a control character",
    ),
    "project a list": (lambda g: {"project": []}, "This file's project should be an object"),
    "project org a list": (
        lambda g: _project(g, org=[g.ims_org_id]),
        "This file's project.org should be an object, not a list",
    ),
    "project org id a number": (
        lambda g: _project(g, org={"ims_org_id": 5}),
        "This file's project.org.ims_org_id should be a string, not a number",
    ),
    "project credentials an object": (
        lambda g: _project(g, credentials={}),
        "This file's project.workspace.details.credentials should be a list, not an object",
    ),
    "project credential a string": (
        lambda g: _project(g, credentials=["oauth"]),
        "This file's project.workspace.details.credentials[0] should be an object, not a string",
    ),
    "project oauth null": (
        lambda g: _project(g, credentials=[{"oauth_server_to_server": None}]),
        f"This file's {OAUTH_PATH} should be an object, not null",
    ),
    "project client id a list": (
        lambda g: _project(g, oauth={"client_id": [1]}),
        f"This file's {OAUTH_PATH}.client_id should be a string, not a list",
    ),
    "project scopes a number": (
        lambda g: _project(g, oauth={"scopes": 3}),
        f"This file's {OAUTH_PATH}.scopes should be a list of strings, not a number",
    ),
    "top level a list": (
        lambda g: [_flat(g)],
        "This JSON is not a Developer Console credential file: it should be an object",
    ),
}
MALFORMED_BYTES = {
    "30,000 nested brackets": (
        b"[" * 30_000 + b"]" * 30_000,
        "This file nests brackets more than 32 levels deep",
    ),
    "not UTF-8": (
        '{"CLIENT_ID": "clé"}'.encode("latin-1"),
        "This file is not UTF-8 text, so it is not JSON",
    ),
    "UTF-16": ('{"CLIENT_ID": "x"}'.encode("utf-16"), "This file is saved as UTF-16"),
    "a 5,000-digit number": (
        b'{"CLIENT_ID": ' + b"9" * 5_000 + b"}",
        "This file's CLIENT_ID should be a string, not a number",
    ),
    "NaN": (b'{"CLIENT_ID": NaN}', "This file is not JSON"),
    "over 64 KB": (b"{}" + b" " * (64 * 1024), "This file is too large"),
}


@pytest.mark.parametrize("case", list(MALFORMED_DOCUMENTS))
def test_a_malformed_console_json_is_a_400_in_words(client, alice, sim_org, adobe, case):
    build, message = MALFORMED_DOCUMENTS[case]
    generated = adobe.org(0)
    client.force_login(alice)
    before = _rows()
    response = _upload_json(client, sim_org, json.dumps(build(generated)).encode())
    _assert_refused_and_nothing_written(response, before, message, generated.client_secrets)


@pytest.mark.parametrize("case", list(MALFORMED_BYTES))
def test_console_json_bytes_that_cannot_be_read_are_a_400_in_words(
    client, alice, sim_org, adobe, case
):
    raw, message = MALFORMED_BYTES[case]
    client.force_login(alice)
    before = _rows()
    response = _upload_json(client, sim_org, raw)
    _assert_refused_and_nothing_written(response, before, message, adobe.org(0).client_secrets)


NOT_STRINGS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.text(max_size=3), max_size=2),
    st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
)
STRING_FIELDS = [
    (lambda g, v, k=key: _flat(g, **{k: v}), key)
    for key in ("CLIENT_ID", "ORG_ID", "TECHNICAL_ACCOUNT_ID", "TECHNICAL_ACCOUNT_EMAIL")
] + [
    (lambda g, v: _flat(g, CLIENT_SECRETS=[v]), "CLIENT_SECRETS[0]"),
    (lambda g, v: _flat(g, SCOPES=["openid", v]), "SCOPES[1]"),
    (lambda g, v: _project(g, org={"ims_org_id": v}), "project.org.ims_org_id"),
    (lambda g, v: _project(g, oauth={"client_id": v}), f"{OAUTH_PATH}.client_id"),
    (lambda g, v: _project(g, oauth={"client_secrets": [v]}), f"{OAUTH_PATH}.client_secrets[0]"),
    (
        lambda g, v: _project(g, oauth={"technical_account_email": v}),
        f"{OAUTH_PATH}.technical_account_email",
    ),
]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(field=st.sampled_from(STRING_FIELDS), value=NOT_STRINGS)
def test_any_json_type_where_a_string_belongs_is_a_400(client, alice, sim_org, adobe, field, value):
    build, path = field
    generated = adobe.org(0)
    client.force_login(alice)
    before = _rows()
    response = _upload_json(client, sim_org, json.dumps(build(generated, value)).encode())
    message = f"This file's {path} should be a string, not "
    _assert_refused_and_nothing_written(response, before, message, generated.client_secrets)


def test_a_console_json_with_a_byte_order_mark_onboards(client, alice, sim_org, adobe):
    generated = adobe.org(0)
    client.force_login(alice)
    raw = "\ufeff".encode() + json.dumps(_flat(generated)).encode()
    response = _upload_json(client, sim_org, raw)
    assert response.status_code == 302
    credential = Credential.objects.get(organization=sim_org)
    assert credential.client_id == generated.client_id
    assert "Connection works." in _test_connection(client, credential).content.decode()


def test_a_pem_with_a_byte_order_mark_onboards(client, alice, sim_org, adobe):
    generated = adobe.org(0)
    client.force_login(alice)
    bom_key = SimpleUploadedFile(
        "private.key", "\ufeff".encode() + generated.private_key_pem.encode()
    )
    page = _add(client, sim_org, "jwt", _jwt_form(generated, private_key=bom_key)).content.decode()
    assert "Credential saved." in page


# --- Weak keys: refused with the reason, nothing written -------------------------------------


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (
            lambda: rsa.generate_private_key(public_exponent=65537, key_size=1024),  # noqa: S505
            "This RSA key is 1024 bits, too weak to sign with: use a key of at least 2048 bits",
        ),
        (
            lambda: rsa.generate_private_key(public_exponent=3, key_size=2048),
            "This RSA key's public exponent is 3: Lookout accepts only the standard exponent 65537",
        ),
        (ed25519.Ed25519PrivateKey.generate, "This is an EdDSA key, not an RSA key"),
        (
            lambda: dsa.generate_private_key(key_size=2048),
            "This is a DSA key, not an RSA key",
        ),
    ],
    ids=["1024 bits", "exponent 3", "Ed25519", "DSA"],
)
def test_a_weak_or_non_rsa_key_is_refused(client, alice, sim_org, adobe, key, message):
    private_key = key()
    client.force_login(alice)
    before = _rows()
    response = _add(
        client,
        sim_org,
        "jwt",
        _jwt_form(
            adobe.org(0),
            private_key=_upload("private.key", pems.private_pem(private_key)),
            certificate="",
        ),
    )
    _assert_refused_and_nothing_written(response, before, message, adobe.org(0).client_secrets)


def test_control_characters_that_the_database_cannot_store_are_refused(
    client, alice, sim_org, adobe
):
    generated = adobe.org(0)
    client.force_login(alice)
    before = _rows()
    response = _add(client, sim_org, "oauth", _oauth_form(generated, client_id="abc\tdef"))
    _assert_refused_and_nothing_written(
        response, before, "The client ID contains a control character", generated.client_secrets
    )
    certificate = _upload("certificate_pub.crt", generated.certificate_pem + "\x00")
    response = _add(client, sim_org, "jwt", _jwt_form(generated, certificate=certificate))
    _assert_refused_and_nothing_written(
        response,
        before,
        "This certificate file holds a NUL byte: it is not a text PEM file.",
        generated.client_secrets,
    )

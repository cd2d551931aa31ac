"""Admins onboard credentials once; bad input is explained and saves nothing.

Against the simulator over real sockets: the Test connection button gets a real token.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dashboard.models import AuditEvent, Credential
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

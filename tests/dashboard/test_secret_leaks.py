"""Secrets never appear in plain text: database, pages, admin, logs, task output.

Onboards real credentials (OAuth and JWT) through the pages, gets real tokens from the
simulator, then searches everywhere a person or an operator could look.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess

import pytest
from django.contrib.admin import site as admin_site
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from dashboard import crypto
from dashboard.models import ClientSecret, Credential, Membership
from dashboard.tasks import token_refresh_task
from tests.dashboard.test_access_matrix import ROUTES, URL_KWARGS
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.fixtures.celery_worker import wait_until
from tests.services import require


def _onboard_both(client, alice, adobe):
    oauth_org, jwt_org = adobe.org(0), adobe.org(1)
    first = OrganizationFactory(name="Leak OAuth", ims_org_id=oauth_org.ims_org_id)
    second = OrganizationFactory(name="Leak JWT", ims_org_id=jwt_org.ims_org_id)
    for organization in (first, second):
        MembershipFactory(organization=organization, user=alice, role=Membership.Role.ADMIN)
    client.force_login(alice)
    client.post(
        reverse("dashboard:credential_add_oauth", args=[first.code]),
        {
            "usage": "both",
            "client_id": oauth_org.client_id,
            "client_secret": oauth_org.client_secret,
            "scopes": ",".join(oauth_org.scopes),
        },
    )
    client.post(
        reverse("dashboard:credential_add_jwt", args=[second.code]),
        {
            "usage": "both",
            "client_id": jwt_org.client_id,
            "client_secret": jwt_org.client_secret,
            "technical_account_id": jwt_org.technical_account_id,
            "metascopes": ",".join(jwt_org.metascopes),
            "private_key": SimpleUploadedFile("private.key", jwt_org.private_key_pem.encode()),
        },
    )
    # A wrong secret too, so failure paths (messages, audit, logs) are searched as well.
    client.post(
        reverse("dashboard:secret_add", args=[Credential.objects.get(organization=first).code]),
        {"secret": "p8e-wrong-but-secret-9Zq", "make_primary": "on"},
    )
    for credential in Credential.objects.all():
        client.post(reverse("dashboard:credential_test", args=[credential.code]))
    # Test connection answers at once; a refresh a worker started on onboarding finishes soon.
    wait_until(
        lambda: Credential.objects.exclude(access_token_encrypted="").count() == 2,
        timeout=30,
        what="both credentials to hold a token",
    )
    key_lines = jwt_org.private_key_pem.strip().splitlines()[1:-1]
    return [
        oauth_org.client_secret,
        jwt_org.client_secret,
        "p8e-wrong-but-secret-9Zq",
        *key_lines[::5],  # pieces of the private key's body
        *(crypto.decrypt(c.access_token_encrypted) for c in Credential.objects.all()),
    ]


def _sign_in_with_a_secret(secret: str) -> None:
    """Someone pastes a client secret into the password box (and fails to sign in): the sign-in
    throttle records the attempt (django-axes), which must not keep the password."""
    response = Client().post(reverse("login"), {"username": "alice", "password": secret})
    assert response.status_code == 200 and "_auth_user_id" not in response.client.session


def _leaks(text: str, secrets: list[str]) -> list[str]:
    return [secret[:6] + "…" for secret in secrets if secret in text]


def _database_dump() -> str:
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(rows)


def _every_page(client, staff) -> str:
    pages = []
    organizations = {c.organization for c in Credential.objects.select_related("organization")}
    for organization in organizations:
        URL_KWARGS_FOR_ORG = {
            "org_code": organization.code,
            "credential_code": Credential.objects.get(organization=organization).code,
        }
        for name, converters in ROUTES:
            if set(converters) <= set(URL_KWARGS_FOR_ORG) and name not in ("logout",):
                url = reverse(name, kwargs={k: URL_KWARGS_FOR_ORG[k] for k in converters})
                response = client.get(url)
                body = (
                    b"".join(response.streaming_content) if response.streaming else response.content
                )
                pages.append(body.decode())
    assert set(URL_KWARGS) >= {"org_code", "credential_code"}
    client.force_login(staff)
    for model in admin_site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages.append(client.get(reverse(f"{prefix}_changelist")).content.decode())
        for obj in model._default_manager.all()[:20]:
            url = reverse(f"{prefix}_change", args=[obj.pk])
            pages.append(client.get(url).content.decode())
    return "\n".join(pages)


def test_no_secret_in_the_database_pages_admin_or_logs(client, alice, adobe, caplog):
    caplog.set_level(logging.DEBUG)
    secrets = _onboard_both(client, alice, adobe)
    _sign_in_with_a_secret(secrets[0])
    staff = UserFactory(username="ops", is_staff=True, is_superuser=True)

    assert _leaks(_database_dump(), secrets) == []
    pages = _every_page(client, staff)
    assert "Leak JWT" in pages and "Credential" in pages  # the search really saw the pages
    assert _leaks(pages, secrets) == []
    assert caplog.records  # logging was on
    assert _leaks(caplog.text, secrets) == []
    for secret in ClientSecret.objects.all():
        assert secret.hint in pages or secret.retired_at


@pytest.mark.django_db(transaction=True)
def test_no_secret_in_the_worker_log(client, alice, adobe, celery_worker_process):
    secrets = _onboard_both(client, alice, adobe)
    Credential.objects.update(token_expires_at=None)  # due now
    for credential in Credential.objects.all():
        token_refresh_task.delay(credential_id=credential.pk)
    wait_until(
        lambda: Credential.objects.filter(token_expires_at__isnull=False).count() == 2,
        what="the worker to refresh both tokens",
    )
    celery_worker_process.wait_idle()
    secrets += [crypto.decrypt(c.access_token_encrypted) for c in Credential.objects.all()]
    log = celery_worker_process.log()
    assert "dashboard.token_refresh" in log and "succeeded" in log
    assert _leaks(log, secrets) == []


def _pg_dump() -> str:
    """The whole test database as pg_dump writes it: what a backup, or a stolen one, holds."""
    db = connection.settings_dict
    command = ["pg_dump", "--no-owner", "--no-privileges", "--dbname", db["NAME"]]
    command += ["--host", db["HOST"] or "127.0.0.1", "--port", str(db["PORT"] or 5432)]
    command += ["--username", db["USER"]] if db["USER"] else []
    env = {"PGPASSWORD": db["PASSWORD"]} if db["PASSWORD"] else {}
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=120, env={**os.environ, **env}
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.django_db(transaction=True)  # pg_dump is another connection: it sees commits only
def test_no_secret_in_a_pg_dump_of_the_database(client, alice, adobe, caplog):
    require(
        connection.vendor == "postgresql",
        "pg_dump reads PostgreSQL only: run with DATABASE_URL=postgres://… to dump the test "
        "database (the SELECT-based search above covers SQLite)",
    )
    require(shutil.which("pg_dump") is not None, "pg_dump is not installed (postgresql-client)")
    caplog.set_level(logging.DEBUG)
    secrets = _onboard_both(client, alice, adobe)
    _sign_in_with_a_secret(secrets[1])
    dump = _pg_dump()
    client_ids = Credential.objects.values_list("client_id", flat=True)
    assert "Leak JWT" in dump and all(c in dump for c in client_ids)  # the dump holds the data
    assert "axes_accessattempt" in dump and "alice" in dump  # and the failed sign-in
    assert _leaks(dump, secrets) == []
    assert _leaks(caplog.text, secrets) == []

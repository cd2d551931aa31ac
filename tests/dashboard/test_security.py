"""Security properties that fail the build: CSRF on every POST, Adobe's text inert on every page,
bounded uploads, throttled sign-in, and a deployment check that stays clean.

(What each organization's people may see is tests/dashboard/test_access_matrix.py; where secrets
must never appear is tests/dashboard/test_secret_leaks.py.)
"""

from __future__ import annotations

import html
import logging
import secrets
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.contrib.admin import site as admin_site
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.checks import run_checks
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from dashboard.forms.credentials import MAX_UPLOAD_BYTES
from dashboard.models import AuditEvent, ClientSecret, Credential, Organization
from privacy.models import PrivacyJob, PrivacySubmission
from privacy.services.sync import privacy_sync
from status.models import Incident
from status.services.poll import status_events_poll
from status.services.watching import watched_products_set
from tests.conftest import onboard_oauth
from tests.dashboard.test_access_matrix import ROUTES, RULES, _url
from tests.dashboard.test_settings import _run
from tests.factories import PASSWORD

# --------------------------------------------------------------------------------------------
# CSRF: every URL that could accept a POST refuses one without a token, and nothing changes.


def _snapshot() -> list[str]:
    """Every row of every table, in a stable order: what "nothing changed" compares."""
    rows = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows += sorted(f"{table}: {row!r}" for row in cursor.fetchall())
    return rows


def _admin_url(name: str, keywords: set, acme) -> str:
    """An admin URL with its keywords filled from the first object of its model."""
    models = {f"admin:{m._meta.app_label}_{m._meta.model_name}_": m for m in admin_site._registry}
    model = next((m for prefix, m in models.items() if name.startswith(prefix)), None)
    kwargs = {}
    for key in keywords:
        if key in ("object_id", "id") and model is not None:
            obj = model._default_manager.order_by("pk").first()  # a real one where there is
            kwargs[key] = str(obj.pk) if obj is not None else "1"
        elif key == "app_label":
            kwargs[key] = "dashboard"
        elif key == "content_type_id":  # view_on_site
            kwargs[key] = ContentType.objects.get_for_model(Organization).pk
            kwargs["object_id"] = acme.pk
        elif key != "object_id":
            raise AssertionError(f"{name}: teach _admin_url to fill {key}")
    return reverse(name, kwargs=kwargs)


def _keywords(patterns, namespace: str = "", keys: frozenset = frozenset()) -> Iterator:
    """Every named URL with the keywords it takes (path converters and regex groups alike)."""
    for entry in patterns:
        found = keys | set(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _keywords(entry.url_patterns, inner, found)
        elif entry.name:
            yield f"{namespace}{entry.name}", found


def _every_url(acme) -> list[str]:
    urls = [_url(name, acme) for name, _ in ROUTES]
    for name, keywords in _keywords(get_resolver().url_patterns):
        if name.startswith("admin:"):
            urls.append(_admin_url(name, keywords, acme))
    return urls


@pytest.fixture
def populated(world, acme, globex):
    """Objects of every kind, of both organizations, for every URL's keywords."""
    RULES.populate(acme)
    RULES.populate(globex)
    return world


def test_every_post_without_a_csrf_token_is_refused_and_changes_nothing(populated, acme, alice):
    # alice may do everything: admin of Acme, and staff and superuser in the Django admin.
    alice.is_staff = alice.is_superuser = True
    alice.save()
    AccessAttempt.objects.create(username="x", ip_address="10.9.9.9", failures_since_start=1)
    AccessFailureLog.objects.create(username="x", ip_address="10.9.9.9", locked_out=False)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    urls = _every_url(acme)
    assert len(urls) > 60 and any("/admin/" in url for url in urls)  # the walk saw everything
    before = _snapshot()
    accepted = {}
    for url in urls:
        response = browser.post(url, {"role": "viewer", "secret": "s-9Zq", "products": "503462"})
        if response.status_code != 403 or b"CSRF verification failed" not in response.content:
            accepted[url] = response.status_code
    assert accepted == {}, "these URLs took a POST without a CSRF token"
    assert _snapshot() == before


def test_the_same_post_with_its_token_goes_through(populated, acme, alice):
    """The control: the refusal above is the missing token, nothing else."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    browser.get(reverse("dashboard:credential_list", args=[acme.code]))  # sets the CSRF cookie
    fallback = ClientSecret.objects.get(credential__organization=acme, is_primary=False)
    response = browser.post(
        reverse("dashboard:secret_retire", args=[fallback.code]),
        {"csrfmiddlewaretoken": browser.cookies["csrftoken"].value},
    )
    assert response.status_code == 302
    fallback.refresh_from_db()
    assert fallback.retired_at is not None


# --------------------------------------------------------------------------------------------
# Text Adobe sends (or echoes back) is shown as text on every page, never run as markup.

XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
ESCAPED = [html.escape(x) for x in XSS]  # &lt;script&gt;… and &quot;&gt;&lt;img …


def hostile_adobe(client, organization, adobe) -> dict[str, object]:
    """Adobe returning markup everywhere it returns text, brought in through Lookout's real code:
    a privacy request whose user keys and identities are markup (Adobe echoes them in the jobs
    and their product answers), synced; incidents and maintenance whose titles and messages are
    markup (the simulator's control API), polled. Returns the objects that show them."""
    onboard_oauth(organization, adobe.org(0))
    response = client.post(
        reverse("privacy:request_new", args=[organization.code]),
        {
            "submission_key": str(uuid.uuid4()),
            "regulation": "gdpr",
            "actions": ["access"],
            "products": ["analytics", "profileService", "target"],
            "subjects": f"{XSS[0]} | Email:{XSS[1]}, ECID:{XSS[0]}, Email:x@example.com\n"
            f"fail{XSS[1]} | Email:{XSS[0]}",  # "fail": Adobe's products answer with errors
        },
    )
    assert response.status_code == 302
    assert PrivacySubmission.objects.get(organization=organization).state == "sent"
    adobe.advance(hours=3)  # every job finishes
    assert privacy_sync(organization_id=organization.pk).error == ""

    adobe.create_incident(products=["503462"], severity="Major", title=XSS[0], message=XSS[1])
    closed = adobe.create_incident(
        products=["503462"], severity="Minor", title=XSS[1], message=XSS[0]
    )
    adobe.advance(600)
    adobe.update_incident(closed["id"], status="Closed", title=XSS[0], message=XSS[1])
    adobe.create_maintenance(products=["503462"], title=XSS[1], message=XSS[0])
    assert status_events_poll().ok
    watched_products_set(organization=organization, product_ids=["503462"])
    jobs = PrivacyJob.objects.filter(organization=organization, user_key__contains="alert(1)")
    incidents = Incident.objects.filter(title__contains="alert(1)")
    assert jobs.count() == 2 and incidents.count() == 2
    return {"jobs": list(jobs), "incidents": list(incidents)}


def test_adobe_text_is_escaped_on_every_page_that_shows_it(client, alice, sim_org, adobe):
    client.force_login(alice)
    shown = hostile_adobe(client, sim_org, adobe)
    code = sim_org.code
    partial = {"partial": "1"}
    urls = [
        (reverse("dashboard:home"), {}),
        (reverse("dashboard:organization", args=[code]), {}),
        (reverse("dashboard:audit_log", args=[code]), {}),
        (reverse("privacy:job_list", args=[code]), {}),
        (reverse("privacy:job_list", args=[code]), partial),
        (reverse("privacy:job_list", args=[code]), {"q": XSS[1]}),  # echoed in the search box
        (reverse("privacy:request_new", args=[code]), {}),
        (reverse("status:status_page", args=[code]), {}),
        (reverse("status:status_page", args=[code]), partial),
        (reverse("status:history", args=[code]), {}),
        (reverse("status:watched_products", args=[code]), {}),
    ]
    for job in shown["jobs"]:
        urls += [(job.get_absolute_url(), {}), (job.get_absolute_url(), partial)]
    for incident in shown["incidents"]:
        urls.append((reverse("status:incident_detail", args=[code, incident.code]), {}))
    escaped_somewhere = dict.fromkeys(ESCAPED, 0)
    for url, params in urls:
        response = client.get(url, params)
        assert response.status_code == 200, url
        page = response.content.decode()
        for raw in [*XSS, "<img src=x", "<script>alert"]:
            assert raw not in page, f"{url} renders Adobe's markup: {raw}"
        for escaped in ESCAPED:
            escaped_somewhere[escaped] += escaped in page
    # Each was shown — as text — on several pages, so the absence above means something.
    assert all(count >= 3 for count in escaped_somewhere.values()), escaped_somewhere
    job_page = client.get(shown["jobs"][0].get_absolute_url()).content.decode()
    assert ESCAPED[0] in job_page and ESCAPED[1] in job_page  # the user key and an identity
    incident_page = client.get(
        reverse("status:incident_detail", args=[code, shown["incidents"][0].code])
    ).content.decode()
    assert ESCAPED[0] in incident_page and ESCAPED[1] in incident_page  # title and message

    export = client.get(reverse("privacy:job_export", args=[code]))
    assert export["Content-Type"].startswith("text/csv")  # data, never rendered as a page
    assert export["Content-Disposition"].startswith("attachment;")
    assert export["X-Content-Type-Options"] == "nosniff"


# --------------------------------------------------------------------------------------------
# Uploads: a credential file over the cap is refused in words, whatever its size.


def _jwt_form(generated, private_key: bytes, certificate: bytes | None = None) -> dict:
    data = {
        "usage": "both",
        "client_id": generated.client_id,
        "client_secret": generated.client_secret,
        "technical_account_id": generated.technical_account_id,
        "metascopes": ",".join(generated.metascopes),
        "private_key": SimpleUploadedFile("private.key", private_key),
    }
    if certificate is not None:
        data["certificate"] = SimpleUploadedFile("certificate_pub.crt", certificate)
    return data


def _written() -> tuple[int, int, int]:
    return Credential.objects.count(), ClientSecret.objects.count(), AuditEvent.objects.count()


def test_the_upload_cap_fits_in_memory_and_under_django_limits():
    assert MAX_UPLOAD_BYTES == 64 * 1024
    # A file the forms accept is read from memory; only a refused one can reach a temp file.
    assert MAX_UPLOAD_BYTES <= django_settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    assert django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE >= 1024 * 1024  # 1,000 data subjects


@pytest.mark.parametrize("size", [MAX_UPLOAD_BYTES + 1, 3 * 1024 * 1024])
@pytest.mark.parametrize("field", ["private_key", "certificate"])
def test_a_key_or_certificate_over_the_cap_is_refused_in_words(
    client, alice, sim_org, adobe, size, field
):
    generated = adobe.org(0)
    pem = generated.private_key_pem.encode()
    oversized = pem + b"\n" * (size - len(pem))  # a real key, padded: only its size is wrong
    data = (
        _jwt_form(generated, oversized)
        if field == "private_key"
        else _jwt_form(generated, pem, certificate=oversized)
    )
    client.force_login(alice)
    response = client.post(reverse("dashboard:credential_add_jwt", args=[sim_org.code]), data)
    assert response.status_code == 400
    page = response.content.decode()
    what = "PEM private key" if field == "private_key" else "PEM certificate"
    assert f"This file is too large to be a {what} (over 64 KB)." in page
    assert generated.client_secret not in page
    assert _written() == (0, 0, 0)


@pytest.mark.parametrize("size", [MAX_UPLOAD_BYTES + 1, 3 * 1024 * 1024])
def test_a_console_json_over_the_cap_is_refused_in_words(client, alice, sim_org, adobe, size):
    client.force_login(alice)
    response = client.post(
        reverse("dashboard:credential_add_oauth", args=[sim_org.code]),
        {"usage": "both", "console_json": SimpleUploadedFile("c.json", b"{}" + b" " * size)},
    )
    assert response.status_code == 400
    assert "This file is too large to be a Developer Console credential file (over 64 KB)." in (
        response.content.decode()
    )
    assert _written() == (0, 0, 0)


def test_form_fields_past_the_data_cap_are_refused(client, alice, sim_org, adobe):
    client.force_login(alice)
    response = client.post(
        reverse("dashboard:credential_add_oauth", args=[sim_org.code]),
        {"usage": "both", "client_id": "x", "client_secret": "s" * 3 * 1024 * 1024},
    )
    assert response.status_code == 400  # RequestDataTooBig: refused before any form runs
    assert _written() == (0, 0, 0)


# --------------------------------------------------------------------------------------------
# Sign-in throttling (django-axes): per account, per address, a page that says why, audited.

LOCKED = "Too many failed sign-ins. Try again in 15 minutes."


def _sign_in(client, username: str, password: str, *, address: str = "10.0.0.1", admin=False):
    url = reverse("admin:login") if admin else reverse("login")
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def _signed_in(client) -> bool:
    return SESSION_KEY in client.session


def test_failures_lock_the_account_even_against_the_right_password(client, alice):
    for attempt in range(1, 201):
        response = _sign_in(client, "alice", f"wrong-{attempt}")
        page = response.content.decode()
        if attempt < 5:
            assert response.status_code == 200
            assert "Please enter a correct username and password" in page
        else:
            assert response.status_code == 429, attempt
            assert LOCKED in page
    response = _sign_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert not _signed_in(client)
    page = response.content.decode()
    assert LOCKED in page and 'role="alert"' in page
    assert "Sign in to Lookout" in page and 'name="password"' in page  # the sign-in page, kept
    assert client.get(reverse("dashboard:home")).status_code == 302  # still signed out


def test_an_address_that_failed_is_throttled_for_every_account(client, alice, dave):
    """The address rule: LOOKOUT_LOGIN_FAILURE_LIMIT failures from one address, whatever the
    accounts, lock that address out; other addresses are not affected."""
    for attempt in range(5):
        _sign_in(client, f"guess-{attempt}", "wrong")  # five accounts, one address
    response = _sign_in(client, "dave", PASSWORD)
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert not _signed_in(client)
    assert _sign_in(client, "dave", PASSWORD, address="10.0.0.2").status_code == 302
    assert _signed_in(client)


def test_an_account_that_failed_is_throttled_from_every_address(client, alice):
    for attempt in range(5):
        _sign_in(client, "alice", "wrong", address=f"10.0.1.{attempt}")
    response = _sign_in(client, "alice", PASSWORD, address="10.0.2.1")
    assert response.status_code == 429
    assert not _signed_in(client)


def test_after_the_cool_off_the_right_password_signs_in(client, alice):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(6):
            _sign_in(client, "alice", "wrong")
        traveller.shift(timedelta(minutes=14))
        assert _sign_in(client, "alice", PASSWORD).status_code == 429  # and the wait restarts
        traveller.shift(timedelta(minutes=14))
        assert _sign_in(client, "alice", PASSWORD).status_code == 429
        traveller.shift(timedelta(minutes=15, seconds=1))
        response = _sign_in(client, "alice", PASSWORD)
        assert response.status_code == 302 and response["Location"] == reverse("dashboard:home")
        assert _signed_in(client)


def test_the_admin_sign_in_is_throttled_alike(client, staff):
    for _ in range(5):
        _sign_in(client, "ops", "wrong", admin=True)
    response = _sign_in(client, "ops", PASSWORD, admin=True)
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert not _signed_in(client)
    # The same account on the members' sign-in page: the account rule holds there too.
    assert _sign_in(client, "ops", PASSWORD, address="10.0.3.1").status_code == 429


def test_failures_lockouts_and_sign_ins_are_recorded_for_an_audit(client, alice, caplog):
    caplog.set_level(logging.INFO)
    for _ in range(5):
        _sign_in(client, "alice", "wrong-password-9Zq")
    attempt = AccessAttempt.objects.get(username="alice")
    assert (attempt.ip_address, attempt.failures_since_start) == ("10.0.0.1", 5)
    assert "wrong-password-9Zq" not in attempt.post_data  # the password is masked
    assert AccessFailureLog.objects.filter(username="alice").count() == 5
    assert AccessFailureLog.objects.filter(username="alice", locked_out=True).count() == 1
    lockouts = [r.getMessage() for r in caplog.records if "Locking out" in r.getMessage()]
    assert lockouts and 'username: "alice"' in lockouts[0] and "10.0.0.1" in lockouts[0]
    assert "wrong-password-9Zq" not in caplog.text


def test_a_successful_sign_in_is_logged(client, alice):
    assert _sign_in(client, "alice", PASSWORD).status_code == 302
    assert AccessLog.objects.filter(username="alice", ip_address="10.0.0.1").exists()


def test_behind_proxies_the_client_address_is_read_from_x_forwarded_for(client, alice, settings):
    settings.LOOKOUT_TRUSTED_PROXY_COUNT = 1
    for _ in range(5):  # the proxy (10.0.0.1) appends the client's address; the rest is theirs
        client.post(
            reverse("login"),
            {"username": "nobody", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    forged = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7, 198.51.100.2"}
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD}, **forged)
    assert response.status_code == 302  # another client behind the same proxy signs in


def test_passwords_are_stored_with_argon2_and_old_pbkdf2_ones_still_sign_in(
    client, alice, settings
):
    """Production's hashers (the suite's own are fast ones): an account from before Argon2
    signs in with its password, and from then on its password is stored with Argon2."""
    from dashboard import settings as production

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    alice.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    alice.save(update_fields=["password"])
    assert _sign_in(client, "alice", PASSWORD).status_code == 302
    alice.refresh_from_db()
    assert alice.password.startswith("argon2$") and PASSWORD not in alice.password
    client.logout()
    assert _sign_in(client, "alice", PASSWORD).status_code == 302
    assert _sign_in(Client(), "alice", "wrong", address="10.0.0.2").status_code == 200


def test_test_clients_sign_in_with_force_login_or_with_a_request(client, alice):
    """force_login needs nothing; client.login must pass a request for axes (its docs)."""
    assert client.login(request=HttpRequest(), username="alice", password=PASSWORD)
    assert client.get(reverse("dashboard:home")).status_code == 200


def test_limits_come_from_the_environment_with_safe_defaults():
    probe = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.AXES_ENABLED, s.AXES_FAILURE_LIMIT, int(s.AXES_COOLOFF_TIME.total_seconds()), "
        "s.AUTHENTICATION_BACKENDS[0], s.MIDDLEWARE[-1])"
    )
    result = _run(["-c", probe])
    assert result.stdout.split() == [
        "True",
        "5",
        "900",
        "axes.backends.AxesStandaloneBackend",
        "axes.middleware.AxesMiddleware",
    ], result.stderr
    tuned = _run(["-c", probe], LOOKOUT_LOGIN_FAILURE_LIMIT="3", LOOKOUT_LOGIN_COOLOFF_MINUTES="7")
    assert tuned.stdout.split()[1:3] == ["3", "420"], tuned.stderr
    for name in ("LOOKOUT_LOGIN_FAILURE_LIMIT", "LOOKOUT_LOGIN_COOLOFF_MINUTES"):
        refused = _run(["-c", probe], **{name: "0"})
        assert refused.returncode != 0
        assert "must be at least 1" in refused.stderr


# --------------------------------------------------------------------------------------------
# check --deploy stays clean (CI runs it too: .ci/run), axes' own checks included.


def test_axes_checks_pass():
    found = [m for m in run_checks(include_deployment_checks=True) if m.id.startswith("axes.")]
    assert found == []


def test_check_deploy_is_clean_with_production_settings(monkeypatch):
    # The browser tests' conftest allows sync ORM calls under Playwright; a deployment never does.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        LOOKOUT_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="lookout.example.com",
        SESSION_COOKIE_SECURE="true",
        CSRF_COOKIE_SECURE="true",
        SECURE_SSL_REDIRECT="true",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_PRELOAD="true",
        LOOKOUT_BASE_URL="https://lookout.example.com",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_of_notification_links_to_this_machine_and_local_webhooks():
    result = _run(
        ["manage.py", "check", "--deploy"],
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        LOOKOUT_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="lookout.example.com",
        LOOKOUT_WEBHOOK_ALLOW_LOCAL="true",
    )
    assert "(dashboard.W003) LOOKOUT_BASE_URL is http://127.0.0.1:8000" in result.stderr
    assert "(dashboard.W004) LOOKOUT_WEBHOOK_ALLOW_LOCAL is on" in result.stderr

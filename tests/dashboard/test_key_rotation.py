"""Rotating the encryption key while web and workers run: no process ever loses a credential.

The README's procedure with a key file: put the new key first (old ones after), run
``rotate_encryption_key``, then remove the old keys. Running processes re-read the file when a
value does not decrypt with the keys they hold, and before they encrypt.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from dashboard import crypto
from dashboard.describe import CONFIGURATION_ERROR
from dashboard.models import AuditEvent, ClientSecret, Credential, Membership
from dashboard.selectors import credential_list_unreadable
from dashboard.services.tokens import token_get, token_refresh
from dashboard.tasks import tokens_refresh_due_task
from privacy.models import PrivacySubmission
from tests.conftest import onboard_oauth
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.fixtures.celery_worker import (
    PROJECT_ROOT,
    WorkerProcess,
    _database_url,
    start_worker,
    stop_worker,
    wait_until,
)
from tests.services import require

CREATE = "POST /data/core/privacy/jobs"
TOKEN = "POST /ims/token/v3"


@dataclass
class Keys:
    path: Path
    old: str
    new: str


def _write_keys(path: Path, *keys: str) -> None:
    """As the README says: the whole file at once, by a rename in its own folder."""
    draft = path.with_name(path.name + ".new")
    draft.write_text("".join(f"{key}\n" for key in keys))
    os.replace(draft, path)


@pytest.fixture
def keys(settings, tmp_path) -> Keys:
    """This process started on a key file holding one key, ``old``; ``new`` is not in it yet."""
    keys = Keys(
        path=tmp_path / "encryption_keys",
        old=Fernet.generate_key().decode(),
        new=Fernet.generate_key().decode(),
    )
    _write_keys(keys.path, keys.old)
    settings.LOOKOUT_ENCRYPTION_KEYS_FILE = str(keys.path)
    settings.LOOKOUT_ENCRYPTION_KEYS = [keys.old]
    return keys


def _under(key: str, ciphertext: str) -> bool:
    try:
        Fernet(key.encode()).decrypt(ciphertext.encode())
    except InvalidToken:
        return False
    return True


def _stored() -> list[str]:
    """Every ciphertext in the database."""
    values = []
    for credential in Credential.objects.order_by("pk"):
        values += [credential.private_key_encrypted, credential.access_token_encrypted]
    values += ClientSecret.objects.order_by("pk").values_list("secret_encrypted", flat=True)
    return [value for value in values if value]


def _rotate(*args: str) -> str:
    out = io.StringIO()
    call_command("rotate_encryption_key", *args, stdout=out)
    return out.getvalue()


# -- one process and the key file ---------------------------------------------------------------


def test_a_process_holding_only_the_old_key_reads_a_value_under_the_new_key_from_the_file(keys):
    mine = crypto.encrypt("p8e-written-here")
    # Another process already holds the new key (or the rotation command re-encrypted this).
    theirs = Fernet(keys.new.encode()).encrypt(b"p8e-written-elsewhere").decode()
    with pytest.raises(crypto.SecretUnreadable):
        crypto.decrypt(theirs)  # the file does not hold the new key yet

    _write_keys(keys.path, keys.new, keys.old)

    assert crypto.decrypt(theirs) == "p8e-written-elsewhere"  # re-read the file, no restart
    assert crypto.decrypt(mine) == "p8e-written-here"
    assert _under(keys.new, crypto.encrypt("p8e-next"))


def test_encryption_uses_the_first_key_of_the_freshest_file(keys):
    assert _under(keys.old, crypto.encrypt("a"))
    _write_keys(keys.path, keys.new, keys.old)
    # No failed decryption needed: a process never encrypts under a key being retired.
    assert _under(keys.new, crypto.encrypt("b"))
    _write_keys(keys.path, keys.new)
    assert _under(keys.new, crypto.encrypt("c"))


def test_the_key_file_is_read_again_only_when_it_changed(keys, monkeypatch):
    reads = []
    read = crypto._file_keys
    monkeypatch.setattr(crypto, "_file_keys", lambda path: reads.append(path) or read(path))
    foreign = Fernet(Fernet.generate_key()).encrypt(b"under a key nobody has").decode()

    for _ in range(5):
        with pytest.raises(crypto.SecretUnreadable):
            crypto.decrypt(foreign)
    assert len(reads) == 1  # the first failure reads it once; then only its stamp is compared

    _write_keys(keys.path, keys.new, keys.old)
    for _ in range(5):
        with pytest.raises(crypto.SecretUnreadable):
            crypto.decrypt(foreign)
    assert len(reads) == 2


def test_a_broken_key_file_leaves_a_running_process_its_keys(keys, caplog):
    kept = crypto.encrypt("p8e-kept")
    _write_keys(keys.path, keys.new[:20], keys.old)  # half a key
    assert crypto.decrypt(kept) == "p8e-kept"
    assert _under(keys.old, crypto.encrypt("still the old key"))
    assert f"Key number 1 in {keys.path} is not a Fernet key." in caplog.text
    assert keys.new[:20] not in caplog.text

    keys.path.unlink()
    assert crypto.decrypt(kept) == "p8e-kept"
    assert _under(keys.old, crypto.encrypt("still the old key"))

    _write_keys(keys.path, keys.new, keys.old)  # fixed: taken up at once
    assert _under(keys.new, crypto.encrypt("the new key"))


# -- the rotation command refuses before it changes anything -------------------------------------


def test_rotation_re_encrypts_under_the_new_key_and_a_second_run_finds_nothing_to_do(
    keys, acme_credential
):
    _write_keys(keys.path, keys.new, keys.old)
    printed = _rotate()
    assert f"Re-encrypted 2 secrets under the first key in {keys.path} (0 already were)" in printed
    assert f"remove the 1 older key(s) from {keys.path}" in printed
    assert all(_under(keys.new, value) for value in _stored())
    assert "Re-encrypted 0 secrets under the first key in" in _rotate()  # idempotent
    assert AuditEvent.objects.filter(action=AuditEvent.Action.KEYS_ROTATED).count() == 1


def test_rotation_refuses_a_malformed_key_in_the_file_and_changes_nothing(keys, acme_credential):
    before = _stored()
    _write_keys(keys.path, keys.new[:-4], keys.old)
    message = f"Key number 1 in {keys.path} is not a Fernet key. Nothing was changed."
    with pytest.raises(CommandError, match=re.escape(message)):
        _rotate()
    assert _stored() == before
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.KEYS_ROTATED).exists()


def test_rotation_refuses_while_a_stored_secret_is_unreadable_and_changes_nothing(
    keys, acme_credential
):
    lost = Fernet(Fernet.generate_key()).encrypt(b"p8e-under-a-lost-key").decode()
    ClientSecret.objects.filter(hint="…0002").update(secret_encrypted=lost)
    _write_keys(keys.path, keys.new, keys.old)
    before = _stored()
    with pytest.raises(CommandError) as refused:
        _rotate()
    assert str(refused.value) == (
        f"No key in {keys.path} can decrypt these.\n"
        "  Acme / Acme privacy (secret …0002)\n"
        "Nothing was changed."
    )
    assert _stored() == before  # not even the readable secret was re-encrypted
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.KEYS_ROTATED).exists()


def test_rotation_with_keys_from_the_environment_needs_every_process_restarted(
    settings, acme_credential
):
    old = settings.LOOKOUT_ENCRYPTION_KEYS[0]
    new = Fernet.generate_key().decode()
    settings.LOOKOUT_ENCRYPTION_KEYS_FILE = ""
    settings.LOOKOUT_ENCRYPTION_KEYS = [new, old]
    before = _stored()
    with pytest.raises(CommandError, match="Restart every web, worker and beat process"):
        _rotate()
    assert _stored() == before

    printed = _rotate("--restarted")
    assert "from LOOKOUT_ENCRYPTION_KEYS and restart every process" in printed
    settings.LOOKOUT_ENCRYPTION_KEYS = [new]
    assert credential_list_unreadable() == []


# -- what a decryption failure is called ---------------------------------------------------------


def test_a_key_missing_from_the_file_is_a_lookout_configuration_error_never_adobes(
    keys, settings, client, alice, dave, sim_org, adobe
):
    MembershipFactory(organization=sim_org, user=dave, role=Membership.Role.MEMBER)
    credential = onboard_oauth(sim_org, adobe.org(0))
    # The old key removed before the rotation (a mistake), and Lookout restarted on that file.
    _write_keys(keys.path, keys.new)
    settings.LOOKOUT_ENCRYPTION_KEYS = [keys.new]

    outcome = token_refresh(credential_id=credential.pk)
    assert not outcome.ok and outcome.message == CONFIGURATION_ERROR
    credential.refresh_from_db()
    assert not credential.needs_attention
    assert credential.health == ("failing", f"Token refresh failed 1 time: {CONFIGURATION_ERROR}")

    client.force_login(dave)
    form = {
        "submission_key": str(uuid.uuid4()),  # each POST is a new rendering of the form
        "regulation": "gdpr",
        "actions": ["access"],
        "products": ["analytics"],
        "subjects": "ticket-1 | Email:jane@example.com",
    }
    url = reverse("privacy:request_new", args=[sim_org.code])
    page = client.post(url, form, follow=True).content.decode()
    submission = PrivacySubmission.objects.get()
    assert submission.state == "failed"
    assert submission.error.startswith("Not sent. Lookout configuration error:")
    assert "Not sent. Lookout configuration error:" in page
    assert "Adobe refused" not in page
    assert "Adobe Privacy Service" not in submission.error
    assert adobe.request_count(CREATE) == 0 and adobe.request_count(TOKEN) == 0

    client.force_login(alice)
    page = client.get(reverse("dashboard:credential_detail", args=[credential.code])).content
    assert "Lookout configuration error" in page.decode()
    assert "Needs attention" not in page.decode()

    _write_keys(keys.path, keys.new, keys.old)  # put back: taken up without a restart
    client.force_login(dave)
    form["submission_key"] = str(uuid.uuid4())  # the member fills the form in again
    page = client.post(url, form, follow=True).content.decode()
    assert "Adobe accepted the request: 1 job created." in page


def test_a_configuration_error_leaves_what_ims_said_about_the_credential(
    keys, settings, sim_org, adobe
):
    credential = onboard_oauth(sim_org, adobe.org(0))
    Credential.objects.filter(pk=credential.pk).update(needs_attention=True)  # IMS refused it
    _write_keys(keys.path, keys.new)
    settings.LOOKOUT_ENCRYPTION_KEYS = [keys.new]

    assert token_refresh(credential_id=credential.pk, force=True).configuration_error
    credential.refresh_from_db()
    # Lookout could not read the secret, so it learnt nothing new about whether IMS accepts it.
    assert credential.needs_attention


# -- the whole procedure with a real worker, the web and the simulator --------------------------


@pytest.fixture
def worker_on_key_file(transactional_db, keys, adobe, tmp_path) -> WorkerProcess:
    require(
        django_settings.CELERY_BROKER_URL.startswith("redis://"),
        "REDIS_URL is not set: worker tests run on the production broker, Redis",
    )
    worker = start_worker(tmp_path, concurrency=2, encryption_keys_file=keys.path)
    try:
        yield worker
    finally:
        stop_worker(worker)


def _manage(*args: str, key_file: Path) -> subprocess.CompletedProcess:
    """A management command run as an operator runs it: its own process, keys from the file."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DATABASE_URL": _database_url(),
        "LOOKOUT_ENCRYPTION_KEYS_FILE": str(key_file),
    }
    env.pop("LOOKOUT_ENCRYPTION_KEYS", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _worker_refreshes_every_token(worker: WorkerProcess, count: int) -> None:
    """Make every token due and let beat's fan-out task have the worker refresh them."""
    marker = timezone.now()
    Credential.objects.update(token_expires_at=marker)
    tokens_refresh_due_task.delay()
    done = Q(token_obtained_at__gt=marker) | Q(last_error_at__gt=marker)
    wait_until(
        lambda: Credential.objects.filter(done).count() == count,
        what="the worker to refresh every token",
    )
    worker.wait_idle()


def _nothing_failed(client, admin, step: str) -> None:
    for credential in Credential.objects.select_related("organization"):
        assert credential.last_error == "", (step, credential.last_error)
        assert not credential.needs_attention, step
        assert credential.health[0] == "ok", (step, credential.health)
    # The web: this process started on the old key only, and reads what the worker wrote.
    client.force_login(admin)
    for credential in Credential.objects.select_related("organization"):
        for url in (
            reverse("dashboard:credential_list", args=[credential.organization.code]),
            reverse("dashboard:credential_detail", args=[credential.code]),
        ):
            response = client.get(url)
            page = response.content.decode()
            assert response.status_code == 200, (step, url)
            assert "configuration error" not in page and "Needs attention" not in page, step
        assert token_get(credential_id=credential.pk)  # decrypted here, no IMS call
    assert credential_list_unreadable() == [], step


def test_the_readme_procedure_with_a_running_worker_and_web_loses_no_credential(
    keys, worker_on_key_file, adobe, client
):
    admin = UserFactory(username="ops-admin")
    credentials = []
    for generated in adobe.orgs():
        organization = OrganizationFactory(ims_org_id=generated.ims_org_id)
        MembershipFactory(organization=organization, user=admin, role=Membership.Role.ADMIN)
        credentials.append(onboard_oauth(organization, generated))  # queues a first refresh
    count = len(credentials)
    wait_until(
        lambda: Credential.objects.exclude(access_token_encrypted="").count() == count,
        what="every onboarded credential to hold a token",
    )
    worker_on_key_file.wait_idle()
    _nothing_failed(client, admin, "before")
    issued = 1

    # 1. The new key first in the file, the old one after it. Nobody restarts.
    _write_keys(keys.path, keys.new, keys.old)
    _worker_refreshes_every_token(worker_on_key_file, count)
    issued += 1
    _nothing_failed(client, admin, "new key added")
    # The worker picked up the file by itself: the tokens it wrote are under the new key.
    assert all(_under(keys.new, c.access_token_encrypted) for c in Credential.objects.all())

    # 2. The rotation command, in its own process.
    result = _manage("rotate_encryption_key", key_file=keys.path)
    assert result.returncode == 0, result.stderr
    assert f"Re-encrypted {count} secrets under the first key" in result.stdout
    assert f"({count} already were)" in result.stdout  # the tokens of step 1
    assert all(_under(keys.new, value) for value in _stored())
    _worker_refreshes_every_token(worker_on_key_file, count)
    issued += 1
    _nothing_failed(client, admin, "rotated")

    # 3. Only then the old key goes.
    _write_keys(keys.path, keys.new)
    _worker_refreshes_every_token(worker_on_key_file, count)
    issued += 1
    _nothing_failed(client, admin, "old key removed")
    assert all(_under(keys.new, value) for value in _stored())
    assert not any(_under(keys.old, value) for value in _stored())

    for generated in adobe.orgs():
        assert adobe.token_issuances(generated.ims_org_id) == issued, generated.name
    assert adobe.request_count(TOKEN) == issued * count
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN_REFRESH_FAILED).exists()
    assert "cannot be decrypted" not in worker_on_key_file.log()

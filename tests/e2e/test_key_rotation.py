"""The encryption key rotated by the README's procedure while every process keeps running.

With LOOKOUT_ENCRYPTION_KEYS_FILE (as the stack runs), README "Rotating the encryption key":

1. put the new key first in the file, the old one after it, replacing the file in one step;
2. run ``manage.py rotate_encryption_key``;
3. only when it succeeded, remove the old key, again in one step.

Nothing is restarted. Meanwhile the workers sync every organization every 10 s (each sync reads
its credential's token), and the tokens of two organizations are revoked at Adobe after step 3, so
their workers must read the client secret (now under the new key) and store a new token. A member
must notice nothing: no credential lost (every stored secret, private key and token decrypts
with the new key alone, read here with the cryptography library, independently of Lookout), no
"needs attention" or failed refresh on the credentials pages, no failed sync.
"""

from __future__ import annotations

import os
import time

import pytest
from cryptography.fernet import Fernet, InvalidToken

from tests.e2e import report
from tests.e2e.processes import utcnow
from tests.e2e.stack import BASE_ORGS, KILL_ORG, Stack, say, wait_for
from tests.pages import text_by_testid

pytestmark = pytest.mark.e2e


def _replace(path, keys: list[str]) -> None:
    """Write the key file as the README says: a new file in the same folder, renamed over it."""
    new = path.with_name(path.name + ".new")
    new.write_text("".join(f"{key}\n" for key in keys))
    new.chmod(0o600)
    os.replace(new, path)


def _unreadable_with(stack: Stack, key: str) -> list[str]:
    fernet = Fernet(key.encode())
    found = []
    rows = stack.sql(
        "SELECT 'secret ' || s.id AS what, s.secret_encrypted AS value "
        "FROM dashboard_clientsecret s WHERE s.secret_encrypted <> '' "
        "UNION ALL SELECT 'token of credential ' || c.id, c.access_token_encrypted "
        "FROM dashboard_credential c WHERE c.access_token_encrypted <> '' "
        "UNION ALL SELECT 'private key of credential ' || c.id, c.private_key_encrypted "
        "FROM dashboard_credential c WHERE c.private_key_encrypted <> ''"
    )
    for row in rows:
        try:
            fernet.decrypt(row["value"].encode())
        except InvalidToken:
            found.append(row["what"])
    return found


def test_key_rotation_while_workers_run_loses_no_credential(stack: Stack):
    stack.wait_background("sync rows", timeout=200)
    watched = [
        stack.orgs[i]
        for i in [*BASE_ORGS, KILL_ORG]
        if i in stack.orgs and stack.sync_healthy(stack.orgs[i])
    ]
    assert len(watched) >= 3, "the base organizations are not healthy to start with"
    old, new = stack.encryption_key, Fernet.generate_key().decode()
    assert not _unreadable_with(stack, old), "some secret was unreadable before the rotation"
    ims_before = {org.id: stack.ims_calls(org) for org in watched}
    started = time.monotonic()

    _replace(stack.keys_file, [new, old])  # 1
    rotated = stack.manage("rotate_encryption_key")  # 2
    _replace(stack.keys_file, [new])  # 3
    stack.encryption_key = new
    removed_at = utcnow()
    say(f"key rotated: {rotated.stdout.strip().splitlines()[0]}")
    refreshed = watched[:2]
    for org in refreshed:
        stack.sim.revoke_tokens(org=org.ims_org_id)

    problems: list[str] = []

    def settled() -> bool:
        for org in watched:
            state = stack.sync_state(org)
            if not state["last_success_at"] or state["last_success_at"] < removed_at:
                return False
        return all(stack.sync_healthy(org) for org in watched)

    try:
        # Each of those syncs read its credential's token after the old key was gone.
        wait_for(settled, timeout=60, what="every organization to sync under the new key alone")
        recovery_s = round(time.monotonic() - started, 1)
    except AssertionError as exc:
        problems.append(str(exc))
        recovery_s = None
    unreadable = _unreadable_with(stack, new)
    if unreadable:
        problems.append(f"not readable with the new key: {unreadable}")
    admin = stack.admin()
    for org in watched:
        state = stack.sync_state(org)
        if state["last_error"]:
            problems.append(f"{org.sim.name}: sync says {state['last_error']!r}")
        for credential in stack.credentials(org):
            if credential["needs_attention"]:
                problems.append(f"{org.sim.name}: 'needs attention': {credential['last_error']}")
            elif credential["consecutive_failures"]:
                problems.append(f"{org.sim.name}: refresh failing: {credential['last_error']}")
        health = text_by_testid(admin.get(f"/orgs/{org.code}/credentials/").text, "token-health")
        if health != "Token is valid.":
            problems.append(f"{org.sim.name}: the credentials page says {health!r}")
    ims = {org.id: stack.ims_calls(org) - ims_before[org.id] for org in watched}
    for org in watched:
        expected_calls = 1 if org in refreshed else 0
        if ims[org.id] != expected_calls:
            problems.append(f"{org.sim.name}: {ims[org.id]} IMS calls ({expected_calls} expected)")
    totals = [stack.completeness(org) for org in watched]
    row = report.record(
        report.Row(
            scenario="encryption key rotated",
            fault="README procedure while workers run; 2 tokens revoked after",
            expected=sum(t[0] for t in totals),
            present=sum(t[1] for t in totals),
            duplicates=sum(t[2] for t in totals),
            ims_calls=sum(ims.values()),
            recovery_s=recovery_s,
        )
    )
    if row.present != row.expected:
        problems.append(f"{row.expected - row.present} jobs missing")
    row.verdict = "ok" if not problems else "FAIL: " + "; ".join(problems)
    assert not problems, "; ".join(problems)

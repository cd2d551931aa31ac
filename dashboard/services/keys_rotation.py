"""Re-encrypting every stored secret under the first encryption key: all of them or none."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from dashboard import crypto
from dashboard.models import AuditEvent, ClientSecret, Credential
from dashboard.services.audit import audit_record


class RotationRefused(Exception):
    """Nothing was re-encrypted: ``problems`` names what must be fixed first."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass
class RotationReport:
    keys: crypto.KeySource
    reencrypted: int = 0
    unchanged: int = 0  # already under the first key
    organizations: list[str] = field(default_factory=list)


@transaction.atomic
def encryption_keys_rotate() -> RotationReport:
    """Re-encrypt every stored secret under the first key, read afresh from its source.

    Refuses (:class:`RotationRefused`, nothing written) unless every key loads and every stored
    secret decrypts with them: a secret no key reads would be lost when the old keys go.
    """
    try:
        keys = crypto.keys_load()
    except crypto.KeysInvalid as exc:
        raise RotationRefused(str(exc)) from None
    report = RotationReport(keys=keys)
    credential_updates: dict[int, dict[str, str]] = {}
    secret_updates: dict[int, str] = {}
    unreadable: list[str] = []
    organizations = {}

    def reencrypted(value: str, where: str, credential: Credential) -> str | None:
        try:
            new = crypto.reencrypt(value)
        except crypto.SecretUnreadable:
            unreadable.append(f"{credential.organization} / {credential} ({where})")
            return None
        if new == value:
            report.unchanged += 1
            return None
        report.reencrypted += 1
        organizations[credential.organization_id] = credential.organization
        return new

    # Every row is locked until the end: nothing written meanwhile escapes re-encryption.
    for credential in Credential.objects.select_related("organization").select_for_update(
        of=("self",)
    ):
        for name in ("private_key_encrypted", "access_token_encrypted"):
            value = getattr(credential, name)
            if value and (new := reencrypted(value, name, credential)):
                credential_updates.setdefault(credential.pk, {})[name] = new
    secrets = ClientSecret.objects.select_related("credential__organization").exclude(
        secret_encrypted=""
    )
    for secret in secrets.select_for_update(of=("self",)):
        new = reencrypted(secret.secret_encrypted, f"secret {secret.hint}", secret.credential)
        if new:
            secret_updates[secret.pk] = new
    if unreadable:
        raise RotationRefused(f"No key in {keys.name} can decrypt these.", problems=unreadable)

    for pk, updates in credential_updates.items():
        Credential.objects.filter(pk=pk).update(**updates)
    for pk, value in secret_updates.items():
        ClientSecret.objects.filter(pk=pk).update(secret_encrypted=value)
    for organization in organizations.values():
        audit_record(organization=organization, action=AuditEvent.Action.KEYS_ROTATED)
    report.organizations = sorted(str(organization) for organization in organizations.values())
    return report

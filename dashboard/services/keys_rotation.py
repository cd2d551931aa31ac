"""Re-encrypting every stored secret under the first key of LOOKOUT_ENCRYPTION_KEYS."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from dashboard import crypto
from dashboard.models import AuditEvent, ClientSecret, Credential
from dashboard.services.audit import audit_record


@dataclass
class RotationReport:
    reencrypted: int = 0
    unreadable: list[str] = field(default_factory=list)


@transaction.atomic
def encryption_keys_rotate() -> RotationReport:
    """Re-encrypt what every key can read; name what none can (and leave it as it is)."""
    report = RotationReport()
    organizations = {}
    for credential in Credential.objects.select_related("organization").select_for_update():
        updates = {}
        for name in ("private_key_encrypted", "access_token_encrypted"):
            value = getattr(credential, name)
            if not value:
                continue
            try:
                updates[name] = crypto.reencrypt(value)
            except crypto.SecretUnreadable:
                report.unreadable.append(f"{credential.organization} / {credential} ({name})")
        if updates:
            Credential.objects.filter(pk=credential.pk).update(**updates)
            report.reencrypted += len(updates)
            organizations[credential.organization_id] = credential.organization
    secrets = ClientSecret.objects.select_related("credential__organization").exclude(
        secret_encrypted=""
    )
    for secret in secrets.select_for_update(of=("self",)):
        try:
            value = crypto.reencrypt(secret.secret_encrypted)
        except crypto.SecretUnreadable:
            credential = secret.credential
            report.unreadable.append(
                f"{credential.organization} / {credential} (secret {secret.hint})"
            )
            continue
        ClientSecret.objects.filter(pk=secret.pk).update(secret_encrypted=value)
        report.reencrypted += 1
        organizations[secret.credential.organization_id] = secret.credential.organization
    for organization in organizations.values():
        audit_record(organization=organization, action=AuditEvent.Action.KEYS_ROTATED)
    return report

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from dashboard.models import AuditEvent, Credential, Organization


def audit_record(
    *,
    organization: Organization | None = None,
    action: str,
    actor: AbstractBaseUser | None = None,
    credential: Credential | None = None,
    detail: str = "",
) -> AuditEvent:
    """Record an action; ``actor=None`` is the system. Never pass a secret in ``detail``.

    A credential's event belongs to the credential's organization unless ``organization`` says.
    """
    return AuditEvent.objects.create(
        organization=organization or credential.organization,
        credential=credential,
        credential_name=credential.name if credential else "",
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        detail=detail[:500],
    )

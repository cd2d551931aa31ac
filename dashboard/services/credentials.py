"""Onboarding credentials and rotating their client secrets. Secrets are encrypted on the way in."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from adobe.console import ConsoleCredential, ConsoleFileError, parse_console_credential
from dashboard import crypto, keys
from dashboard.models import AuditEvent, ClientSecret, Credential, Organization
from dashboard.services.audit import audit_record

logger = logging.getLogger(__name__)
Action = AuditEvent.Action


@dataclass(frozen=True)
class CredentialInput:
    """What an admin (form, JSON upload or command line) gives to onboard a credential."""

    kind: str
    name: str
    client_id: str
    client_secrets: Sequence[str] = field(repr=False)
    usage: str = Credential.Usage.BOTH
    scopes: Sequence[str] = ()
    metascopes: Sequence[str] = ()
    technical_account_id: str = ""
    technical_account_email: str = ""
    private_key_pem: str = field(default="", repr=False)
    certificate_pem: str = ""


def _clean_list(values: Sequence[str]) -> list[str]:
    return [v.strip() for v in values if v and v.strip()]


@sensitive_variables("raw")
def console_credential_read(*, raw: bytes, organization: Organization) -> ConsoleCredential:
    """Read a Developer Console credential file for this organization (the page and the command).

    Refusals are a ``ValidationError`` in words, never quoting a secret; nothing is written.
    """
    try:
        parsed = parse_console_credential(raw)
    except ConsoleFileError as exc:
        raise ValidationError(str(exc)) from None
    if parsed.ims_org_id and parsed.ims_org_id != organization.ims_org_id:
        raise ValidationError(
            f"This file is for IMS organization {parsed.ims_org_id}, not {organization.name} "
            f"({organization.ims_org_id})."
        )
    return parsed


# Characters no identifier, scope or secret holds; PostgreSQL cannot even store NUL.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ONE_LINE_FIELDS = {
    "name": "The name",
    "client_id": "The client ID",
    "technical_account_id": "The technical account ID",
    "technical_account_email": "The technical account email",
}


@sensitive_variables("data", "secrets")
def _control_character_errors(data: CredentialInput, secrets: Sequence[str]) -> dict[str, str]:
    errors = {
        name: f"{label} contains a control character (such as a tab or line break)."
        for name, label in _ONE_LINE_FIELDS.items()
        if _CONTROL.search(getattr(data, name).strip())
    }
    if any(_CONTROL.search(secret) for secret in secrets):
        errors["client_secret"] = "A client secret contains a control character."  # noqa: S105
    for name, values in (("scopes", data.scopes), ("metascopes", data.metascopes)):
        if any(_CONTROL.search(value) for value in _clean_list(values)):
            errors[name] = f"The {name} contain a control character (such as a tab)."
    return errors


# Scopes and metascopes are kept comma-separated in one column each. Those columns are TEXT (no
# length of their own), so Lookout keeps at most this many characters in each, unless a column
# gets a max_length: Developer Console lists a few short scopes (openid,AdobeID,...), well under.
SCOPES_MAX_LENGTH = 1000


def _scope_length_errors(data: CredentialInput) -> dict[str, str]:
    errors = {}
    for name, values in (("scopes", data.scopes), ("metascopes", data.metascopes)):
        limit = Credential._meta.get_field(name).max_length or SCOPES_MAX_LENGTH
        length = len(",".join(_clean_list(values)))
        if length > limit:
            errors[name] = (
                f"The {name} are {length:,} characters long, comma-separated; Lookout keeps at "
                f"most {limit:,}. Enter only the {name} the credential lists in Developer Console."
            )
    return errors


@sensitive_variables("data", "secrets", "key")
def _validate(data: CredentialInput) -> dict:
    """Check what the kind requires; return the derived key fields. Raises field errors."""
    errors: dict[str, str] = {}
    secrets = _clean_list(data.client_secrets)
    if not data.client_id.strip():
        errors["client_id"] = "Enter the client ID (API key) from Developer Console."
    if not secrets:
        errors["client_secret"] = "Enter the client secret from Developer Console."  # noqa: S105
    errors.update(_control_character_errors(data, secrets))
    errors.update(_scope_length_errors(data))
    derived: dict = {}
    if data.kind == Credential.Kind.OAUTH:
        if not _clean_list(data.scopes):
            errors["scopes"] = (
                "Enter at least one scope, comma-separated, as listed on the credential in "
                "Developer Console (e.g. openid,AdobeID,read_organizations)."
            )
    elif data.kind == Credential.Kind.JWT:
        if not data.technical_account_id.strip():
            errors["technical_account_id"] = (
                "Enter the technical account ID (…@techacct.adobe.com)."
            )
        if not _clean_list(data.metascopes):
            errors["metascopes"] = (
                "Enter at least one metascope: ent_gdpr_sdk for Privacy Service, "
                "ent_status_api for Adobe Status."
            )
        try:
            key = keys.load_rsa_private_key(data.private_key_pem)
        except keys.KeyProblem as exc:
            errors["private_key"] = str(exc)
        else:
            derived["private_key_fingerprint"] = keys.public_key_fingerprint(key)
            if data.certificate_pem.strip():
                try:
                    certificate = keys.load_certificate(data.certificate_pem)
                except keys.KeyProblem as exc:
                    errors["certificate"] = str(exc)
                else:
                    if not keys.certificate_matches_key(certificate, key):
                        errors["certificate"] = (
                            "This certificate does not belong to the private key: its public "
                            "key is different. Upload the certificate generated with this key."
                        )
                    derived["certificate_expires_at"] = keys.certificate_expiry(certificate)
    else:
        errors["kind"] = "Choose OAuth Server-to-Server or Service Account (JWT)."
    if errors:
        raise ValidationError(errors)
    return derived


@sensitive_variables("data", "secret")
@transaction.atomic
def credential_create(
    *, organization: Organization, data: CredentialInput, created_by: AbstractBaseUser | None
) -> Credential:
    derived = _validate(data)
    credential = Credential(
        organization=organization,
        name=data.name.strip() or data.client_id.strip(),
        kind=data.kind,
        usage=data.usage,
        client_id=data.client_id.strip(),
        technical_account_id=data.technical_account_id.strip(),
        technical_account_email=data.technical_account_email.strip(),
        scopes=",".join(_clean_list(data.scopes)),
        metascopes=",".join(_clean_list(data.metascopes)),
        certificate_pem=data.certificate_pem.strip(),
        created_by=created_by if created_by and created_by.is_authenticated else None,
        **derived,
    )
    if data.kind == Credential.Kind.JWT:
        credential.private_key_encrypted = crypto.encrypt(data.private_key_pem.strip())
    credential.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            credential.save()
    except IntegrityError:
        raise ValidationError(
            {"client_id": f"{organization} already has a credential with this client ID."}
        ) from None
    for position, secret in enumerate(_clean_list(data.client_secrets)):
        _secret_store(credential, secret, is_primary=position == 0, created_by=created_by)
    audit_record(
        organization=organization,
        credential=credential,
        actor=created_by,
        action=Action.CREDENTIAL_CREATED,
        detail=f"{credential.get_kind_display()}, client ID {credential.client_id}",
    )
    logger.info("Credential %s created for organization %s", credential.code, organization.code)
    _refresh_soon(credential)
    return credential


@sensitive_variables("secret")
def _secret_store(
    credential: Credential, secret: str, *, is_primary: bool, created_by
) -> ClientSecret:
    return ClientSecret.objects.create(
        credential=credential,
        secret_encrypted=crypto.encrypt(secret),
        hint=crypto.hint(secret),
        is_primary=is_primary,
        created_by=created_by if created_by and created_by.is_authenticated else None,
    )


@transaction.atomic
def credential_delete(*, credential: Credential, actor: AbstractBaseUser | None) -> None:
    audit_record(
        organization=credential.organization,
        credential=credential,
        actor=actor,
        action=Action.CREDENTIAL_DELETED,
        detail=f"client ID {credential.client_id}",
    )
    credential.delete()


@sensitive_variables("secret")
@transaction.atomic
def secret_add(
    *,
    credential: Credential,
    secret: str,
    actor: AbstractBaseUser | None,
    make_primary: bool,
    expires_on: date | None = None,
) -> ClientSecret:
    """Add a client secret (rotation step 1); the old one keeps working until it is retired.
    ``expires_on``, when Developer Console gives one, is warned of (the home page, notifications).
    """
    secret = secret.strip()
    if not secret:
        raise ValidationError({"secret": "Enter the new client secret."})
    if make_primary:
        credential.secrets.filter(is_primary=True).update(is_primary=False)
    added = _secret_store(credential, secret, is_primary=make_primary, created_by=actor)
    if expires_on is not None:
        added.expires_at = datetime.combine(expires_on, time.min, tzinfo=UTC)
        added.save(update_fields=["expires_at"])
    audit_record(
        organization=credential.organization,
        credential=credential,
        actor=actor,
        action=Action.SECRET_ADDED,
        detail=f"secret {added.hint}" + (" as primary" if make_primary else ""),
    )
    _clear_attention(credential)  # the admin acted: automatic refreshes resume
    _refresh_soon(credential)
    return added


@transaction.atomic
def secret_promote(*, secret: ClientSecret, actor: AbstractBaseUser | None) -> ClientSecret:
    if not secret.is_active:
        raise ValidationError("A retired secret cannot become primary.")
    secret.credential.secrets.filter(is_primary=True).update(is_primary=False)
    ClientSecret.objects.filter(pk=secret.pk).update(is_primary=True)
    secret.is_primary = True
    audit_record(
        organization=secret.credential.organization,
        credential=secret.credential,
        actor=actor,
        action=Action.SECRET_PROMOTED,
        detail=f"secret {secret.hint}",
    )
    return secret


@transaction.atomic
def secret_retire(*, secret: ClientSecret, actor: AbstractBaseUser | None) -> ClientSecret:
    """Stop using a secret and forget its value; the last active secret cannot be retired."""
    credential = secret.credential
    if not secret.is_active:
        raise ValidationError("This secret is already retired.")
    others = credential.secrets.filter(retired_at__isnull=True).exclude(pk=secret.pk)
    if not others.exists():
        raise ValidationError(
            "This is the credential's only secret: add the new one before retiring it."
        )
    secret.retired_at = timezone.now()
    secret.secret_encrypted = ""
    was_primary = secret.is_primary
    secret.is_primary = False
    secret.save(update_fields=["retired_at", "secret_encrypted", "is_primary", "updated_at"])
    if was_primary:
        successor = others.order_by("created_at").first()
        ClientSecret.objects.filter(pk=successor.pk).update(is_primary=True)
    audit_record(
        organization=credential.organization,
        credential=credential,
        actor=actor,
        action=Action.SECRET_RETIRED,
        detail=f"secret {secret.hint}",
    )
    return secret


def _refresh_soon(credential: Credential) -> None:
    """Get the first token now rather than at the next beat tick (after commit, style B.11)."""
    from dashboard import background
    from dashboard.tasks import token_refresh_task

    def enqueue() -> None:
        try:
            background.enqueue(token_refresh_task, credential_id=credential.pk)
        except Exception as exc:  # a dead broker must not fail the admin's save
            logger.warning(
                "Could not queue the first token refresh of credential %s (%s); the next "
                "scheduled run will do it",
                credential.code,
                type(exc).__name__,
            )

    transaction.on_commit(enqueue)


def _clear_attention(credential: Credential) -> None:
    Credential.objects.filter(pk=credential.pk).update(needs_attention=False, next_attempt_at=None)

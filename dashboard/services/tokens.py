"""IMS access tokens: one shared, encrypted token per credential, refreshed ahead of expiry.

Code that calls Adobe asks :func:`token_get` (or a :class:`CredentialTokenProvider`) for a token.
Refreshes are single-flight across every worker: a refresh first claims a short lease on the
credential row with a conditional update, so at most one IMS call happens per credential per
refresh, however many workers, beat ticks or 401s overlap (style B.12).
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from adobe import AccessToken, IMSClient
from adobe.errors import (
    AdobeAuthError,
    AdobeError,
    AdobeInvalidRequest,
    AdobeRateLimited,
    AdobeUnavailable,
)
from dashboard import crypto
from dashboard.models import AuditEvent, ClientSecret, Credential
from dashboard.services.audit import audit_record

logger = logging.getLogger(__name__)

# A refresh holds its lease at most this long; longer than one IMS call can take.
LEASE = timedelta(seconds=60)
# Never hand out a token with less than this left (Adobe's own libraries use 10 minutes).
MIN_VALIDITY = timedelta(minutes=10)
# How long a caller waits for another worker's refresh before giving up.
WAIT_FOR_OTHER_REFRESH = timedelta(seconds=30)


class TokenUnavailable(AdobeUnavailable):
    """No usable token right now; the message says why in plain words."""


class CredentialNeedsAttention(AdobeAuthError):
    """Automatic refreshes are stopped until an admin fixes the credential."""


@dataclass(frozen=True)
class RefreshOutcome:
    ok: bool
    message: str
    refreshed: bool = False  # False when another worker had already done it


def refresh_margin() -> timedelta:
    return timedelta(seconds=settings.LOOKOUT_TOKEN_REFRESH_MARGIN)


@functools.cache
def _session() -> requests.Session:
    # One connection pool per process: IMS connections are reused across refreshes.
    return requests.Session()


def _ims_client() -> IMSClient:
    return IMSClient(
        base_url=settings.ADOBE_IMS_URL, session=_session(), timeout=settings.ADOBE_HTTP_TIMEOUT
    )


def _is_fresh(credential: Credential, now: datetime, margin: timedelta) -> bool:
    remaining = credential.token_remaining(now)
    return remaining is not None and remaining > margin


@sensitive_variables("token", "rejected_token")
def _usable(
    token: str,
    credential: Credential,
    now: datetime,
    margin: timedelta,
    force: bool,
    rejected_token: str | None,
) -> bool:
    """Whether ``token`` can be handed out instead of calling IMS."""
    if not token or not _is_fresh(credential, now, margin):
        return False
    # A forced refresh replaces only the token Adobe rejected; a different one is already new.
    return not force or (rejected_token is not None and token != rejected_token)


# ---------------------------------------------------------------------------------------------
# Reading a token


@sensitive_variables("rejected_token")
def token_get(
    *, credential_id: int, force_refresh: bool = False, rejected_token: str | None = None
) -> str:
    """A token with at least 10 minutes left, refreshing single-flight when needed.

    ``force_refresh`` (after Adobe answered 401 with ``rejected_token``) replaces that token
    unless another worker already has.
    """
    deadline = time.monotonic() + WAIT_FOR_OTHER_REFRESH.total_seconds()
    while True:
        credential = Credential.objects.get(pk=credential_id)
        now = timezone.now()
        token = _current_token(credential)
        if _usable(token, credential, now, MIN_VALIDITY, force_refresh, rejected_token):
            return token
        if credential.needs_attention:
            raise CredentialNeedsAttention(
                f"Credential “{credential}” needs attention: {credential.last_error}"
            )
        outcome = token_refresh(
            credential_id=credential_id,
            force=force_refresh,
            rejected_token=rejected_token,
            reason="401 from Adobe" if force_refresh else "token nearly expired",
        )
        if outcome is not None and not outcome.ok:
            raise TokenUnavailable(outcome.message)
        if outcome is not None:
            force_refresh = False  # done (by us or found done): the next loop returns the token
            continue
        # Another worker holds the lease: wait for its token instead of calling IMS too.
        if time.monotonic() > deadline:
            raise TokenUnavailable("Another worker's token refresh did not finish in time.")
        time.sleep(0.2)


def _current_token(credential: Credential) -> str:
    if not credential.access_token_encrypted:
        return ""
    try:
        return crypto.decrypt(credential.access_token_encrypted)
    except crypto.SecretUnreadable:
        return ""  # refreshing replaces it


class CredentialTokenProvider:
    """The token provider the ``adobe`` clients take: ``provider(force_refresh=...) -> str``.

    A 401 makes the client call it once with ``force_refresh=True``; only the token that was
    rejected is replaced, so many callers seeing the same 401 cause one IMS call.
    """

    def __init__(self, credential_id: int):
        self.credential_id = credential_id
        self._last: str | None = None

    def __repr__(self) -> str:
        return f"CredentialTokenProvider(credential_id={self.credential_id})"

    def __call__(self, *, force_refresh: bool = False) -> str:
        self._last = token_get(
            credential_id=self.credential_id,
            force_refresh=force_refresh,
            rejected_token=self._last if force_refresh else None,
        )
        return self._last


# ---------------------------------------------------------------------------------------------
# Refreshing


def credential_ids_refresh_due(*, now: datetime | None = None) -> list[int]:
    """Credentials whose token has under the refresh margin left and that may be retried now."""
    now = now or timezone.now()
    return list(
        Credential.objects.filter(needs_attention=False)
        .filter(Q(token_expires_at__isnull=True) | Q(token_expires_at__lt=now + refresh_margin()))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(secrets__retired_at__isnull=True)
        .distinct()
        .values_list("pk", flat=True)
    )


def _claim(credential_id: int, now: datetime) -> bool:
    claimed = (
        Credential.objects.filter(pk=credential_id)
        .filter(Q(refresh_lease_until__isnull=True) | Q(refresh_lease_until__lt=now))
        .update(refresh_lease_until=now + LEASE, last_attempt_at=now)
    )
    return claimed == 1


def token_refresh(
    *,
    credential_id: int,
    force: bool = False,
    rejected_token: str | None = None,
    actor=None,
    reason: str = "scheduled",
) -> RefreshOutcome | None:
    """Get a new token from IMS if one is still needed. ``None``: another worker is on it."""
    now = timezone.now()
    if not _claim(credential_id, now):
        return None
    try:
        credential = Credential.objects.select_related("organization").get(pk=credential_id)
        # Re-check under the lease: the previous holder may have refreshed a moment ago.
        current = _current_token(credential)
        margin = MIN_VALIDITY if force else refresh_margin()
        if _usable(current, credential, now, margin, force, rejected_token):
            return RefreshOutcome(ok=True, message="The token was already fresh.")
        return _refresh(credential, actor=actor, reason=reason)
    finally:
        Credential.objects.filter(pk=credential_id).update(refresh_lease_until=None)


def _active_secrets(credential: Credential) -> list[ClientSecret]:
    return list(credential.secrets.filter(retired_at__isnull=True).order_by("-is_primary", "id"))


@sensitive_variables("secrets", "private_key_pem", "token")
def _exchange(credential: Credential, secret_rows: list[ClientSecret]) -> AccessToken:
    secrets = [crypto.decrypt(row.secret_encrypted) for row in secret_rows]
    if not secrets:
        raise AdobeInvalidRequest("the credential has no active client secret")
    ims = _ims_client()
    if credential.is_jwt:
        private_key_pem = crypto.decrypt(credential.private_key_encrypted)
        return ims.exchange_jwt(
            client_id=credential.client_id,
            client_secret=secrets,
            ims_org_id=credential.organization.ims_org_id,
            technical_account_id=credential.technical_account_id,
            private_key_pem=private_key_pem,
            metascopes=credential.metascope_list,
        )
    return ims.exchange_oauth(
        client_id=credential.client_id, client_secret=secrets, scopes=credential.scope_list
    )


def _refresh(credential: Credential, *, actor, reason: str) -> RefreshOutcome:
    secret_rows = _active_secrets(credential)
    now = timezone.now()
    try:
        token = _exchange(credential, secret_rows)
    except (AdobeError, crypto.SecretUnreadable) as exc:
        return _record_failure(credential, exc, actor=actor, now=now)
    used = secret_rows[min(token.secret_index, len(secret_rows) - 1)]
    Credential.objects.filter(pk=credential.pk).update(
        access_token_encrypted=crypto.encrypt(token.value),
        token_expires_at=token.expires_at,
        token_obtained_at=now,
        last_success_at=now,
        last_error="",
        consecutive_failures=0,
        needs_attention=False,
        next_attempt_at=None,
    )
    ClientSecret.objects.filter(pk=used.pk).update(last_used_at=now)
    message = f"New token valid until {token.expires_at:%Y-%m-%d %H:%M} UTC (secret {used.hint})."
    audit_record(
        organization=credential.organization,
        credential=credential,
        actor=actor,
        action=AuditEvent.Action.TOKEN_REFRESHED,
        detail=f"{message} Reason: {reason}.",
    )
    logger.info("Token refreshed for credential %s (%s)", credential.code, reason)
    return RefreshOutcome(ok=True, message=message, refreshed=True)


def describe_error(exc: Exception) -> str:
    """The failure in plain words, for pages and the audit log (never a secret)."""
    code = getattr(exc, "code", None)
    if isinstance(exc, crypto.SecretUnreadable):
        return (
            "The stored secret cannot be decrypted: none of the keys in LOOKOUT_ENCRYPTION_KEYS "
            "fits it."
        )
    if isinstance(exc, AdobeAuthError):
        explained = {
            "invalid_client": "IMS rejected the client ID or client secret",
            "invalid_scope": "IMS refused the scopes: compare them with the credential in "
            "Developer Console",
            "invalid_signature": "IMS could not verify the JWT signature: the private key does "
            "not match a certificate on the credential",
            "invalid_token": "IMS refused the JWT assertion (expired, wrong audience or "
            "metascopes)",
        }.get(code or "")
        return f"{explained or exc.message} ({code or exc.status})."
    if isinstance(exc, AdobeRateLimited):
        return f"IMS is rate limiting requests (429); retrying in {exc.retry_after:.0f} s."
    if isinstance(exc, AdobeUnavailable):
        return f"IMS did not answer properly: {exc.message}. Lookout will retry."
    if isinstance(exc, AdobeInvalidRequest):
        return f"The credential is incomplete: {exc.message}."
    return f"{exc}"


def _backoff(failures: int, exc: Exception) -> timedelta:
    base = timedelta(minutes=min(60, 2 ** min(failures, 6)))
    if isinstance(exc, AdobeRateLimited):
        return max(base, timedelta(seconds=exc.retry_after))
    return base


def _record_failure(credential: Credential, exc: Exception, *, actor, now) -> RefreshOutcome:
    permanent = isinstance(exc, crypto.SecretUnreadable) or getattr(exc, "permanent", False)
    message = describe_error(exc)
    failures = credential.consecutive_failures + 1
    Credential.objects.filter(pk=credential.pk).update(
        last_error=message[:500],
        last_error_at=now,
        consecutive_failures=failures,
        needs_attention=permanent,
        next_attempt_at=None if permanent else now + _backoff(failures, exc),
    )
    audit_record(
        organization=credential.organization,
        credential=credential,
        actor=actor,
        action=AuditEvent.Action.TOKEN_REFRESH_FAILED,
        detail=message + (" Automatic refreshes stopped until an admin acts." if permanent else ""),
    )
    logger.warning(
        "Token refresh failed for credential %s (%s, %s)",
        credential.code,
        type(exc).__name__,
        "permanent" if permanent else "transient",
    )
    return RefreshOutcome(ok=False, message=message)


def credential_test(*, credential: Credential, actor) -> RefreshOutcome:
    """Get a token right now (the Test connection button); success resumes automatic refreshes."""
    started = timezone.now()
    outcome = token_refresh(credential_id=credential.pk, force=True, actor=actor, reason="test")
    if outcome is None:
        outcome = _outcome_of_running_refresh(credential.pk, since=started)
    audit_record(
        organization=credential.organization,
        credential=credential,
        actor=actor,
        action=AuditEvent.Action.CREDENTIAL_TESTED,
        detail=("Succeeded. " if outcome.ok else "Failed. ") + outcome.message,
    )
    return outcome


def _outcome_of_running_refresh(credential_id: int, *, since: datetime) -> RefreshOutcome:
    """A worker was refreshing when the admin pressed Test connection: report its result."""
    deadline = time.monotonic() + WAIT_FOR_OTHER_REFRESH.total_seconds()
    while Credential.objects.filter(pk=credential_id, refresh_lease_until__isnull=False).exists():
        if time.monotonic() > deadline:
            return RefreshOutcome(
                ok=False, message="A refresh is still in progress; try again in a minute."
            )
        time.sleep(0.2)
    credential = Credential.objects.get(pk=credential_id)
    if credential.last_success_at and credential.last_success_at >= since:
        return RefreshOutcome(
            ok=True,
            message=f"New token valid until {credential.token_expires_at:%Y-%m-%d %H:%M} UTC.",
        )
    return RefreshOutcome(ok=False, message=credential.last_error or "The refresh did not finish.")


def credential_flag(*, credential_id: int, error: Exception) -> None:
    """Adobe refused a credential for good (after a forced refresh, or 403): stop using it until
    an admin acts, and say why on its page and in the audit log."""
    credential = Credential.objects.select_related("organization").get(pk=credential_id)
    _record_failure(credential, error, actor=None, now=timezone.now())

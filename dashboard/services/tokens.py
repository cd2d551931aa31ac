"""IMS access tokens: one shared, encrypted token per credential, refreshed ahead of expiry.

Code that calls Adobe asks :func:`token_get` (or a :class:`CredentialTokenProvider`) for a token.
Refreshes are single-flight across every worker: a refresh is a background run on the credential
row (:mod:`dashboard.runs`), so at most one IMS call happens per credential per refresh, however
many workers, beat ticks or 401s overlap (style B.12).

Only IMS decides whether a credential "needs attention": a 401 or 403 from Privacy Service or
Adobe Status is that service's failure, recorded on its own sync state. A flagged credential is
probed again on the :data:`~dashboard.runs.PROBE` backoff and the first success clears the flag.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from adobe import AccessToken
from adobe.errors import AdobeError
from dashboard import crypto
from dashboard.describe import LookoutError, TokenUnavailable, describe_ims_error
from dashboard.models import AuditEvent, ClientSecret, Credential
from dashboard.runs import Run, run_claim
from dashboard.services.audit import audit_record
from dashboard.services.clients import ims_client

logger = logging.getLogger(__name__)

# A refresh holds the credential this long, renewed while it lives: longer than one IMS call.
LEASE = timedelta(seconds=30)
# Never hand out a token with less than this left (Adobe's own libraries use 10 minutes).
MIN_VALIDITY = timedelta(minutes=10)
# How long a worker waits for another worker's refresh before giving up.
WAIT_FOR_OTHER_REFRESH = timedelta(seconds=30)


class CredentialNeedsAttention(LookoutError):
    """IMS refused the credential; it is probed again on a backoff, not before."""


@dataclass(frozen=True)
class RefreshOutcome:
    ok: bool
    message: str
    refreshed: bool = False  # False when another worker had already done it
    in_progress: bool = False  # another worker is refreshing right now
    configuration_error: bool = False  # a stored secret did not decrypt: Adobe was not asked


def refresh_margin() -> timedelta:
    return timedelta(seconds=settings.LOOKOUT_TOKEN_REFRESH_MARGIN)


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
    *,
    credential_id: int,
    force_refresh: bool = False,
    rejected_token: str | None = None,
) -> str:
    """A token with at least 10 minutes left, refreshing single-flight when needed.

    ``force_refresh`` (after Adobe answered 401 with ``rejected_token``) replaces that token
    unless another worker already has. A credential IMS refused is not asked again before its
    next probe is due.
    """
    deadline = time.monotonic() + WAIT_FOR_OTHER_REFRESH.total_seconds()
    while True:
        credential = Credential.objects.get(pk=credential_id)
        now = timezone.now()
        token = _current_token(credential)
        if _usable(token, credential, now, MIN_VALIDITY, force_refresh, rejected_token):
            return token
        if credential.needs_attention and not _probe_due(credential, now):
            raise CredentialNeedsAttention(
                f"IMS refused this credential: {credential.last_error} "
                f"Lookout tries it again at {credential.next_attempt_at:%H:%M} UTC."
            )
        outcome = token_refresh(
            credential_id=credential_id,
            force=force_refresh,
            rejected_token=rejected_token,
            reason="401 from Adobe" if force_refresh else "token nearly expired",
        )
        if not outcome.in_progress and not outcome.ok:
            if outcome.configuration_error:
                raise crypto.SecretUnreadable(outcome.message)  # Lookout's failure, not Adobe's
            raise TokenUnavailable(outcome.message)
        if not outcome.in_progress:
            force_refresh = False  # done (by us or found done): the next loop returns the token
            continue
        # Another worker holds the lease: wait for its token instead of calling IMS too.
        if time.monotonic() > deadline:
            raise TokenUnavailable("Another worker's token refresh did not finish in time.")
        time.sleep(0.2)


def _probe_due(credential: Credential, now: datetime) -> bool:
    return credential.next_attempt_at is None or credential.next_attempt_at <= now


def _current_token(credential: Credential) -> str:
    if not credential.access_token_encrypted:
        return ""
    try:
        return crypto.decrypt(credential.access_token_encrypted)
    except crypto.SecretUnreadable:
        return ""  # refreshing replaces it


class CredentialTokenProvider:
    """The token provider the ``adobe`` clients take: ``provider(force_refresh=...) -> str``.

    The token is re-read from the database at most once a ``ttl`` (decrypting it on every call
    of a backfill would cost a third of its time); ``token_get`` only hands out tokens with 10
    minutes left, so holding one for a minute is safe. A 401 makes the client call it once with
    ``force_refresh=True``: only the token that was rejected is replaced, so many callers seeing
    the same 401 cause one IMS call.
    """

    def __init__(self, credential_id: int, *, ttl: timedelta = timedelta(seconds=60)):
        self.credential_id = credential_id
        self.ttl = ttl
        self._last: str | None = None
        self._read_at: datetime | None = None

    def __repr__(self) -> str:
        return f"CredentialTokenProvider(credential_id={self.credential_id})"

    def __call__(self, *, force_refresh: bool = False) -> str:
        now = timezone.now()  # the wall clock, as the token's expiry is
        stale = self._read_at is None or not self._read_at <= now < self._read_at + self.ttl
        if force_refresh or self._last is None or stale:
            self._last = token_get(
                credential_id=self.credential_id,
                force_refresh=force_refresh,
                rejected_token=self._last if force_refresh else None,
            )
            self._read_at = now
        return self._last


# ---------------------------------------------------------------------------------------------
# Refreshing


def credential_ids_refresh_due(*, now: datetime | None = None) -> list[int]:
    """Credentials whose token has under the refresh margin left and that may be tried now:
    transient failures after their backoff, credentials IMS refused when their probe is due."""
    now = now or timezone.now()
    return list(
        Credential.objects.filter(
            Q(token_expires_at__isnull=True) | Q(token_expires_at__lt=now + refresh_margin())
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(secrets__retired_at__isnull=True)
        .distinct()
        .values_list("pk", flat=True)
    )


def token_refresh(
    *,
    credential_id: int,
    force: bool = False,
    rejected_token: str | None = None,
    actor=None,
    reason: str = "scheduled",
) -> RefreshOutcome:
    """Get a new token from IMS if one is still needed; ``in_progress`` if another worker is."""
    run = run_claim(Credential, pk=credential_id, lease=LEASE)
    if run is None:
        return RefreshOutcome(
            ok=False, in_progress=True, message="Another refresh is in progress right now."
        )
    with run:
        credential = Credential.objects.select_related("organization").get(pk=credential_id)
        # Re-check under the lease: the previous holder may have refreshed a moment ago.
        current = _current_token(credential)
        margin = MIN_VALIDITY if force else refresh_margin()
        if _usable(current, credential, run.started_at, margin, force, rejected_token):
            run.release()
            return RefreshOutcome(ok=True, message="The token was already fresh.")
        return _refresh(run, credential, actor=actor, reason=reason)


def _active_secrets(credential: Credential) -> list[ClientSecret]:
    return list(credential.secrets.filter(retired_at__isnull=True).order_by("-is_primary", "id"))


@sensitive_variables("secrets", "private_key_pem", "token")
def _exchange(credential: Credential, secret_rows: list[ClientSecret]) -> AccessToken:
    secrets = [crypto.decrypt(row.secret_encrypted) for row in secret_rows]
    if not secrets:
        raise LookoutError("The credential is incomplete: it has no active client secret.")
    ims = ims_client()
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


def _refresh(run: Run, credential: Credential, *, actor, reason: str) -> RefreshOutcome:
    secret_rows = _active_secrets(credential)
    try:
        token = _exchange(credential, secret_rows)
    except (AdobeError, LookoutError, crypto.SecretUnreadable) as exc:
        return _record_failure(run, credential, exc, actor=actor)
    now = timezone.now()
    used = secret_rows[min(token.secret_index, len(secret_rows) - 1)]
    run.succeed(
        access_token_encrypted=crypto.encrypt(token.value),
        token_expires_at=token.expires_at,
        token_obtained_at=now,
        needs_attention=False,
    )
    ClientSecret.objects.filter(pk=used.pk).update(last_used_at=now)
    message = f"New token valid until {token.expires_at:%Y-%m-%d %H:%M} UTC (secret {used.hint})."
    audit_record(
        credential=credential,
        actor=actor,
        action=AuditEvent.Action.TOKEN_REFRESHED,
        detail=f"{message} Reason: {reason}.",
    )
    logger.info("Token refreshed for credential %s (%s)", credential.code, reason)
    return RefreshOutcome(ok=True, message=message, refreshed=True)


def _record_failure(run: Run, credential: Credential, exc: Exception, *, actor) -> RefreshOutcome:
    # Only IMS refusing the credential flags it; Lookout's own configuration errors never do.
    refused = isinstance(exc, AdobeError) and exc.permanent
    configuration_error = isinstance(exc, crypto.SecretUnreadable)
    message = describe_ims_error(exc)
    # A configuration error says nothing about the credential: keep whatever IMS last said.
    flag = {} if configuration_error else {"needs_attention": refused}
    next_attempt_at = run.fail(exc, message=message, **flag)
    detail = f"{message} Next attempt at {next_attempt_at:%Y-%m-%d %H:%M} UTC."
    audit_record(
        credential=credential,
        actor=actor,
        action=AuditEvent.Action.TOKEN_REFRESH_FAILED,
        detail=detail,
    )
    logger.warning(
        "Token refresh failed for credential %s (%s, %s)",
        credential.code,
        type(exc).__name__,
        "configuration error" if configuration_error else "refused" if refused else "transient",
    )
    return RefreshOutcome(ok=False, message=message, configuration_error=configuration_error)


def credential_test(*, credential: Credential, actor) -> RefreshOutcome:
    """Get a token right now (the Test connection button). Answers at once: the outcome, or
    that a refresh is already in progress. A success clears "needs attention"."""
    outcome = token_refresh(credential_id=credential.pk, force=True, actor=actor, reason="test")
    if outcome.in_progress:
        outcome = RefreshOutcome(
            ok=False,
            in_progress=True,
            message="A refresh is in progress right now; its result shows on this page in a "
            "moment.",
        )
    audit_record(
        credential=credential,
        actor=actor,
        action=AuditEvent.Action.CREDENTIAL_TESTED,
        detail=(
            "Succeeded. " if outcome.ok else "In progress. " if outcome.in_progress else "Failed. "
        )
        + outcome.message,
    )
    return outcome

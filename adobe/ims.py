"""Adobe IMS: access tokens for OAuth Server-to-Server and (legacy) Service Account JWT credentials.

* OAuth S2S: ``POST /ims/token/v3`` with ``grant_type=client_credentials``; ``expires_in`` is in
  **seconds**.
* Service Account (JWT), end of life 2025-06-30: sign an RS256 assertion (``exp`` = now + 5 min,
  ``iss`` org id, ``sub`` technical account id, ``aud`` ``{ims}/c/{client_id}``, one
  ``{ims}/s/<metascope>: true`` claim per metascope), ``POST /ims/exchange/jwt``; ``expires_in`` is
  in **milliseconds**.

A credential may hold several client secrets (Adobe allows two during rotation): they are tried in
order, moving on only when IMS answers ``invalid_client``, and the returned token says which one
worked (:attr:`AccessToken.secret_index`). Token requests are POSTs and are sent once: a transient
failure raises :class:`~adobe.errors.AdobeUnavailable` / :class:`~adobe.errors.AdobeRateLimited`
for the caller's scheduler to retry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Unpack

import jwt
import requests
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from adobe import _parse as p
from adobe.errors import AdobeAuthError, AdobeInvalidRequest
from adobe.http import Transport, TransportOptions, decode_json

logger = logging.getLogger(__name__)

OAUTH_TOKEN_PATH = "/ims/token/v3"  # noqa: S105 - a path, not a password
JWT_EXCHANGE_PATH = "/ims/exchange/jwt"
JWT_LIFETIME = timedelta(minutes=5)
#: Metascopes Lookout needs: Privacy Service and Adobe Status.
METASCOPE_PRIVACY = "ent_gdpr_sdk"
METASCOPE_STATUS = "ent_status_api"
# A token said to live longer than this is a misread unit, not a real lifetime.
_MAX_LIFETIME = timedelta(days=366)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class AccessToken:
    """An IMS access token. ``value`` never appears in ``repr``/``str``."""

    value: str = field(repr=False)
    expires_at: datetime
    token_type: str = "bearer"  # noqa: S105 - the token kind, not a secret
    #: Index (0 = primary) of the client secret IMS accepted.
    secret_index: int = 0

    def remaining(self, now: datetime | None = None) -> timedelta:
        return self.expires_at - (now or utc_now())


def parse_token_response(
    data: Any, *, issued_at: datetime, unit: str, secret_index: int = 0
) -> AccessToken:
    """Read an IMS token response; ``unit`` is ``"s"`` (OAuth S2S) or ``"ms"`` (JWT exchange)."""
    body = p.obj(data, "")
    value = p.req_str(body, "access_token", "")
    if not value.strip():
        raise p.bad("access_token", "is empty")
    lifetime = p.req_int(body, "expires_in", "")
    if lifetime <= 0:
        raise p.bad("expires_in", "should be a positive number")
    seconds = lifetime / 1000 if unit == "ms" else float(lifetime)
    if seconds > _MAX_LIFETIME.total_seconds():
        raise p.bad("expires_in", f"is implausibly long for a value in {unit}")
    token_type = p.opt_str(body, "token_type", "") or "bearer"
    return AccessToken(
        value=value,
        expires_at=issued_at + timedelta(seconds=seconds),
        token_type=token_type,
        secret_index=secret_index,
    )


def build_jwt_assertion(
    *,
    client_id: str,
    ims_org_id: str,
    technical_account_id: str,
    private_key_pem: str,
    metascopes: Sequence[str],
    audience_base: str,
    now: datetime,
    passphrase: str | None = None,
) -> str:
    """Sign the Service Account assertion IMS exchanges for an access token (RS256, 5 minutes)."""
    if not metascopes:
        raise AdobeInvalidRequest(
            "a JWT credential needs at least one metascope", field="metascopes"
        )
    base = audience_base.rstrip("/")
    claims: dict[str, Any] = {
        "exp": int((now + JWT_LIFETIME).timestamp()),
        "iss": ims_org_id,
        "sub": technical_account_id,
        "aud": f"{base}/c/{client_id}",
    }
    for metascope in metascopes:
        claims[f"{base}/s/{metascope_name(metascope)}"] = True
    return jwt.encode(claims, _load_private_key(private_key_pem, passphrase), algorithm="RS256")


def metascope_name(metascope: str) -> str:
    """``ent_gdpr_sdk`` from either the bare name or the full ``https://…/s/ent_gdpr_sdk`` claim."""
    name = metascope.strip()
    if "/s/" in name:
        name = name.rsplit("/s/", 1)[1]
    if not name or "/" in name:
        raise AdobeInvalidRequest("metascope names look like 'ent_gdpr_sdk'", field="metascopes")
    return name


def _load_private_key(pem: str, passphrase: str | None) -> RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(
            pem.encode(), password=passphrase.encode() if passphrase else None
        )
    except (ValueError, TypeError, UnsupportedAlgorithm):
        # Never echo the PEM or cryptography's message about it.
        raise AdobeInvalidRequest(
            "the private key is not a readable PEM-encoded RSA private key",
            field="private_key_pem",
        ) from None
    if not isinstance(key, RSAPrivateKey):
        raise AdobeInvalidRequest("the private key is not an RSA key", field="private_key_pem")
    return key


class IMSClient:
    """Exchanges credentials for access tokens at ``base_url`` (``ADOBE_IMS_URL``)."""

    def __init__(
        self,
        *,
        base_url: str,
        timeout: float = 10.0,
        clock: Callable[[], datetime] = utc_now,
        **options: Unpack[TransportOptions],
    ):
        self.transport = Transport(base_url=base_url, timeout=timeout, **options)
        self._clock = clock

    @property
    def base_url(self) -> str:
        return self.transport.base_url

    def exchange_oauth(
        self,
        *,
        client_id: str,
        client_secret: str | Sequence[str],
        scopes: Sequence[str] | str,
    ) -> AccessToken:
        """OAuth Server-to-Server token; ``client_secret`` may list secrets, tried in order."""
        scope = join_scopes(scopes)
        if not client_id:
            raise AdobeInvalidRequest("client_id is required", field="client_id")

        def send(secret: str) -> requests.Response:
            return self.transport.request(
                "POST",
                OAUTH_TOKEN_PATH,
                form={
                    "grant_type": "client_credentials",
                    "client_id": client_id,
                    "client_secret": secret,
                    "scope": scope,
                },
            )

        return self._exchange(client_id, client_secret, send, unit="s")

    def exchange_jwt(
        self,
        *,
        client_id: str,
        client_secret: str | Sequence[str],
        ims_org_id: str,
        technical_account_id: str,
        private_key_pem: str,
        metascopes: Sequence[str],
        passphrase: str | None = None,
        audience_base: str | None = None,
    ) -> AccessToken:
        """Service Account (JWT) token. ``audience_base`` defaults to this client's base URL."""
        if not client_id:
            raise AdobeInvalidRequest("client_id is required", field="client_id")
        assertion = build_jwt_assertion(
            client_id=client_id,
            ims_org_id=ims_org_id,
            technical_account_id=technical_account_id,
            private_key_pem=private_key_pem,
            metascopes=metascopes,
            audience_base=audience_base or self.base_url,
            now=self._clock(),
            passphrase=passphrase,
        )

        def send(secret: str) -> requests.Response:
            return self.transport.request(
                "POST",
                JWT_EXCHANGE_PATH,
                form={"client_id": client_id, "client_secret": secret, "jwt_token": assertion},
            )

        return self._exchange(client_id, client_secret, send, unit="ms")

    def _exchange(
        self,
        client_id: str,
        client_secret: str | Sequence[str],
        send: Callable[[str], requests.Response],
        *,
        unit: str,
    ) -> AccessToken:
        secrets = _secret_list(client_secret)
        for index, secret in enumerate(secrets):
            issued_at = self._clock()  # before sending, so expires_at errs on the early side
            try:
                response = send(secret)
            except AdobeAuthError as exc:
                if exc.code != "invalid_client":
                    raise
                if index + 1 == len(secrets):
                    if len(secrets) == 1:
                        raise
                    raise AdobeAuthError(
                        f"IMS rejected all {len(secrets)} client secrets of client {client_id} "
                        "(invalid_client)",
                        status=exc.status,
                        code=exc.code,
                    ) from None
                logger.warning(
                    "IMS rejected client secret #%d of client %s (invalid_client); trying #%d",
                    index + 1,
                    client_id,
                    index + 2,
                )
                continue
            token = parse_token_response(
                decode_json(response), issued_at=issued_at, unit=unit, secret_index=index
            )
            logger.info(
                "IMS issued a token for client %s with secret #%d, valid until %s",
                client_id,
                index + 1,
                token.expires_at.isoformat(),
            )
            return token
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover


def join_scopes(scopes: Sequence[str] | str) -> str:
    """Adobe's comma-separated scope list; spaces (as in Adobe's Status sample) are dropped."""
    items = scopes.split(",") if isinstance(scopes, str) else list(scopes)
    cleaned = [item.strip() for item in items if item and item.strip()]
    if not cleaned:
        raise AdobeInvalidRequest("at least one scope is required", field="scopes")
    return ",".join(cleaned)


def _secret_list(client_secret: str | Sequence[str]) -> list[str]:
    secrets = [client_secret] if isinstance(client_secret, str) else list(client_secret)
    secrets = [secret for secret in secrets if secret]
    if not secrets:
        raise AdobeInvalidRequest("at least one client secret is required", field="client_secret")
    return secrets

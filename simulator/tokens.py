"""Access tokens the simulated IMS issues, and the record of who got each one.

Tokens are RS256 JWTs shaped like real IMS access tokens (adobe-api.md 1.6): the payload has
`created_at` and `expires_in` as strings of milliseconds, so clients that read the expiry from
the token itself (aio-lib-ims does) work. Lifetimes run on the simulated clock: advancing it by
a day expires every token issued before.
"""

from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

logger = logging.getLogger(__name__)

TOKEN_LIFETIME_MS = 86_400_000  # "Access tokens usually expire in 24 hours"
_HEADER = {"x5u": "ims_na1-key-at-1.cer", "kid": "ims_na1-key-at-1", "itt": "at"}


@dataclass
class TokenRecord:
    org: int
    ims_org_id: str
    client_id: str
    grant: str  # "oauth" or "jwt"
    scopes: tuple[str, ...]
    metascopes: tuple[str, ...]
    created_at: float
    expires_at: float
    revoked: bool = False

    def is_valid(self, now: float) -> bool:
        return not self.revoked and self.created_at <= now < self.expires_at

    def as_json(self) -> dict[str, object]:
        return {
            "ims_org_id": self.ims_org_id,
            "client_id": self.client_id,
            "grant": self.grant,
            "scopes": list(self.scopes),
            "metascopes": list(self.metascopes),
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "revoked": self.revoked,
        }


class TokenStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, TokenRecord] = {}
        self._signing_key: rsa.RSAPrivateKey | None = None

    def _key(self) -> rsa.RSAPrivateKey:
        # Made on first issue: the signature is never checked by anyone, only its shape matters.
        if self._signing_key is None:
            self._signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return self._signing_key

    def issue(
        self,
        *,
        org: int,
        ims_org_id: str,
        client_id: str,
        technical_account_id: str,
        grant: str,
        scopes: tuple[str, ...],
        metascopes: tuple[str, ...],
        now: float,
    ) -> tuple[str, TokenRecord]:
        created_ms = int(now * 1000)
        payload = {
            "id": f"{created_ms}_{secrets.token_hex(16)}_ue1",
            "type": "access_token",
            "client_id": client_id,
            "user_id": technical_account_id,
            "as": "ims-na1",
            "aa_id": technical_account_id,
            "ctp": 0,
            "fg": secrets.token_hex(12).upper(),
            "moi": secrets.token_hex(4),
            "expires_in": str(TOKEN_LIFETIME_MS),
            "created_at": str(created_ms),
            "scope": ",".join(scopes or metascopes),
        }
        record = TokenRecord(
            org=org,
            ims_org_id=ims_org_id,
            client_id=client_id,
            grant=grant,
            scopes=scopes,
            metascopes=metascopes,
            created_at=created_ms / 1000,
            expires_at=(created_ms + TOKEN_LIFETIME_MS) / 1000,
        )
        with self._lock:
            token = jwt.encode(payload, self._key(), algorithm="RS256", headers=_HEADER)
            self._tokens[token] = record
        return token, record

    def lookup(self, token: str) -> TokenRecord | None:
        with self._lock:
            return self._tokens.get(token)

    def revoke(self, *, ims_org_id: str | None = None, token: str | None = None) -> int:
        """Revoke one token, every token of an organization, or (neither given) all of them."""
        revoked = 0
        with self._lock:
            for value, record in self._tokens.items():
                if token is not None and value != token:
                    continue
                if ims_org_id is not None and record.ims_org_id != ims_org_id:
                    continue
                if not record.revoked:
                    record.revoked = True
                    revoked += 1
        return revoked

    def reset(self) -> None:
        with self._lock:
            self._tokens.clear()

    def as_json(self, now: float) -> list[dict[str, object]]:
        with self._lock:
            return [
                {**record.as_json(), "valid": record.is_valid(now)}
                for record in self._tokens.values()
            ]

"""Encryption at rest for client secrets, private keys and access tokens.

Keys come from ``LOOKOUT_ENCRYPTION_KEYS`` (comma-separated Fernet keys): the first encrypts, all
of them decrypt, so a new key can be put first and old ciphertext re-encrypted at leisure
(``manage.py rotate_encryption_key``).
"""

from __future__ import annotations

import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.views.decorators.debug import sensitive_variables


class SecretUnreadable(Exception):
    """No configured key decrypts this value (a key was removed or the value is corrupt).

    A Lookout configuration error, never Adobe's: nothing was sent.
    """

    permanent = True  # retrying cannot help until the keys are fixed


@functools.cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.LOOKOUT_ENCRYPTION_KEYS))


@sensitive_variables("plaintext")
def encrypt(plaintext: str) -> str:
    return _current().encrypt(plaintext.encode()).decode()


@sensitive_variables("plaintext")
def decrypt(ciphertext: str) -> str:
    try:
        plaintext = _current().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "none of the keys in LOOKOUT_ENCRYPTION_KEYS can decrypt it"
        ) from None
    return plaintext


def reencrypt(ciphertext: str) -> str:
    """The same secret under the first key (MultiFernet.rotate keeps the original timestamp)."""
    try:
        return _current().rotate(ciphertext.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "none of the keys in LOOKOUT_ENCRYPTION_KEYS can decrypt it"
        ) from None


def is_valid_key(key: str) -> bool:
    try:
        Fernet(key.encode())
    except (ValueError, TypeError):
        return False
    return True


def hint(secret: str) -> str:
    """What pages show of a secret: its last four characters."""
    return f"…{secret[-4:]}" if len(secret) >= 8 else "…"

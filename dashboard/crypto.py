"""Encryption at rest for client secrets, private keys and access tokens.

Keys are Fernet keys, from ``LOOKOUT_ENCRYPTION_KEYS`` (comma-separated) or from the file named by
``LOOKOUT_ENCRYPTION_KEYS_FILE`` (comma- or newline-separated): the first encrypts, all of them
decrypt, so a new key can be put first and old ciphertext re-encrypted
(``manage.py rotate_encryption_key``; the README gives the procedure).

A key file may change while Lookout runs. A process looks at it again, and re-reads it only when
its modification time, size or inode changed since the last look:

* when a value does not decrypt with the keys the process holds: it re-reads and tries once more,
  so a value re-encrypted under a key added after the process started still decrypts;
* before it encrypts, so every value is encrypted under the first key of the freshest set, never
  under a key an operator is retiring.

A key file that cannot be read or holds a malformed key is logged and ignored: the process keeps
the keys it has. Keys from the environment are read once, at start-up: changing them needs a
restart.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.views.decorators.debug import sensitive_variables

logger = logging.getLogger(__name__)


class SecretUnreadable(Exception):
    """No configured key decrypts this value (a key was removed or the value is corrupt).

    A Lookout configuration error, never Adobe's: nothing was sent.
    """

    permanent = True  # retrying cannot help until the keys are fixed


class KeysInvalid(ValueError):
    """The configured keys cannot be used: none at all, a malformed one, an unreadable file."""


@dataclass(frozen=True)
class KeySource:
    """Where this process's keys come from: ``path`` for a key file, else the environment."""

    keys: tuple[str, ...]
    path: str

    @property
    def name(self) -> str:
        return self.path or "LOOKOUT_ENCRYPTION_KEYS"


def keys_parse(text: str) -> list[str]:
    """The keys in a value of LOOKOUT_ENCRYPTION_KEYS or a key file, in order."""
    return [key for key in re.split(r"[\s,]+", text) if key]


def is_valid_key(key: str) -> bool:
    try:
        Fernet(key.encode())
    except (ValueError, TypeError):
        return False
    return True


def _checked(keys: tuple[str, ...], name: str) -> tuple[str, ...]:
    if not keys:
        raise KeysInvalid(f"{name} holds no key.")
    for position, key in enumerate(keys, start=1):
        if not is_valid_key(key):
            raise KeysInvalid(f"Key number {position} in {name} is not a Fernet key.")
    return keys


@functools.cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in _checked(keys, "the encryption keys")])


_MISSING = (-1,)  # the stamp of a key file that could not be looked at


def _file_stamp(path: str) -> tuple[int, ...]:
    stat = os.stat(path)
    return (stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size)


def _file_keys(path: str) -> tuple[str, ...]:
    try:
        text = Path(path).read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise KeysInvalid(f"{path} cannot be read ({type(exc).__name__}).") from None
    return _checked(tuple(keys_parse(text)), path)


class _Keyring:
    """One process's keys: those it started with, replaced by the key file's when that changes."""

    def __init__(self, keys: tuple[str, ...], path: str) -> None:
        self.source = KeySource(keys=keys, path=path)
        self._stamp: tuple[int, ...] | None = None  # the key file as last read here
        self._lock = threading.Lock()

    @property
    def fernet(self) -> MultiFernet:
        return _fernet(self.source.keys)

    def refresh(self) -> bool:
        """Re-read the key file if it changed since the last look; whether the keys changed."""
        path = self.source.path
        if not path:
            return False
        try:
            stamp = _file_stamp(path)
        except OSError as exc:
            stamp = _MISSING
            if stamp != self._stamp:
                logger.error("Encryption key file %s: %s; keeping the current keys", path, exc)
            self._stamp = stamp
            return False
        if stamp == self._stamp:
            return False
        with self._lock:
            if stamp == self._stamp:
                return False  # another thread has just read it
            self._stamp = stamp  # a broken file is not read again until it changes
            try:
                keys = _file_keys(path)
            except KeysInvalid as exc:
                logger.error("%s Keeping the current encryption keys.", exc)
                return False
            if keys == self.source.keys:
                return False
            self.source = KeySource(keys=keys, path=path)
        logger.info("Encryption keys re-read from %s: %d key(s)", path, len(keys))
        return True

    def load(self) -> KeySource:
        """Read the keys afresh and check every one (the rotation command's start)."""
        path = self.source.path
        with self._lock:
            if not path:
                _checked(self.source.keys, self.source.name)
                return self.source
            try:
                stamp = _file_stamp(path)
            except OSError as exc:
                raise KeysInvalid(f"{path} cannot be read ({exc.strerror}).") from None
            self.source = KeySource(keys=_file_keys(path), path=path)
            self._stamp = stamp
        return self.source


_keyring: _Keyring | None = None


def _current() -> _Keyring:
    global _keyring
    keyring = _keyring
    if keyring is None:
        keyring = _keyring = _Keyring(
            tuple(settings.LOOKOUT_ENCRYPTION_KEYS), settings.LOOKOUT_ENCRYPTION_KEYS_FILE
        )
    return keyring


@receiver(setting_changed)
def _keys_setting_changed(*, setting: str, **kwargs) -> None:
    global _keyring
    if setting in ("LOOKOUT_ENCRYPTION_KEYS", "LOOKOUT_ENCRYPTION_KEYS_FILE"):
        _keyring = None


def keys_load() -> KeySource:
    """The keys, read afresh from their source and checked: :class:`KeysInvalid` names a problem.

    From then on this process encrypts under their first key.
    """
    return _current().load()


def _unreadable(keyring: _Keyring) -> SecretUnreadable:
    return SecretUnreadable(f"none of the keys in {keyring.source.name} can decrypt it")


@sensitive_variables("plaintext")
def encrypt(plaintext: str) -> str:
    keyring = _current()
    keyring.refresh()
    return keyring.fernet.encrypt(plaintext.encode()).decode()


@sensitive_variables("plaintext")
def _decrypt(keyring: _Keyring, ciphertext: str) -> str:
    try:
        plaintext = keyring.fernet.decrypt(ciphertext.encode()).decode()
    except (InvalidToken, KeysInvalid):
        raise _unreadable(keyring) from None
    return plaintext


def decrypt(ciphertext: str) -> str:
    keyring = _current()
    try:
        return _decrypt(keyring, ciphertext)
    except SecretUnreadable:
        # Keys put in the key file since this process read it may decrypt it: try once more.
        if not keyring.refresh():
            raise
    return _decrypt(keyring, ciphertext)


def reencrypt(ciphertext: str) -> str:
    """The same secret under the first key: unchanged if it already is, else re-encrypted
    (MultiFernet.rotate keeps the original timestamp)."""
    keyring = _current()
    token = ciphertext.encode()
    try:
        Fernet(keyring.source.keys[0].encode()).decrypt(token)
    except InvalidToken:
        pass
    else:
        return ciphertext
    try:
        return keyring.fernet.rotate(token).decode()
    except InvalidToken:
        raise _unreadable(keyring) from None


def hint(secret: str) -> str:
    """What pages show of a secret: its last four characters."""
    return f"…{secret[-4:]}" if len(secret) >= 8 else "…"

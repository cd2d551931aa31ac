"""Reading the PEM files of Service Account (JWT) credentials, with messages a person can act on."""

from __future__ import annotations

import hashlib
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from django.views.decorators.debug import sensitive_variables

#: NIST and Adobe's own key generation: 2048 bits at least, the usual public exponent.
MIN_RSA_BITS = 2048
MAX_RSA_BITS = 16384  # beyond this, checking the key's primes alone takes minutes
RSA_PUBLIC_EXPONENT = 65537


class KeyProblem(ValueError):
    """The PEM is not what a JWT credential needs; the message says what is wrong."""


@sensitive_variables("pem", "text")
def load_rsa_private_key(pem: str) -> RSAPrivateKey:
    """The RSA key of a PEM, refused with a message if it is not one Adobe should sign with."""
    text = pem.strip()
    if "-----BEGIN" not in text or "PRIVATE KEY-----" not in text:
        raise KeyProblem(
            "This is not a PEM-encoded private key: it should start with a “BEGIN PRIVATE KEY” "
            "line (the private.key file Developer Console generated)."
        )
    _refuse_nul(text, "private key")
    # Read without the (slow) consistency check first, to refuse a weak or huge key cheaply.
    _check_strength(_load_private_key(text, unsafe_skip_rsa_key_validation=True))
    return _load_private_key(text, unsafe_skip_rsa_key_validation=False)


@sensitive_variables("text")
def _load_private_key(text: str, *, unsafe_skip_rsa_key_validation: bool) -> RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(
            text.encode(),
            password=None,
            unsafe_skip_rsa_key_validation=unsafe_skip_rsa_key_validation,
        )
    except TypeError:
        raise KeyProblem(
            "This private key is protected by a passphrase; upload the unencrypted key."
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        # cryptography's own message may quote the input; ours never does.
        raise KeyProblem(
            "This PEM private key is damaged or incomplete: it could not be read."
        ) from None
    if not isinstance(key, RSAPrivateKey):
        raise KeyProblem(
            f"This is {_key_kind(key)}, not an RSA key: Adobe signs Service Account (JWT) "
            "assertions with RS256 only."
        )
    return key


def _check_strength(key: RSAPrivateKey) -> None:
    bits = key.key_size
    if bits < MIN_RSA_BITS:
        raise KeyProblem(
            f"This RSA key is {bits} bits, too weak to sign with: use a key of at least "
            f"{MIN_RSA_BITS} bits (generate a new key pair in Developer Console)."
        )
    if bits > MAX_RSA_BITS:
        raise KeyProblem(
            f"This RSA key is {bits} bits, more than Lookout reads ({MAX_RSA_BITS}): use the "
            "2048-bit key pair Developer Console generates."
        )
    exponent = key.public_key().public_numbers().e
    if exponent != RSA_PUBLIC_EXPONENT:
        shown = exponent if exponent.bit_length() <= 64 else "a very large number"
        raise KeyProblem(
            f"This RSA key's public exponent is {shown}: Lookout accepts only the standard "
            f"exponent {RSA_PUBLIC_EXPONENT} (small ones such as 3 are open to known attacks). "
            "Generate a new key pair in Developer Console."
        )


def _refuse_nul(text: str, what: str) -> None:
    if "\x00" in text:
        raise KeyProblem(f"This {what} file holds a NUL byte: it is not a text PEM file.")


def _key_kind(key) -> str:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return "an elliptic-curve (EC) key"
    if isinstance(key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey):
        return "an EdDSA key"
    if isinstance(key, dsa.DSAPrivateKey):
        return "a DSA key"
    return "another kind of key"


def load_certificate(pem: str) -> x509.Certificate:
    text = pem.strip()
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise KeyProblem(
            "This is not a PEM-encoded certificate: it should start with "
            "“-----BEGIN CERTIFICATE-----” (the certificate_pub.crt file)."
        )
    _refuse_nul(text, "certificate")
    try:
        return x509.load_pem_x509_certificate(text.encode())
    except ValueError:
        raise KeyProblem(
            "This certificate is damaged or incomplete: it could not be read."
        ) from None


def certificate_matches_key(certificate: x509.Certificate, key: RSAPrivateKey) -> bool:
    public = certificate.public_key()
    return (
        isinstance(public, RSAPublicKey)
        and public.public_numbers() == key.public_key().public_numbers()
    )


def certificate_expiry(certificate: x509.Certificate) -> datetime:
    return certificate.not_valid_after_utc


def public_key_fingerprint(key: RSAPrivateKey) -> str:
    """SHA-256 of the public key, shortened: safe to show, enough to tell keys apart."""
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    digest = hashlib.sha256(der).hexdigest()[:24]
    return "SHA256:" + ":".join(digest[i : i + 4] for i in range(0, len(digest), 4))

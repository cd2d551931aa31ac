"""Generated IMS organizations and their credentials.

Each organization has one integration that works both ways Adobe offers: OAuth
Server-to-Server (client id, secrets, scopes) and the legacy Service Account (JWT) binding
(technical account, a certificate's key pair, metascopes). Adobe converted JWT credentials to
OAuth ones "with the same client id, technical account ... scopes", so one record serves both.

Identifiers and secrets come from the seed. RSA keys cannot be seeded with `cryptography`, so the
key pairs are fresh on every start (and never written to disk).
"""

from __future__ import annotations

import logging
import random
import string
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

logger = logging.getLogger(__name__)

ORG_NAMES: tuple[str, ...] = (
    "Acme Retail",
    "Globex Media",
    "Initech Bank",
    "Umbrella Health",
    "Stark Industries",
    "Wayne Enterprises",
    "Hooli",
    "Soylent Foods",
    "Tyrell Corporation",
    "Cyberdyne Systems",
    "Wonka Confectionery",
    "Oceanic Airlines",
)

# Experience Platform's usual set plus the Status API's (adobe-api.md 1.3).
DEFAULT_SCOPES: tuple[str, ...] = (
    "openid",
    "session",
    "AdobeID",
    "read_organizations",
    "additional_info.projectedProductContext",
    "creative_cloud",
    "additional_info.ownerOrg",
    "org.read",
    "additional_info.roles",
    "gnav",
    "additional_info.company",
)
# Every metascope IMS knows; a JWT naming anything else gets "scope(s) that do not exist".
KNOWN_METASCOPES: tuple[str, ...] = (
    "ent_gdpr_sdk",
    "ent_dataservices_sdk",
    "ent_status_api",
    "ent_user_sdk",
    "ent_adobeio_sdk",
    "ent_analytics_bulk_ingest_sdk",
    "ent_campaign_sdk",
)
# What each generated integration is bound to.
DEFAULT_METASCOPES: tuple[str, ...] = ("ent_gdpr_sdk", "ent_dataservices_sdk", "ent_status_api")


def _hex(rng: random.Random, n: int, *, upper: bool = False) -> str:
    value = f"{rng.getrandbits(n * 4):0{n}x}"
    return value.upper() if upper else value


def new_secret(rng: random.Random) -> str:
    """A client secret shaped like Adobe's (`p8e-` and 28 characters)."""
    alphabet = string.ascii_letters + string.digits + "-_"
    return "p8e-" + "".join(rng.choice(alphabet) for _ in range(28))


@dataclass
class KeyPair:
    private_key: rsa.RSAPrivateKey
    private_key_pem: str
    public_key_pem: str
    certificate_pem: str


def generate_key_pair(common_name: str) -> KeyPair:
    """An RSA-2048 key pair and a self-signed certificate, like Developer Console generates."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return KeyPair(
        private_key=key,
        private_key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        public_key_pem=key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode(),
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
    )


@dataclass
class Organization:
    """One IMS organization and its integration (mutable: secrets rotate, keys load lazily)."""

    index: int
    name: str
    ims_org_id: str
    client_id: str
    technical_account_id: str
    technical_account_email: str
    generated_secrets: tuple[str, ...]
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    metascopes: tuple[str, ...] = DEFAULT_METASCOPES
    client_secrets: list[str] = field(default_factory=list)
    _keys: KeyPair | None = field(default=None, repr=False)
    _keys_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.client_secrets = list(self.generated_secrets)

    @property
    def keys(self) -> KeyPair:
        # Generated on first use (about 50 ms each), so start-up stays quick with many orgs.
        with self._keys_lock:
            if self._keys is None:
                self._keys = generate_key_pair(self.technical_account_id)
            return self._keys

    def reset(self) -> None:
        self.client_secrets = list(self.generated_secrets)

    def as_json(self) -> dict[str, object]:
        keys = self.keys
        return {
            "index": self.index,
            "name": self.name,
            "ims_org_id": self.ims_org_id,
            "client_id": self.client_id,
            "client_secrets": list(self.client_secrets),
            "technical_account_id": self.technical_account_id,
            "technical_account_email": self.technical_account_email,
            "scopes": list(self.scopes),
            "metascopes": list(self.metascopes),
            "private_key_pem": keys.private_key_pem,
            "public_key_pem": keys.public_key_pem,
            "certificate_pem": keys.certificate_pem,
        }


def generate_orgs(*, seed: int, count: int) -> list[Organization]:
    rng = random.Random(f"orgs:{seed}")
    orgs = []
    for index in range(count):
        name = ORG_NAMES[index] if index < len(ORG_NAMES) else f"Organization {index + 1}"
        tech_id = _hex(rng, 24, upper=True) + "@techacct.adobe.com"
        orgs.append(
            Organization(
                index=index,
                name=name,
                ims_org_id=_hex(rng, 24, upper=True) + "@AdobeOrg",
                client_id=_hex(rng, 32),
                technical_account_id=tech_id,
                technical_account_email=f"{_hex(rng, 8)}-{_hex(rng, 4)}-{_hex(rng, 4)}-"
                f"{_hex(rng, 4)}-{_hex(rng, 12)}@techacct.adobe.com",
                generated_secrets=(new_secret(rng),),
            )
        )
    return orgs

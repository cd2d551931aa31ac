"""The Adobe Status registry: clouds, products, regions, locales and the message catalogue.

Ids follow the ones in Adobe's samples (clouds 503457/503459/503460/503461, product 503462);
which id is which product is not stated anywhere, so the mapping here is the simulator's own.
Titles and messages are tokens resolved through `/messages/{locale}` (adobe-api.md 3.6).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

CLOUDS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "503457",
        "Adobe Experience Cloud",
        (
            ("503462", "Adobe Analytics"),
            ("503463", "Adobe Experience Platform"),
            ("503464", "Adobe Target"),
            ("503465", "Adobe Audience Manager"),
            ("503466", "Adobe Journey Optimizer"),
            ("503467", "Adobe Campaign"),
            ("503468", "Adobe Experience Manager"),
        ),
    ),
    (
        "503459",
        "Adobe Creative Cloud",
        (
            ("503470", "Adobe Photoshop"),
            ("503471", "Adobe Illustrator"),
            ("503472", "Adobe Express"),
            ("503473", "Adobe Firefly"),
            ("503474", "Creative Cloud Libraries"),
        ),
    ),
    (
        "503461",
        "Adobe Document Cloud",
        (
            ("503480", "Adobe Acrobat"),
            ("503481", "Adobe Acrobat Sign"),
            ("503482", "Adobe Scan"),
        ),
    ),
    (
        "503460",
        "Adobe Services",
        (
            ("503490", "Adobe Admin Console"),
            ("503491", "Adobe Developer Console"),
            ("503492", "Adobe Identity Management"),
        ),
    ),
)

REGIONS: tuple[tuple[str, str], ...] = (
    ("reg-na", "North America"),
    ("reg-emea", "Europe, Middle East and Africa"),
    ("reg-apac", "Asia Pacific"),
    ("reg-jp", "Japan"),
    ("reg-au", "Australia"),
    ("reg-in", "India"),
)
_SERVICE_NAMES = ("User Interface", "APIs", "Data Collection", "Reporting", "Authentication")
EVENT_TYPES: dict[str, str] = {
    "incident": "Incident",
    "maintenance": "Maintenance",
    "announcement": "Announcement",
}


@dataclass(frozen=True)
class Product:
    id: str
    name: str
    cloud_id: str
    cloud_name: str
    region_ids: tuple[str, ...]
    environments: tuple[dict[str, object], ...]
    offerings: tuple[dict[str, object], ...]
    services: tuple[dict[str, object], ...]

    def as_json(self) -> dict[str, object]:
        regions = dict(REGIONS)
        return {
            "id": self.id,
            "name": self.name,
            "environments": list(self.environments),
            "productOfferings": list(self.offerings),
            "productServices": list(self.services),
            "regions": [{"id": r, "name": regions[r]} for r in self.region_ids],
        }


def _product(number: int, pid: str, name: str, cloud_id: str, cloud_name: str) -> Product:
    # Deterministic from the product's position: no seed needed for the registry.
    region_ids = tuple(r for i, (r, _) in enumerate(REGIONS) if (number + i) % 3 != 2)
    prod_env = {"id": f"env-{pid}-prod", "name": "Production", "regionId": list(region_ids)}
    environments: list[dict[str, object]] = [prod_env]
    if number % 2 == 0:
        environments.append({"id": f"env-{pid}-stage", "name": "Stage", "regionId": ["reg-na"]})
    env_ids = [str(e["id"]) for e in environments]
    services = tuple(
        {
            "id": f"svc-{pid}-{i}",
            "name": _SERVICE_NAMES[(number + i) % 5],
            "serviceEnvironments": env_ids,
        }
        for i in range(1, 2 + number % 3)
    )
    service_ids = [str(s["id"]) for s in services]
    offerings = (
        {"id": f"off-{pid}-1", "name": f"{name} Core", "productServices": service_ids},
        {"id": f"off-{pid}-2", "name": f"{name} API", "productServices": service_ids[-1:]},
    )
    return Product(
        pid, name, cloud_id, cloud_name, region_ids, tuple(environments), offerings, services
    )


PRODUCTS: dict[str, Product] = {}
for _cloud_id, _cloud_name, _products in CLOUDS:
    for _pid, _name in _products:
        PRODUCTS[_pid] = _product(len(PRODUCTS), _pid, _name, _cloud_id, _cloud_name)


def clouds_json() -> list[dict[str, object]]:
    return [
        {"id": cid, "name": name, "cloudProducts": [{"id": p, "name": n} for p, n in products]}
        for cid, name, products in CLOUDS
    ]


LOCALES: tuple[tuple[str, str], ...] = (
    ("en", "English"),
    ("fr", "French"),
    ("de", "German"),
    ("es", "Spanish"),
    ("ja", "Japanese"),
)

# Canned messages (status_messages.json): token suffix -> locale -> (title, text). Incidents use
# CM0001xxx, maintenances CM0002xxx. Maintenance texts keep Adobe's {startDateTime}/{endDateTime}.
CANNED: dict[str, dict[str, tuple[str, str]]] = {
    suffix: {locale: (entry["title"], entry["text"]) for locale, entry in texts.items()}
    for suffix, texts in json.loads(
        (Path(__file__).parent / "status_messages.json").read_text(encoding="utf-8")
    ).items()
}


def message_entry(token: str, text: str) -> dict[str, str]:
    return {"htmlMessage": f"<p>{text}</p>", "textMessage": text, "token": token}


def messages_for(locale: str, custom: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """A `MessagesDto` for one locale: canned plus custom messages (custom: same in all)."""
    incident: dict[str, Any] = {}
    maintenance: dict[str, Any] = {}
    for suffix, texts in [*CANNED.items(), *((s, {"en": t}) for s, t in custom.items())]:
        title, text = texts.get(locale) or texts["en"]
        target = maintenance if suffix.startswith(("CM0002", "MNT")) else incident
        target[f"title.{suffix}"] = message_entry(f"title.{suffix}", title)
        target[f"message.{suffix}"] = message_entry(f"message.{suffix}", text)
    return {
        "languageCode": locale,
        "incidentMessages": incident,
        "maintenanceMessages": maintenance,
    }

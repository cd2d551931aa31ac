"""The Status registry and message catalogue, upserted on Adobe's ids (style B.12)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from adobe import StatusClient
from status.models import (
    Cloud,
    Environment,
    Offering,
    Product,
    Region,
    Service,
    StatusMessage,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RegistrySummary:
    clouds: int
    products: int
    regions: int
    messages: int

    def __str__(self) -> str:
        return (
            f"{self.clouds} clouds, {self.products} products, {self.regions} regions, "
            f"{self.messages} messages"
        )


def upsert_items(
    model: type[Model], items: Mapping[str, Mapping[str, Any]], *, now: datetime
) -> dict[str, int]:
    """Insert or update registry rows by ``adobe_id``; returns ``{adobe_id: pk}``."""
    if not items:
        return {}
    extra = sorted({key for values in items.values() for key in values})
    rows = [
        model(adobe_id=adobe_id, last_seen_at=now, gone_at=None, **values)
        for adobe_id, values in items.items()
    ]
    model.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["adobe_id"],
        update_fields=[*extra, "last_seen_at", "gone_at", "updated_at"],
        batch_size=500,
    )
    return dict(model.objects.filter(adobe_id__in=list(items)).values_list("adobe_id", "pk"))


def ensure_items(model: type[Model], names: Mapping[str, str | None]) -> dict[str, int]:
    """Rows for ids an event names, creating those the registry has not listed (yet)."""
    if not names:
        return {}
    model.objects.bulk_create(
        [model(adobe_id=adobe_id, name=name or "") for adobe_id, name in names.items()],
        ignore_conflicts=True,
        batch_size=500,
    )
    return dict(model.objects.filter(adobe_id__in=list(names)).values_list("adobe_id", "pk"))


def _mark_gone(model: type[Model], seen: Iterable[str], now: datetime) -> None:
    model.objects.exclude(adobe_id__in=list(seen)).filter(
        gone_at__isnull=True, last_seen_at__isnull=False
    ).update(gone_at=now)


@transaction.atomic
def status_registry_store(
    *, clouds: Iterable[Any], products: Iterable[Any], regions: Iterable[Any], now: datetime
) -> tuple[int, int, int]:
    clouds, products, regions = list(clouds), list(products), list(regions)
    cloud_ids = upsert_items(Cloud, {c.id: {"name": c.name or ""} for c in clouds}, now=now)
    region_ids = upsert_items(Region, {r.id: {"name": r.name or ""} for r in regions}, now=now)
    region_ids |= ensure_items(Region, {r.id: r.name for p in products for r in p.regions})
    cloud_of = {prod.id: cloud.id for cloud in clouds for prod in cloud.products}
    product_ids = upsert_items(
        Product,
        {
            p.id: {"name": p.name or "", "cloud_id": cloud_ids.get(cloud_of.get(p.id, ""))}
            for p in products
        },
        now=now,
    )
    for model, attr in ((Offering, "offerings"), (Service, "services")):
        upsert_items(
            model,
            {
                item.id: {"name": item.name or "", "product_id": product_ids[p.id]}
                for p in products
                for item in getattr(p, attr)
            },
            now=now,
        )
    upsert_items(
        Environment,
        {
            e.id: {
                "name": e.name or "",
                "product_id": product_ids[p.id],
                "region_ids": list(e.region_ids),
            }
            for p in products
            for e in p.environments
        },
        now=now,
    )
    through = Product.regions.through
    through.objects.filter(product_id__in=product_ids.values()).delete()
    through.objects.bulk_create(
        [
            through(product_id=product_ids[p.id], region_id=region_ids[r.id])
            for p in products
            for r in {r.id: r for r in p.regions}.values()
        ],
        batch_size=1000,
    )
    _mark_gone(Product, product_ids, now)
    _mark_gone(Cloud, cloud_ids, now)
    return len(cloud_ids), len(product_ids), len(region_ids)


def status_messages_refresh(*, client: StatusClient, now: datetime | None = None) -> int:
    """Fetch ``/messages/{locale}`` and keep it in the database (the message cache)."""
    now = now or timezone.now()
    locale = settings.LOOKOUT_STATUS_LOCALE
    texts: dict[str, str] = {}
    for catalog in client.messages(locale):
        for messages in (catalog.incident_messages, catalog.maintenance_messages):
            texts.update({token: m.text or "" for token, m in messages.items()})
    StatusMessage.objects.bulk_create(
        [StatusMessage(locale=locale, token=t, text=x, fetched_at=now) for t, x in texts.items()],
        update_conflicts=True,
        unique_fields=["locale", "token"],
        update_fields=["text", "fetched_at"],
        batch_size=500,
    )
    return len(texts)


def status_registry_sync(*, client: StatusClient, now: datetime | None = None) -> RegistrySummary:
    """Clouds, products, regions and the message catalogue: four requests."""
    now = now or timezone.now()
    clouds, products, regions = client.clouds(), client.products(), client.regions()
    counts = status_registry_store(clouds=clouds, products=products, regions=regions, now=now)
    messages = status_messages_refresh(client=client, now=now)
    return RegistrySummary(*counts, messages=messages)

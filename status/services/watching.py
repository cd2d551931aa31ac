"""Which products an organization depends on."""

from __future__ import annotations

import logging
from collections.abc import Collection

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from dashboard.models import AuditEvent, Organization
from dashboard.services.audit import audit_record
from status.models import Product, WatchedProduct
from status.services.registry import ensure_items

logger = logging.getLogger(__name__)

# What `make run`'s demo organizations watch, by the simulator's product ids
# (simulator/status_registry.py; Status may not import the simulator, so they are written out).
# None has an incident open when the simulator starts (seed 1), and the simulator's scripted demo
# incident opens on Adobe Experience Platform (simulator/status_data.py, DEMO_INCIDENT_PRODUCT):
# the demo starts calm, then an incident on a watched product appears.
DEMO_WATCHED_PRODUCTS: dict[str, str] = {
    "503462": "Adobe Analytics",
    "503463": "Adobe Experience Platform",
    "503466": "Adobe Journey Optimizer",
}


@transaction.atomic
def watched_products_set(
    *,
    organization: Organization,
    product_ids: Collection[str],
    actor: AbstractBaseUser | None = None,
) -> int:
    """Make the organization watch exactly these products (Adobe ids); returns how many. A
    change is audited with the products added and removed."""
    wanted = dict(Product.objects.filter(adobe_id__in=list(product_ids)).values_list("pk", "name"))
    before = dict(
        WatchedProduct.objects.filter(organization=organization).values_list(
            "product_id", "product__name"
        )
    )
    WatchedProduct.objects.filter(organization=organization).exclude(
        product_id__in=list(wanted)
    ).delete()
    WatchedProduct.objects.bulk_create(
        [WatchedProduct(organization=organization, product_id=pk) for pk in wanted],
        ignore_conflicts=True,
    )
    added = sorted(name for pk, name in wanted.items() if pk not in before)
    removed = sorted(name for pk, name in before.items() if pk not in wanted)
    if added or removed:
        words = [f"now watches {', '.join(added)}" if added else ""]
        words.append(f"no longer watches {', '.join(removed)}" if removed else "")
        audit_record(
            organization=organization,
            actor=actor,
            action=AuditEvent.Action.WATCHED_PRODUCTS_CHANGED,
            detail="; ".join(w for w in words if w)[:500],
        )
    logger.info("Organization %s watches %d Status products", organization.code, len(wanted))
    return len(wanted)


@transaction.atomic
def watched_products_demo_add(organization_id: int) -> int:
    """The demo's admin belongs to this organization (dashboard.hooks.demo_ready): it also watches
    :data:`DEMO_WATCHED_PRODUCTS`, besides what it already watches; returns how many it watches.

    The demo starts before the first registry poll has listed any product, so the products are
    created by id and name, as an incident naming an unlisted product creates it
    (:func:`~status.services.registry.ensure_items`); the registry poll fills in the rest by the
    same ids. Watching is at once, not after a poll that could wait for a worker or fail.
    """
    organization = Organization.objects.get(pk=organization_id)
    ensure_items(Product, DEMO_WATCHED_PRODUCTS)
    already = WatchedProduct.objects.filter(organization=organization).values_list(
        "product__adobe_id", flat=True
    )
    return watched_products_set(
        organization=organization, product_ids={*already, *DEMO_WATCHED_PRODUCTS}
    )

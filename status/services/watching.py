"""Which products an organization depends on."""

from __future__ import annotations

import logging
from collections.abc import Collection

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from dashboard.models import AuditEvent, Organization
from dashboard.services.audit import audit_record
from status.models import Product, WatchedProduct

logger = logging.getLogger(__name__)


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

"""Which products an organization depends on."""

from __future__ import annotations

import logging
from collections.abc import Collection

from django.db import transaction

from dashboard.models import Organization
from status.models import Product, WatchedProduct

logger = logging.getLogger(__name__)


@transaction.atomic
def watched_products_set(*, organization: Organization, product_ids: Collection[str]) -> int:
    """Make the organization watch exactly these products (Adobe ids); returns how many."""
    wanted = dict(Product.objects.filter(adobe_id__in=list(product_ids)).values_list("pk", "name"))
    WatchedProduct.objects.filter(organization=organization).exclude(
        product_id__in=list(wanted)
    ).delete()
    WatchedProduct.objects.bulk_create(
        [WatchedProduct(organization=organization, product_id=pk) for pk in wanted],
        ignore_conflicts=True,
    )
    logger.info("Organization %s watches %d Status products", organization.code, len(wanted))
    return len(wanted)

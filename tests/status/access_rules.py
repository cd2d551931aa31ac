from __future__ import annotations

from django.utils import timezone

from status.models import Incident, Product, WatchedProduct
from tests.access_rules import AccessRules


def populate(acme) -> None:
    """An open incident on a product Acme watches (incidents are Adobe-wide, not Acme's)."""
    product, _ = Product.objects.get_or_create(
        adobe_id="503462", defaults={"name": "Adobe Analytics"}
    )
    WatchedProduct.objects.get_or_create(organization=acme, product=product)
    incident, _ = Incident.objects.get_or_create(
        adobe_id="INC-ACCESS-1",
        defaults={"severity": "Minor", "severity_rank": 3, "started_at": timezone.now()},
    )
    incident.products.add(product)


RULES = AccessRules(
    url_kwargs={
        "incident_code": lambda acme: Incident.objects.get(adobe_id="INC-ACCESS-1").code,
    },
    member_writes=frozenset({"status:sync_now"}),
    member_forms=frozenset({"status:watched_products"}),
    populate=populate,
)

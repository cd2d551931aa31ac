from __future__ import annotations

from django.utils import timezone

from dashboard.models import Credential
from status.models import Incident, Product, StatusSyncState, WatchedProduct
from tests.access_rules import AccessRules


def populate(organization) -> list[str]:
    """An open incident on a product the organization watches (incidents are Adobe-wide, nobody's
    own), and the installation-wide poll last reading with its credential, and failing.

    Populated last, the other organization's credential is the one the poll reads with: the case
    where the Status page once said "Read with Globex's credential" to Acme's admins.
    """
    product, _ = Product.objects.get_or_create(
        adobe_id="503462", defaults={"name": "Adobe Analytics"}
    )
    WatchedProduct.objects.get_or_create(organization=organization, product=product)
    incident, _ = Incident.objects.get_or_create(
        adobe_id="INC-ACCESS-1",
        defaults={"severity": "Minor", "severity_rank": 3, "started_at": timezone.now()},
    )
    incident.products.add(product)
    credential = Credential.objects.filter(organization=organization).first()
    if credential is not None:
        StatusSyncState.objects.update_or_create(
            kind=StatusSyncState.Kind.EVENTS,
            defaults={
                "credential": credential,
                "last_attempt_at": timezone.now(),
                "last_error": "Adobe Status refused the credential (403): check that a "
                "credential with Adobe Status usage has the Status API in Developer Console.",
                "consecutive_failures": 2,
            },
        )
    return []


RULES = AccessRules(
    url_kwargs={
        "incident_code": lambda acme: Incident.objects.get(adobe_id="INC-ACCESS-1").code,
    },
    pages=frozenset({"status:status_page", "status:incident_detail", "status:history"}),
    partials=frozenset({"status:status_page"}),
    member_writes=frozenset({"status:sync_now"}),
    member_forms=frozenset({"status:watched_products"}),
    populate=populate,
)

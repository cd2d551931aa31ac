"""An organization with one of everything the home page shows, for its query-count tests and
for ``bench/home_page.py`` (the same data, so the bench measures what the tests hold constant)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from dashboard.models import Credential, Membership, Organization
from dashboard.services.organizations import membership_add, organization_create
from privacy.models import PrivacyJob, PrivacySyncState
from status.models import Incident, Maintenance, Product, WatchedProduct


def organization_with_news(user, n: int, *, role: str = Membership.Role.VIEWER) -> Membership:
    """Organization ``n`` with ``user`` in it (as ``role``): privacy jobs (one late, one failed,
    finished ones in the trend), a failing job sync, a credential needing attention, an open
    incident and maintenance under way on a product it watches. Returns the membership."""
    now = timezone.now()
    organization: Organization = organization_create(
        name=f"Org {n}", ims_org_id=f"{n:024X}@AdobeOrg"
    )
    membership = membership_add(organization=organization, user=user, role=role)
    # Complete (the trend), processing for 40 days (late under GDPR), failed.
    for status, days in (("complete", 1), ("processing", 40), ("error", 2)):
        PrivacyJob.objects.create(
            organization=organization,
            job_id=f"job-{n}-{status}",
            status=status,
            regulation="gdpr",
            adobe_created_at=now - timedelta(days=days),
            adobe_modified_at=now - timedelta(days=days),
        )
    PrivacySyncState.objects.create(
        organization=organization,
        last_success_at=now - timedelta(hours=5),
        consecutive_failures=2,
        last_error="Adobe did not answer",
    )
    Credential.objects.create(
        organization=organization,
        name=f"Key {n}",
        kind=Credential.Kind.OAUTH,
        client_id=f"client-{n}",
        needs_attention=True,
        last_error="IMS refused the client secret",
    )
    product = Product.objects.create(adobe_id=f"p{n}", name=f"Product {n}")
    WatchedProduct.objects.create(organization=organization, product=product)
    incident = Incident.objects.create(
        adobe_id=f"i{n}", title=f"Outage {n}", severity="Major", started_at=now
    )
    incident.products.add(product)
    maintenance = Maintenance.objects.create(
        adobe_id=f"m{n}", title=f"Upgrade {n}", phase=Maintenance.Phase.IN_PROGRESS
    )
    maintenance.products.add(product)
    return membership

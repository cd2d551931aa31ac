"""``{% status_org_card organization %}``: open incidents on the organization's watched products."""

from __future__ import annotations

from django import template

from dashboard.models import Organization
from status.selectors import open_incidents_on_watched, watched_product_ids

register = template.Library()


@register.inclusion_tag("status/_org_card.html")
def status_org_card(organization: Organization) -> dict:
    return {
        "organization": organization,
        "incidents": list(open_incidents_on_watched(organization_id=organization.pk)),
        "watch_count": len(watched_product_ids(organization_id=organization.pk)),
    }

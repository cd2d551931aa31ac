"""The privacy summary shown on the home page and the organization page."""

from __future__ import annotations

from django import template

from privacy.selectors import privacy_late_count, privacy_status_counts

register = template.Library()


@register.inclusion_tag("privacy/_org_card.html")
def privacy_org_card(organization) -> dict:
    return {
        "organization": organization,
        "counts": privacy_status_counts(organization_id=organization.pk),
        "late_count": privacy_late_count(organization_id=organization.pk),
    }

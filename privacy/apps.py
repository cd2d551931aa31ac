from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy Service"

    def ready(self) -> None:
        from dashboard.hooks import (
            OrganizationCard,
            register_organization_card,
            register_organization_ready,
        )
        from privacy.selectors import privacy_org_cards

        register_organization_card(
            OrganizationCard(
                name="privacy", template="privacy/_org_card.html", load=privacy_org_cards, order=20
            )
        )
        register_organization_ready("privacy", _first_sync)
        # Regulations added to adobe.regulations reach existing installations at their next
        # migrate (the data migration is frozen); rows an admin edited are left alone.
        post_migrate.connect(_regulation_defaults, sender=self)


def _regulation_defaults(**kwargs) -> None:
    from privacy.services.regulations import regulation_defaults_ensure

    regulation_defaults_ensure()


def _first_sync(organization_id: int) -> None:
    """Sync a newly ready organization's jobs now rather than at beat's next due check."""
    from privacy.tasks import privacy_sync_task

    privacy_sync_task.delay(organization_id=organization_id)

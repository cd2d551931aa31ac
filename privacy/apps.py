from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy Service"

    def ready(self) -> None:
        from dashboard import hooks
        from privacy import notifications, overview, tasks

        # Regulations added to adobe.regulations reach existing installations at their next
        # migrate (the data migration is frozen); rows an admin edited are left alone.
        post_migrate.connect(_regulation_defaults, sender=self)
        hooks.register_organization_card(
            hooks.OrganizationCard(
                "privacy", "privacy/_org_card.html", overview.privacy_home_cards, 20
            )
        )
        hooks.register_attention(hooks.AttentionSource("privacy", overview.privacy_attention))
        hooks.register_organization_ready("privacy", tasks.privacy_first_sync)
        for source in notifications.SOURCES:
            hooks.register_notification_source(source)


def _regulation_defaults(**kwargs) -> None:
    from privacy.services.regulations import regulation_defaults_ensure

    regulation_defaults_ensure()

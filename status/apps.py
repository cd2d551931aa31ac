from __future__ import annotations

from django.apps import AppConfig


class StatusConfig(AppConfig):
    name = "status"
    verbose_name = "Adobe Status"

    def ready(self) -> None:
        from dashboard import hooks
        from status import selectors, tasks

        hooks.register_organization_card(
            hooks.OrganizationCard(
                "status", "status/_org_card.html", selectors.status_home_cards, 10
            )
        )
        hooks.register_attention(hooks.AttentionSource("status", selectors.status_attention))
        hooks.register_organization_ready("status", tasks.status_first_polls)

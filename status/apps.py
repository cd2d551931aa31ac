from __future__ import annotations

from django.apps import AppConfig


class StatusConfig(AppConfig):
    name = "status"
    verbose_name = "Adobe Status"

    def ready(self) -> None:
        from dashboard.hooks import (
            OrganizationCard,
            register_organization_card,
            register_organization_ready,
        )
        from status.selectors import status_org_cards

        register_organization_card(
            OrganizationCard(
                name="status", template="status/_org_card.html", load=status_org_cards, order=10
            )
        )
        register_organization_ready("status", _first_polls)


def _first_polls(organization_id: int) -> None:
    """Fill the status pages now rather than at beat's next tick. The feed is the installation's,
    not the organization's: a poll that is not due yet costs nothing."""
    from status.tasks import status_events_poll_task, status_registry_poll_task

    status_registry_poll_task.delay()
    status_events_poll_task.delay()

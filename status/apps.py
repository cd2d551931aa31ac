from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from dashboard.hooks import Metric


class StatusConfig(AppConfig):
    name = "status"
    verbose_name = "Adobe Status"

    def ready(self) -> None:
        from dashboard import hooks
        from status import notifications, selectors, tasks
        from status.services import watching

        hooks.register_organization_card(
            hooks.OrganizationCard(
                "status", "status/_org_card.html", selectors.status_home_cards, 10
            )
        )
        hooks.register_attention(hooks.AttentionSource("status", selectors.status_attention))
        hooks.register_organization_ready("status", tasks.status_first_polls)
        for source in notifications.SOURCES:
            hooks.register_notification_source(source)
        hooks.register_demo_ready("status", watching.watched_products_demo_add)
        hooks.register_metrics(hooks.MetricsSource("status", status_metrics))


def status_metrics() -> list[Metric]:
    """/metrics: Adobe's open incidents, installation-wide (one query)."""
    from dashboard.hooks import Metric
    from status.models import Incident

    count = Incident.objects.filter(state=Incident.State.OPEN).count()
    return [
        Metric(
            "lookout_status_open_incidents",
            "Incidents Adobe Status lists as open, over every product.",
            samples=(((), float(count)),),
        )
    ]

"""Extension points: how the apps plug into core pages and events without core importing them.

``dashboard`` is the core (organizations, teams, credentials, tokens); ``privacy`` and ``status``
build on it and register here from their ``AppConfig.ready()``. Core code calls the hooks and never
imports an app, which import-linter enforces (see ``architecture.md``).

* **Organization cards** — each app contributes one card per organization to the home page and the
  organization page. ``load`` takes every organization id on the page at once and returns the
  template context per id, so the number of queries never grows with the number of organizations.
* **Attention** — each app contributes what needs someone's attention across organizations (failed
  syncs, late jobs, incidents on watched products) to the home page's attention list. ``load``
  takes every organization on the page at once and returns :class:`AttentionEntry` objects, in a
  constant number of queries; the home page sorts them, worst first, with the core's own.
* **Organization ready** — called (after commit) when an organization can be synced now: a
  credential was onboarded (the page, the command), or the demo starts. The apps queue their first
  syncs at once instead of waiting for beat's next tick.
* **Demo ready** — called (after commit) by ``make run``'s demo for each organization its admin
  belongs to, so that each app can set that organization up to tell the demo's story (Status
  watches a few products, so the simulator's scripted incident lands on a watched one). Never
  called outside the demo.
* **Metrics** — each app contributes metric families to ``/metrics`` (``dashboard.views.metrics``),
  read from the database at scrape time: ``collect()`` returns :class:`Metric` objects, in a
  constant number of queries. Plain data, so an app needs no Prometheus import.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction

if TYPE_CHECKING:
    from dashboard.models import Organization

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OrganizationCard:
    """One app's card: ``template`` rendered with ``load(ids)[organization_id]``."""

    name: str
    template: str
    load: Callable[[Sequence[int]], dict[int, dict[str, Any]]]
    order: int = 100


@dataclass(frozen=True)
class RenderedCard:
    name: str
    template: str
    context: dict[str, Any]


@dataclass(frozen=True)
class AttentionEntry:
    """One problem on the home page's attention list, linking to the filtered page that shows it.

    ``organization`` is None for an installation-wide problem (the Status polls), which then links
    to one of the reader's organizations' pages. Nothing in an entry is personal data.
    """

    CRITICAL = 3  # a legal deadline missed, a credential IMS refused, an incident on a product
    WARNING = 2  # failing or stalled background work, something expiring soon, failed jobs
    NOTICE = 1  # worth knowing: maintenance on a watched product

    severity: int
    kind: str  # a stable slug for pages and tests: "privacy-late", "credential-attention", ...
    organization: Organization | None
    title: str  # "3 late or stuck privacy jobs"
    url: str
    detail: str = ""
    since: datetime | None = None  # when the problem started, when known

    @property
    def level(self) -> str:
        return {self.CRITICAL: "critical", self.WARNING: "warning"}.get(self.severity, "notice")

    def sort_key(self) -> tuple:
        """Worst first; then the organization's name; then the title."""
        return (-self.severity, self.organization.name if self.organization else "", self.title)


@dataclass(frozen=True)
class AttentionSource:
    name: str
    load: Callable[[Sequence[Organization]], list[AttentionEntry]]


@dataclass(frozen=True)
class Metric:
    """One metric family for ``/metrics``: ``name`` starts with ``lookout_``; ``kind`` is
    ``"gauge"`` or ``"counter"`` (a counter's name leaves out ``_total``, which the exposition
    adds); ``samples`` pairs each label set (the keys ``labels`` names) with its value. Labels
    never hold a secret, a client id or personal data: use organization and credential codes."""

    name: str
    help: str
    kind: str = "gauge"
    labels: tuple[str, ...] = ()
    samples: tuple[tuple[tuple[str, ...], float], ...] = ()


@dataclass(frozen=True)
class MetricsSource:
    name: str
    collect: Callable[[], list[Metric]]


_cards: dict[str, OrganizationCard] = {}
_attention: dict[str, AttentionSource] = {}
_ready_listeners: dict[str, Callable[[int], None]] = {}
_demo_listeners: dict[str, Callable[[int], None]] = {}
_metrics: dict[str, MetricsSource] = {}


def register_organization_card(card: OrganizationCard) -> None:
    _cards[card.name] = card  # keyed by name: a repeated ready() replaces, never duplicates


def register_attention(source: AttentionSource) -> None:
    _attention[source.name] = source  # keyed by name, like the cards


def attention_entries(organizations: Sequence[Organization]) -> list[AttentionEntry]:
    """Every app's entries for ``organizations``, one ``load`` call per app, unsorted."""
    if not organizations:
        return []
    entries: list[AttentionEntry] = []
    for source in sorted(_attention.values(), key=lambda s: s.name):
        entries.extend(source.load(list(organizations)))
    return entries


def register_metrics(source: MetricsSource) -> None:
    _metrics[source.name] = source  # keyed by name, like the cards


def metrics_collect() -> list[Metric]:
    """Every app's metric families, one ``collect`` call per app. A source that fails is logged
    and left out: the other families are still scraped."""
    found: list[Metric] = []
    for source in sorted(_metrics.values(), key=lambda s: s.name):
        try:
            found.extend(source.collect())
        except Exception as exc:
            logger.warning("Could not collect the %s metrics (%s)", source.name, type(exc).__name__)
    return found


def register_organization_ready(name: str, listener: Callable[[int], None]) -> None:
    _ready_listeners[name] = listener


def organization_cards(organization_ids: Sequence[int]) -> dict[int, list[RenderedCard]]:
    """Every registered card for every organization, one ``load`` call per app."""
    cards: dict[int, list[RenderedCard]] = {pk: [] for pk in organization_ids}
    for card in sorted(_cards.values(), key=lambda c: (c.order, c.name)):
        contexts = card.load(list(organization_ids)) if organization_ids else {}
        for pk in organization_ids:
            cards[pk].append(RenderedCard(card.name, card.template, contexts.get(pk, {})))
    return cards


def organization_ready_on_commit(organization_id: int) -> None:
    """:func:`organization_ready` once the caller's transaction commits (at once outside one), so
    the workers find the rows it wrote (style B.11)."""
    transaction.on_commit(lambda: organization_ready(organization_id))


def organization_ready(organization_id: int) -> None:
    """Tell every app that ``organization_id`` can be synced now. A listener that fails (say the
    broker is down) is logged and skipped: beat catches up on its next tick."""
    for name, listener in _ready_listeners.items():
        try:
            listener(organization_id)
        except Exception as exc:
            logger.warning(
                "Could not start %s for organization %s (%s)",
                name,
                organization_id,
                type(exc).__name__,
            )


def register_demo_ready(name: str, listener: Callable[[int], None]) -> None:
    _demo_listeners[name] = listener  # keyed by name, like the others


def demo_ready_on_commit(organization_id: int) -> None:
    """:func:`demo_ready` once the caller's transaction commits (at once outside one)."""
    transaction.on_commit(lambda: demo_ready(organization_id))


def demo_ready(organization_id: int) -> None:
    """Tell every app that the demo's admin belongs to ``organization_id``. A listener that fails
    is logged and skipped: the demo still starts, with less to show."""
    for name, listener in _demo_listeners.items():
        try:
            listener(organization_id)
        except Exception as exc:
            logger.warning(
                "Could not prepare the %s demo for organization %s (%s)",
                name,
                organization_id,
                type(exc).__name__,
            )


# --- Notifications ---------------------------------------------------------------------------
# Each app registers a source that finds, in a few queries, what changed recently for the
# organizations someone listens to; dashboard.services.notifications records each change once
# and sends it to every recipient once.


@dataclass(frozen=True)
class NotificationDraft:
    """One change worth telling an organization's team, found by a source.

    ``key`` names the change itself ("incident:<adobe id>:closed"): finding it again is harmless.
    ``occurred_at`` is when it happened; recipients who chose the topic after that are not told.
    Nothing in a draft is personal data (viewers may receive it).
    """

    organization_id: int
    topic: str  # a dashboard.models.NotificationTopic value
    key: str
    title: str
    body: str
    link: str  # a path of Lookout's that shows it
    occurred_at: datetime


@dataclass(frozen=True)
class NotificationSource:
    name: str
    # detect(listeners, now): listeners maps each organization id that has a recipient for the
    # source's topic to the earliest time one of them subscribed; sources look no further back
    # than LOOKOUT_NOTIFICATION_LOOKBACK.
    topic: str
    detect: Callable[[dict[int, datetime], datetime], list[NotificationDraft]]


_notification_sources: dict[str, NotificationSource] = {}


def register_notification_source(source: NotificationSource) -> None:
    _notification_sources[source.name] = source


def notification_sources() -> list[NotificationSource]:
    return sorted(_notification_sources.values(), key=lambda s: s.name)

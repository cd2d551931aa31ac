"""Writing parsed incidents and maintenances: bulk upserts on Adobe's ids (style B.12)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.db.models import Model

from adobe.models.events import EventProduct, EventUpdate
from adobe.models.events import Incident as AdobeIncident
from adobe.models.events import Maintenance as AdobeMaintenance
from status.models import (
    SEVERITY_RANK,
    Cloud,
    Incident,
    IncidentUpdate,
    Maintenance,
    MaintenanceUpdate,
    Offering,
    Product,
    Region,
    Service,
)
from status.services.messages import MessageBook
from status.services.registry import ensure_items

logger = logging.getLogger(__name__)

CLOSED_STATUSES = {"Closed", "Dismissed"}
PHASES = {
    "Scheduled": Maintenance.Phase.SCHEDULED,
    "Started": Maintenance.Phase.IN_PROGRESS,
    "Completed": Maintenance.Phase.DONE,
    "Canceled": Maintenance.Phase.CANCELED,
    "Cancelled": Maintenance.Phase.CANCELED,
}
UPDATE_FIELDS = [
    "product",
    "status",
    "severity",
    "customer_impact",
    "operations_impact",
    "message_type",
    "message_time",
    "title_token",
    "message_token",
    "title",
    "message",
    "region_ids",
    "service_ids",
]
RELATIONS = (
    ("clouds", Cloud, "clouds"),
    ("offerings", Offering, "offerings"),
    ("regions", Region, "regions"),
    ("services", Service, "services"),
)


def _fill(text: str, start: datetime | None, end: datetime | None) -> str:
    """Adobe's maintenance texts carry {startDateTime}/{endDateTime} placeholders."""

    def shown(when: datetime | None) -> str:
        return when.strftime("%Y-%m-%d %H:%M UTC") if when else "a time Adobe has not given"

    return text.replace("{startDateTime}", shown(start)).replace("{endDateTime}", shown(end))


def _timeline(products: Iterable[EventProduct]) -> list[tuple[EventProduct, EventUpdate]]:
    entries = [(product, update) for product in products for update in product.history]
    return sorted(
        entries,
        key=lambda e: (
            e[1].message_time is None,
            e[1].message_time.timestamp() if e[1].message_time else 0,
        ),
    )


def _update_key(product: EventProduct, update: EventUpdate) -> str:
    if update.id:
        return update.id[:200]
    when = update.message_time.isoformat() if update.message_time else "undated"
    return f"{product.id}:{when}:{update.status}"[:200]


def _ids_by_relation(events: list[AdobeIncident] | list[AdobeMaintenance]) -> dict[str, dict]:
    """Registry rows for every product, cloud, ... the events name: ``{relation: {id: pk}}``."""
    found = {
        "products": ensure_items(
            Product, {p.id: p.name for event in events for p in event.products}
        )
    }
    for relation, model, attr in RELATIONS:
        found[relation] = ensure_items(
            model, {n.id: n.name for event in events for n in getattr(event.scope, attr)}
        )
    return found


def _set_relations(model: type[Model], pks: dict[str, int], events, ids: dict[str, dict]) -> None:
    """Replace the many-to-many rows of the stored events in two statements per relation."""
    for relation in ("products", *(r for r, _m, _a in RELATIONS)):
        through = getattr(model, relation).through
        own = f"{model._meta.model_name}_id"
        other = f"{getattr(model, relation).field.related_model._meta.model_name}_id"
        through.objects.filter(**{f"{own}__in": list(pks.values())}).delete()
        rows = []
        for event in events:
            items = (
                event.products
                if relation == "products"
                else getattr(event.scope, dict((r, a) for r, _m, a in RELATIONS)[relation])
            )
            for adobe_id in dict.fromkeys(item.id for item in items):
                rows.append(through(**{own: pks[event.id], other: ids[relation][adobe_id]}))
        through.objects.bulk_create(rows, batch_size=1000)


def _updates(
    model: type[Model],
    owner: str,
    pks: dict[str, int],
    events,
    ids: dict[str, dict],
    book,
    fill=None,
) -> None:
    rows = []
    for event in events:
        for product, update in _timeline(event.products):
            title, message = book.text(update.title_token), book.text(update.message_token)
            if fill:
                title, message = fill(event, title), fill(event, message)
            rows.append(
                model(
                    **{f"{owner}_id": pks[event.id]},
                    key=_update_key(product, update),
                    product_id=ids["products"].get(product.id),
                    status=update.status or "",
                    severity=update.severity or "",
                    customer_impact=update.customer_impact or "",
                    operations_impact=update.operations_impact or "",
                    message_type=update.message_type or "",
                    message_time=update.message_time,
                    title_token=update.title_token or "",
                    message_token=update.message_token or "",
                    title=title[:500],
                    message=message,
                    region_ids=list(update.location_impact.region_ids),
                    service_ids=list(update.service_impact.service_ids),
                )
            )
    model.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=[owner, "key"],
        update_fields=UPDATE_FIELDS,
        batch_size=500,
    )


def store_incidents(
    *, incidents: Iterable[AdobeIncident], open_ids: set[str], book: MessageBook, now: datetime
) -> None:
    incidents = list(incidents)
    if not incidents:
        return
    ids = _ids_by_relation(incidents)
    closed_at = dict(
        Incident.objects.filter(adobe_id__in=[i.id for i in incidents]).values_list(
            "adobe_id", "closed_at"
        )
    )
    rows = []
    for incident in incidents:
        timeline = _timeline(incident.products)
        latest = timeline[-1][1] if timeline else None
        status = latest.status if latest and latest.status else ""
        is_open = incident.id in open_ids and status not in CLOSED_STATUSES
        starts = [p.started_at for p in incident.products if p.started_at]
        ends = [p.ended_at for p in incident.products if p.ended_at]
        ended_at = max(ends) if ends and len(ends) == len(incident.products) else None
        if not is_open and ended_at is None and latest is not None:
            ended_at = latest.message_time
        rows.append(
            Incident(
                adobe_id=incident.id,
                state=Incident.State.OPEN if is_open else Incident.State.CLOSED,
                status=status,
                severity=incident.severity or "",
                severity_rank=SEVERITY_RANK.get(incident.severity or "", 0),
                title=book.text(latest.title_token if latest else None)[:500],
                message=book.text(latest.message_token if latest else None),
                started_at=min(starts)
                if starts
                else (timeline[0][1].message_time if timeline else None),
                ended_at=None if is_open else ended_at,
                closed_at=None if is_open else (closed_at.get(incident.id) or ended_at or now),
                last_update_at=latest.message_time if latest else None,
                last_seen_at=now,
            )
        )
    Incident.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["adobe_id"],
        update_fields=[
            "state",
            "status",
            "severity",
            "severity_rank",
            "title",
            "message",
            "started_at",
            "ended_at",
            "closed_at",
            "last_update_at",
            "last_seen_at",
            "updated_at",
        ],
        batch_size=500,
    )
    pks = dict(
        Incident.objects.filter(adobe_id__in=[i.id for i in incidents]).values_list(
            "adobe_id", "pk"
        )
    )
    _set_relations(Incident, pks, incidents, ids)
    _updates(IncidentUpdate, "incident", pks, incidents, ids, book)


def store_maintenances(
    *, maintenances: Iterable[AdobeMaintenance], book: MessageBook, now: datetime
) -> None:
    maintenances = list(maintenances)
    if not maintenances:
        return
    ids = _ids_by_relation(maintenances)

    def fill(m: AdobeMaintenance, text: str) -> str:
        return _fill(text, m.started_at or m.scheduled_at, m.completed_at)

    rows = []
    for m in maintenances:
        timeline = _timeline(m.products)
        latest = timeline[-1][1] if timeline else None
        status = m.status or (latest.status if latest else "") or ""
        rows.append(
            Maintenance(
                adobe_id=m.id,
                status=status,
                phase=PHASES.get(status, Maintenance.Phase.SCHEDULED),
                maintenance_type=m.maintenance_type or "",
                title=fill(m, book.text(latest.title_token if latest else None))[:500],
                message=fill(m, book.text(latest.message_token if latest else None)),
                scheduled_at=m.scheduled_at,
                started_at=m.started_at,
                completed_at=m.completed_at,
                last_update_at=latest.message_time if latest else None,
                last_seen_at=now,
            )
        )
    Maintenance.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["adobe_id"],
        update_fields=[
            "status",
            "phase",
            "maintenance_type",
            "title",
            "message",
            "scheduled_at",
            "started_at",
            "completed_at",
            "last_update_at",
            "last_seen_at",
            "updated_at",
        ],
        batch_size=500,
    )
    pks = dict(
        Maintenance.objects.filter(adobe_id__in=[m.id for m in maintenances]).values_list(
            "adobe_id", "pk"
        )
    )
    _set_relations(Maintenance, pks, maintenances, ids)
    _updates(MaintenanceUpdate, "maintenance", pks, maintenances, ids, book, fill=fill)

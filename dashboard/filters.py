"""Filters shared by the apps' filtersets (django-filter), and the audit log's filterset."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import django_filters
from django.db.models import QuerySet
from django_filters.constants import EMPTY_VALUES

from dashboard.models import AuditEvent


class DayFilter(django_filters.DateFilter):
    """A whole UTC day of a datetime column: from its first instant, or (``until``) to its last.

    A range on the column itself rather than ``__date``, so the index on it still serves.
    Subclasses choose the column per model with :meth:`column`.
    """

    def __init__(self, *args: Any, until: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.until = until

    def column(self, qs: QuerySet) -> str:
        return self.field_name

    def filter(self, qs: QuerySet, value: Any) -> QuerySet:
        if value in EMPTY_VALUES:
            return qs
        start = datetime.combine(value, time.min, tzinfo=UTC)
        if self.until:
            return qs.filter(**{f"{self.column(qs)}__lt": start + timedelta(days=1)})
        return qs.filter(**{f"{self.column(qs)}__gte": start})


class AuditFilterSet(django_filters.FilterSet):
    """An organization's audit log by action, person ("system" for the workers) and UTC days."""

    SYSTEM = "system"

    action = django_filters.ChoiceFilter(empty_label="Any action", method="filter_action")
    person = django_filters.ChoiceFilter(empty_label="Anyone", method="filter_person")
    date_from = DayFilter(field_name="created_at", label="From")
    date_to = DayFilter(field_name="created_at", label="to", until=True)

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, people: Any = (), **kwargs: Any) -> None:
        """``people``: who may be chosen, (id, name) pairs (those in the organization's log)."""
        super().__init__(data, queryset, **kwargs)
        self.filters["action"].extra["choices"] = AuditEvent.Action.choices
        self.filters["person"].extra["choices"] = [
            (self.SYSTEM, "System"),
            *((str(pk), name) for pk, name in people),
        ]

    def filter_action(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(action=value)

    def filter_person(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if value == self.SYSTEM:
            return qs.filter(actor__isnull=True)
        return qs.filter(actor_id=int(value))

    def apply(self, events: QuerySet) -> QuerySet:
        """``events`` narrowed by every valid parameter (the invalid ones are ignored)."""
        if not self.is_bound:
            return events
        self.form.is_valid()  # filter_queryset reads cleaned_data, which holds the valid fields
        return self.filter_queryset(events)

"""Filters shared by the apps' filtersets (django-filter)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import django_filters
from django.db.models import QuerySet
from django_filters.constants import EMPTY_VALUES


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

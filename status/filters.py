"""The status pages' filters: cloud, product, region, severity, and (history) a range of days.

One filterset narrows incidents and maintenance alike (``apply``), validating the query string
once per page. A value that does not validate (a product Adobe no longer lists, a bad date) is
ignored rather than an error page: django-filter narrows by the fields that did validate.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet

from dashboard.filters import DayFilter
from status.models import Incident, Maintenance
from status.selectors import filter_choices

# The moment that dates an event in the history: when an incident started, when maintenance was
# scheduled for.
DATED_BY = {Incident: "started_at", Maintenance: "scheduled_at"}


class StatusFilterSet(django_filters.FilterSet):
    cloud = django_filters.ChoiceFilter(empty_label="Any cloud", method="filter_cloud")
    product = django_filters.ChoiceFilter(
        empty_label="Any product", field_name="products__adobe_id"
    )
    region = django_filters.ChoiceFilter(empty_label="Any region", field_name="regions__adobe_id")
    severity = django_filters.ChoiceFilter(empty_label="Any severity", method="filter_severity")

    class Meta:
        model = Incident
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, **kwargs: Any) -> None:
        super().__init__(data, queryset, **kwargs)
        # The menus list what Lookout has read from Adobe: read once, before the form is built.
        choices = filter_choices()
        for name, key in (
            ("cloud", "clouds"),
            ("product", "products"),
            ("region", "regions"),
            ("severity", "severities"),
        ):
            self.filters[name].extra["choices"] = choices[key]

    def apply(self, events: QuerySet) -> QuerySet:
        """``events`` (incidents or maintenance) narrowed by every valid parameter."""
        if not self.is_bound:
            return events
        self.form.is_valid()  # filter_queryset reads cleaned_data, which holds the valid fields
        return self.filter_queryset(events)

    def filter_cloud(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Through the link table, which has no duplicate per event, rather than a join.
        through = queryset.model.clouds.through
        own = f"{queryset.model._meta.model_name}_id"
        return queryset.filter(pk__in=through.objects.filter(cloud__adobe_id=value).values(own))

    def filter_severity(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Only incidents have a severity; maintenance is listed whatever the choice.
        if queryset.model is not Incident:
            return queryset
        return queryset.filter(severity=value)


class EventDayFilter(DayFilter):
    """A whole UTC day of the event's own date (``DATED_BY``)."""

    def column(self, qs: QuerySet) -> str:
        return DATED_BY[qs.model]


class HistoryFilterSet(StatusFilterSet):
    date_from = EventDayFilter(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = EventDayFilter(label="to", until=True, widget=forms.DateInput(attrs={"type": "date"}))

"""The job list's filters: each URL parameter, how it validates and what it narrows.

The list page and its CSV export read the same ``JobFilterSet``. A value that does not validate is
reported on the page (``form.errors``) and ignored, never an error page: django-filter narrows by
the fields that did validate.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from dashboard.filters import DayFilter
from privacy.lateness import LatenessRules
from privacy.models import PrivacyJob, ProductResponse
from privacy.selectors import DEFAULT_ORDER

SORTS = {
    "newest": DEFAULT_ORDER,
    "oldest": ("adobe_created_at", "id"),
    "modified": ("-adobe_modified_at", "-id"),
    "status": ("status", *DEFAULT_ORDER),
    "regulation": ("regulation", *DEFAULT_ORDER),
}


class CheckboxFilter(django_filters.Filter):
    """A checkbox: ticked narrows with ``method``, unticked leaves the list alone."""

    field_class = forms.BooleanField


class JobFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=PrivacyJob.Status.choices, empty_label="Any status"
    )
    regulation = django_filters.CharFilter(max_length=40)
    action = django_filters.CharFilter(max_length=20)
    product = django_filters.CharFilter(max_length=100, method="filter_product_response")
    product_status = django_filters.CharFilter(max_length=40, method="filter_product_response")
    created_from = DayFilter(field_name="adobe_created_at", label="Created from")
    created_to = DayFilter(field_name="adobe_created_at", label="to", until=True)
    late = CheckboxFilter(label="Late or stuck only", method="filter_late")
    q = django_filters.CharFilter(
        max_length=200,
        label="Search",
        help_text="Matches a job ID or request ID exactly, or the start of a user key.",
        method="filter_search",
    )
    sort = django_filters.ChoiceFilter(
        choices=[(s, s) for s in SORTS], empty_label=None, method="filter_sort"
    )

    class Meta:
        model = PrivacyJob
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, rules: LatenessRules, **kwargs: Any) -> None:
        super().__init__(data, queryset, **kwargs)
        self.rules = rules

    def apply(self, jobs: QuerySet[PrivacyJob]) -> QuerySet[PrivacyJob]:
        """``jobs`` narrowed by every valid parameter (the invalid ones are ignored)."""
        if not self.is_bound:
            return jobs
        self.form.is_valid()  # filter_queryset reads cleaned_data, which holds the valid fields
        return self.filter_queryset(jobs)

    def filter_product_response(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Product and product status narrow the same response ("Target answered error"), so both
        # go into one subquery, applied once (by product when both are given).
        data = self.form.cleaned_data
        if name == "product_status" and data.get("product"):
            return queryset
        responses = ProductResponse.objects.all()
        if data.get("product"):
            responses = responses.filter(product__iexact=data["product"])
        if data.get("product_status"):
            responses = responses.filter(status__iexact=data["product_status"])
        return queryset.filter(pk__in=responses.values("job_id"))

    def filter_late(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(self.rules.late_q()) if value else queryset

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Exact ids first (indexed); the user key (a data subject's reference) by prefix.
        text = value.strip()
        return queryset.filter(Q(job_id=text) | Q(request_id=text) | Q(user_key__istartswith=text))

    def filter_sort(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.order_by(*SORTS[value])

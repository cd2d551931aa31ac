"""The job list's filters: each URL parameter, how it validates and what it narrows.

The list page and its CSV export read the same ``JobFilterSet``. A value that does not validate is
reported on the page (``form.errors``) and ignored, never an error page: django-filter narrows by
the fields that did validate.

The search (``q``) finds a job the way the team thinks of it, each value by its start: a job ID or
request ID for everyone; for members and admins (``dashboard.access.can_see_personal_data``) also
the team's reference, with or without the prefix Lookout adds to it, the user key, and any identity
(e-mail, ECID...), the job's own (Adobe's detail) or, for a job Lookout submitted, the one its
submission recorded. A viewer's search never looks at personal data.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from dashboard.access import can_see_personal_data
from dashboard.filters import DayFilter
from dashboard.models import Membership
from dashboard.paging import Keyset
from privacy.lateness import LatenessRules
from privacy.models import PrivacyJob, PrivacySubmission, ProductResponse
from privacy.selectors import NEWEST

# Each sort's words on the page and its order as keyset segments (dashboard.paging): jobs Adobe
# gave no creation (change) time come after the others. "deadline" comes from the request's
# LatenessRules. Each order has its index (PrivacyJob.Meta.indexes).
SORTS: dict[str, tuple[str, Keyset | None]] = {
    "newest": ("Newest first", NEWEST),
    "oldest": ("Oldest first", Keyset.of("adobe_created_at", "id", nullable="adobe_created_at")),
    "deadline": ("Deadline soonest", None),
    "modified": (
        "Last changed",
        Keyset.of("-adobe_modified_at", "-id", nullable="adobe_modified_at"),
    ),
    "status": (
        "Status",
        Keyset.of("status", "-adobe_created_at", "-id", nullable="adobe_created_at"),
    ),
    "regulation": (
        "Regulation",
        Keyset.of("regulation", "-adobe_created_at", "-id", nullable="adobe_created_at"),
    ),
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
        help_text="Finds a job ID or request ID by its start; members and admins also find a "
        "reference, user key or identity (e-mail, ECID...) by its start.",
        method="filter_search",
    )
    sort = django_filters.ChoiceFilter(
        choices=[(value, label) for value, (label, _) in SORTS.items()],
        empty_label=None,
        method="filter_sort",
    )

    class Meta:
        model = PrivacyJob
        fields: list[str] = []

    def __init__(
        self,
        data=None,
        queryset=None,
        *,
        rules: LatenessRules,
        membership: Membership,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, queryset, **kwargs)
        self.rules = rules
        self.organization_id = membership.organization_id
        self.personal_data = can_see_personal_data(membership)

    def apply(self, jobs: QuerySet[PrivacyJob]) -> QuerySet[PrivacyJob]:
        """``jobs`` narrowed by every valid parameter (the invalid ones are ignored)."""
        if not self.is_bound:
            return jobs
        self.form.is_valid()  # filter_queryset reads cleaned_data, which holds the valid fields
        return self.filter_queryset(jobs)

    def in_words(self) -> str:
        """The valid filters, for the audit log: "status=error, late=True". A search is named but
        its text left out: it may be a person's e-mail, and every member reads the log."""
        if not self.is_bound:
            return "no filter"
        self.form.is_valid()  # cleaned_data: the valid fields
        words = [
            "a search (its text is not recorded)" if name == "q" else f"{name}={value}"
            for name, value in self.form.cleaned_data.items()
            if name != "sort" and value not in (None, "", False)
        ]
        return ", ".join(words) or "no filter"

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
        # Every branch has its index on PostgreSQL, so the OR stays a bitmap of index scans: ids
        # by LIKE 'x%' (pattern operator classes), personal_search by its trigram index, and the
        # people of submissions by (organization, user_key).
        text = value.strip()
        if not text:
            return queryset
        found = Q(job_id__startswith=text) | Q(request_id__startswith=text)
        if self.personal_data:
            found |= Q(personal_search__contains=f"|{text.lower()}")
            keys = _submitted_keys(organization_id=self.organization_id, identity_start=text)
            if keys:
                found |= Q(organization_id=self.organization_id, user_key__in=keys)
        return queryset.filter(found)

    def filter_sort(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.order_by(*self.order().flat_order())

    def order(self) -> Keyset:
        """The order asked for (newest first when none is, or it is not one of SORTS), for the
        list's keyset pages; ``apply`` orders the export the same way."""
        value = ""
        if self.is_bound:
            self.form.is_valid()  # cleaned_data: the valid fields
            value = self.form.cleaned_data.get("sort") or ""
        if value == "deadline":
            return self.rules.deadline_order()
        return SORTS.get(value, ("", NEWEST))[1] or NEWEST


# Submissions looked through for an identity: the newest. Adobe's detail brings a job's own
# identities within a sync or two, so this only has to cover the jobs just submitted; and a bound
# keeps the search's cost the same however many submissions an organization has made.
SUBMISSIONS_SEARCHED = 200


def _submitted_keys(*, organization_id: int, identity_start: str) -> list[str]:
    """The user keys Lookout gave the people whose identity, in one of the organization's newest
    submissions, starts with ``identity_start`` (any case): their jobs are found before Adobe's
    detail is read."""
    start = identity_start.lower()
    newest = PrivacySubmission.objects.filter(organization_id=organization_id).order_by(
        "-created_at"
    )[:SUBMISSIONS_SEARCHED]
    recent = PrivacySubmission.objects.filter(
        pk__in=newest.values("pk"),
        kind=PrivacySubmission.Kind.JOBS,
        users__icontains=identity_start,  # a coarse first cut in SQL; the loop decides
    ).values_list("users", flat=True)
    return [
        user["key"]
        for users in recent
        for user in users
        if any(str(value).lower().startswith(start) for _namespace, value in user.get("ids", []))
    ]

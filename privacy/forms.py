"""Forms for the Privacy Service pages: requests and opt-outs (the list's filters: filters.py)."""

from __future__ import annotations

import re

from django import forms

from privacy.models import Regulation

# Adobe's include values (adobe-api.md §2.9).
PRODUCTS = [
    ("analytics", "Adobe Analytics"),
    ("audienceManager", "Audience Manager"),
    ("adCloud", "Adobe Advertising"),
    ("profileService", "Experience Platform profile"),
    ("aepDataLake", "Experience Platform data lake"),
    ("campaign", "Adobe Campaign"),
    ("target", "Adobe Target"),
    ("CRS", "Customer Attributes"),
    ("cjm", "Journey Optimizer"),
    ("marketo", "Marketo Engage"),
    ("identity", "Identity Service"),
    ("marketomeasure", "Marketo Measure"),
    ("commerceMarketingData", "Adobe Commerce"),
]
SUBJECT_LINE = re.compile(r"^\s*(?:(?P<key>[^|]+?)\s*\|)?\s*(?P<ids>.+)$")


def parse_subjects(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """One data subject per line: ``[key |] namespace:value, namespace:value``.

    Raises ValidationError naming the line, never repeating the personal data on it.
    """
    subjects = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = SUBJECT_LINE.match(line)
        ids = []
        for part in match.group("ids").split(","):
            namespace, sep, value = part.strip().partition(":")
            if not sep or not namespace.strip() or not value.strip():
                raise forms.ValidationError(
                    f"Line {number}: write each identity as namespace:value, "
                    "e.g. Email:jane@example.com, ECID:12345."
                )
            ids.append((namespace.strip(), value.strip()))
        subjects.append(((match.group("key") or "").strip(), ids))
    if not subjects:
        raise forms.ValidationError("Enter at least one data subject.")
    return subjects


class PrivacyRequestForm(forms.Form):
    regulation = forms.ModelChoiceField(
        queryset=Regulation.objects.all(), to_field_name="code", empty_label=None
    )
    actions = forms.MultipleChoiceField(
        choices=[("access", "Access (a copy of their data)"), ("delete", "Delete")],
        widget=forms.CheckboxSelectMultiple,
        initial=["access"],
    )
    products = forms.MultipleChoiceField(
        choices=PRODUCTS, widget=forms.CheckboxSelectMultiple, label="Products to include"
    )
    subjects = forms.CharField(
        label="Data subjects",
        widget=forms.Textarea(attrs={"rows": 5, "autocomplete": "off"}),
        help_text="One person per line: an optional reference, a bar, then namespace:value "
        "identities separated by commas. Example: ticket-123 | Email:jane@example.com, "
        "ECID:443636576799758681021090721276. Up to 1000 people, 9 identities each.",
    )

    def clean_subjects(self):
        return parse_subjects(self.cleaned_data["subjects"])


class ConsentForm(forms.Form):
    subjects = forms.CharField(
        label="People opting out of sale",
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
        help_text="One identity per line as namespace:value, e.g. Email:jane@example.com.",
    )

    def clean_subjects(self):
        entities: dict[str, list[str]] = {}
        for _, ids in parse_subjects(self.cleaned_data["subjects"]):
            for namespace, value in ids:
                entities.setdefault(namespace, []).append(value)
        return entities

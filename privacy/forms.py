"""Forms for the Privacy Service pages: requests and opt-outs (the list's filters: filters.py)."""

from __future__ import annotations

import re
import uuid

from django import forms

from privacy.models import Regulation
from privacy.services.submissions import (
    IDENTITY_VALUE_MAX,
    REFERENCE_MAX,
    identity_too_long,
    reference_too_long,
)

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


def parse_subjects(
    text: str, *, with_references: bool = True
) -> list[tuple[str, list[tuple[str, str]]]]:
    """One data subject per line: ``[key |] namespace:value, namespace:value``.

    Raises ValidationError naming the line, never repeating the personal data on it, for a line
    that cannot be read, or a reference or identity longer than Lookout keeps (the limits:
    privacy.services.submissions). Without references (opt-outs), a line's reference is ignored.
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
            problem = identity_too_long(namespace.strip(), value.strip())
            if problem:
                raise forms.ValidationError(f"Line {number}: {problem}.")
            ids.append((namespace.strip(), value.strip()))
        reference = (match.group("key") or "").strip()
        problem = reference_too_long(reference) if with_references else None
        if problem:
            raise forms.ValidationError(f"Line {number}: {problem}.")
        subjects.append((reference, ids))
    if not subjects:
        raise forms.ValidationError("Enter at least one data subject.")
    return subjects


class _SubmitOnceForm(forms.Form):
    """A form sent at most once: each rendering carries a new one-time key (a hidden UUID).

    The key becomes the submission's idempotency key, so a second POST of the same rendering
    (a double click, a reload, Back then Send) finds the first submission instead of sending.
    A missing or malformed key is a form error, and the form comes back with a fresh one.
    """

    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.submitted_key: uuid.UUID | None = None
        if not self.is_bound:
            return
        try:
            self.submitted_key = uuid.UUID(str(self.data.get("submission_key", "")))
        except ValueError:
            self.data = self.data.copy()
            self.data["submission_key"] = str(uuid.uuid4())

    def clean(self):
        cleaned = super().clean()
        if self.submitted_key is None:
            self.add_error(
                None,
                "This form has no valid one-time key (it may come from an old or altered page), "
                "so nothing was recorded. Check the fields below and send it again.",
            )
        return cleaned


class PrivacyRequestForm(_SubmitOnceForm):
    regulation = forms.ModelChoiceField(
        queryset=Regulation.objects.all(),
        to_field_name="code",
        empty_label="Choose a regulation",
        error_messages={"required": "Choose a regulation: Lookout never picks one for you."},
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
        "ECID:443636576799758681021090721276. Up to 1000 people, 9 identities each; "
        f"references up to {REFERENCE_MAX} characters, identity values up to "
        f"{IDENTITY_VALUE_MAX}.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Adobe's products answer under their own names (Analytics, AudienceManager): a job
        # asked again starts with those among them that are include codes, in any case.
        codes = {code.lower(): code for code, _ in PRODUCTS}
        if "products" in self.initial:
            found = (codes.get(str(p).lower()) for p in self.initial["products"])
            self.initial["products"] = list(dict.fromkeys(c for c in found if c))

    def clean_subjects(self):
        return parse_subjects(self.cleaned_data["subjects"])


class ConsentForm(_SubmitOnceForm):
    subjects = forms.CharField(
        label="People opting out of sale",
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
        help_text="One identity per line as namespace:value, e.g. Email:jane@example.com; "
        f"values up to {IDENTITY_VALUE_MAX} characters.",
    )

    def clean_subjects(self):
        entities: dict[str, list[str]] = {}
        for _, ids in parse_subjects(self.cleaned_data["subjects"], with_references=False):
            for namespace, value in ids:
                entities.setdefault(namespace, []).append(value)
        return entities

"""Filters for the status pages and the watched-products form."""

from __future__ import annotations

from django import forms

from status.selectors import StatusFilters, filter_choices


class StatusFilterForm(forms.Form):
    """Cloud, product, region and severity; an unknown value is ignored, not an error page."""

    cloud = forms.ChoiceField(required=False)
    product = forms.ChoiceField(required=False)
    region = forms.ChoiceField(required=False)
    severity = forms.ChoiceField(required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = filter_choices()
        for name, key, label in (
            ("cloud", "clouds", "Any cloud"),
            ("product", "products", "Any product"),
            ("region", "regions", "Any region"),
            ("severity", "severities", "Any severity"),
        ):
            self.fields[name].choices = [("", label), *choices[key]]

    def filters(self) -> StatusFilters:
        self.is_valid()

        def value(name: str):
            return None if name in self.errors else self.cleaned_data.get(name)

        return StatusFilters(
            cloud=value("cloud") or "",
            product=value("product") or "",
            region=value("region") or "",
            severity=value("severity") or "",
            date_from=value("date_from"),
            date_to=value("date_to"),
        )


class HistoryFilterForm(StatusFilterForm):
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    page = forms.IntegerField(required=False, min_value=1)

    def page_number(self) -> int:
        self.is_valid()
        return self.cleaned_data.get("page") or 1


class WatchedProductsForm(forms.Form):
    products = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, product_choices: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["products"].choices = product_choices

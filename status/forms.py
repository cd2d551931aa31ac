"""The watched-products form (the pages' filters are in filters.py)."""

from __future__ import annotations

from django import forms


class WatchedProductsForm(forms.Form):
    products = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, product_choices: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["products"].choices = product_choices

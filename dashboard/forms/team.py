"""Forms clean and convert input; services decide (style B.7)."""

from __future__ import annotations

from django import forms

from dashboard.models import Membership
from dashboard.selectors import user_find


class MemberAddForm(forms.Form):
    user = forms.CharField(
        label="Username or e-mail",
        max_length=254,
        help_text="The person must already have a Lookout account (staff create accounts).",
    )
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.MEMBER)

    def clean_user(self):
        value = self.cleaned_data["user"]
        user = user_find(username_or_email=value)
        if user is None:
            raise forms.ValidationError(
                f"No active Lookout account has the username or e-mail “{value}”."
            )
        return user


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)

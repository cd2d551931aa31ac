"""Forms clean and convert input; services decide (style B.7)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation

from dashboard.models import Membership


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="E-mail",
        max_length=254,
        help_text="They get a link to join: with their Lookout account, or by creating one.",
    )
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.MEMBER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


class InvitationAccountForm(forms.Form):
    """A new account for the invited address: its username and password (the address is fixed)."""

    username = forms.CharField(max_length=150, help_text="Letters, digits and @ . + - _ only.")
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self.fields["username"].validators.append(
            get_user_model()._meta.get_field("username").validators[0]
        )

    def clean_username(self):
        username = get_user_model().normalize_username(self.cleaned_data["username"])
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("That username is taken: choose another.")
        return username

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            user = get_user_model()(username=cleaned.get("username", ""), email=self.email)
            try:
                password_validation.validate_password(first, user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned

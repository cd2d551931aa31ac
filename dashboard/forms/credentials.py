"""Onboarding forms. Secrets use password inputs that never echo back (style B.7)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from adobe import console
from adobe.console import ConsoleCredential
from dashboard.models import Credential, Organization
from dashboard.services.credentials import CredentialInput, console_credential_read

MAX_UPLOAD_BYTES = 64 * 1024
_NO_FILE = ConsoleCredential(client_id="", client_secrets=())


def _secret_field(label: str, help_text: str = "", required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        strip=True,
        help_text=help_text,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )


def _read_upload(upload, what: str) -> str:
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            f"This file is too large to be a {what} (over {MAX_UPLOAD_BYTES // 1024} KB)."
        )
    try:
        return upload.read().decode("utf-8-sig")  # a byte-order mark is harmless: drop it
    except UnicodeDecodeError:
        raise ValidationError(f"This file is not a text {what}.") from None


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.replace("\n", ",").split(",") if item.strip()]


class _CredentialForm(forms.Form):
    kind: str
    name = forms.CharField(
        max_length=100,
        required=False,
        help_text="A label for your team; defaults to the client ID.",
    )
    usage = forms.ChoiceField(
        label="Used for", choices=Credential.Usage.choices, initial=Credential.Usage.BOTH
    )

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization

    def to_input(self) -> CredentialInput:
        raise NotImplementedError

    def add_service_errors(self, error: ValidationError) -> None:
        for field_name, messages in error.message_dict.items():
            self.add_error(field_name if field_name in self.fields else None, messages)


class OAuthCredentialForm(_CredentialForm):
    kind = Credential.Kind.OAUTH
    console_json = forms.FileField(
        label="Credential JSON from Developer Console",
        required=False,
        help_text="Optional: upload it instead of typing the fields below.",
    )
    client_id = forms.CharField(label="Client ID (API key)", max_length=100, required=False)
    client_secret = _secret_field(
        "Client secret",
        "Stored encrypted and never shown again. Add a second secret later to rotate.",
        required=False,
    )
    scopes = forms.CharField(
        required=False,
        help_text="Comma-separated, as listed on the credential in Developer Console.",
    )
    technical_account_id = forms.CharField(max_length=200, required=False)
    technical_account_email = forms.CharField(max_length=254, required=False)

    def clean_console_json(self) -> ConsoleCredential | None:
        upload = self.cleaned_data.get("console_json")
        if not upload:
            return None
        # One byte more than the parser accepts is enough for it to say the file is too large.
        raw = upload.read(console.MAX_BYTES + 1)
        return console_credential_read(raw=raw, organization=self.organization)

    def to_input(self) -> CredentialInput:
        data = self.cleaned_data
        upload = data.get("console_json") or _NO_FILE
        secret = data.get("client_secret")
        return CredentialInput(
            kind=self.kind,
            name=data["name"],
            usage=data["usage"],
            client_id=data["client_id"] or upload.client_id,
            client_secrets=[secret] if secret else list(upload.client_secrets),
            scopes=_split(data["scopes"]) or list(upload.scopes),
            technical_account_id=data["technical_account_id"] or upload.technical_account_id,
            technical_account_email=data["technical_account_email"]
            or upload.technical_account_email,
        )


class JWTCredentialForm(_CredentialForm):
    kind = Credential.Kind.JWT
    client_id = forms.CharField(label="Client ID (API key)", max_length=100)
    client_secret = _secret_field("Client secret", "Stored encrypted and never shown again.")
    technical_account_id = forms.CharField(max_length=200, help_text="Ends in @techacct.adobe.com.")
    technical_account_email = forms.CharField(max_length=254, required=False)
    metascopes = forms.CharField(
        initial="ent_gdpr_sdk,ent_status_api",
        help_text="ent_gdpr_sdk for Privacy Service, ent_status_api for Adobe Status.",
    )
    private_key = forms.FileField(
        help_text="private.key (PEM, RSA). Stored encrypted and never shown again."
    )
    certificate = forms.FileField(
        required=False,
        help_text="Optional certificate_pub.crt: Lookout shows its expiry and warns 30 days ahead.",
    )

    def clean_private_key(self):
        return _read_upload(self.cleaned_data["private_key"], "PEM private key")

    def clean_certificate(self):
        upload = self.cleaned_data.get("certificate")
        return _read_upload(upload, "PEM certificate") if upload else ""

    def to_input(self) -> CredentialInput:
        data = self.cleaned_data
        return CredentialInput(
            kind=self.kind,
            name=data["name"],
            usage=data["usage"],
            client_id=data["client_id"],
            client_secrets=[data["client_secret"]],
            technical_account_id=data["technical_account_id"],
            technical_account_email=data["technical_account_email"],
            metascopes=_split(data["metascopes"]),
            private_key_pem=data["private_key"],
            certificate_pem=data["certificate"],
        )


class SecretAddForm(forms.Form):
    secret = _secret_field("New client secret")
    make_primary = forms.BooleanField(
        required=False, initial=True, label="Try it first (make it the primary secret)"
    )
    expires_on = forms.DateField(
        required=False,
        label="Expires on (optional)",
        help_text="If Developer Console gives this secret an end date, Lookout warns 30 and 7 "
        "days before it.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

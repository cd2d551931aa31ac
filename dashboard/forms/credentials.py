"""Onboarding forms. Secrets use password inputs that never echo back (style B.7)."""

from __future__ import annotations

import json

from django import forms
from django.core.exceptions import ValidationError

from dashboard.models import Credential, Organization
from dashboard.services.credentials import CredentialInput

MAX_UPLOAD_BYTES = 64 * 1024


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
        raise ValidationError(f"This file is too large to be a {what}.")
    try:
        return upload.read().decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationError(f"This file is not a text {what}.") from None


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.replace("\n", ",").split(",") if item.strip()]


def parse_console_json(text: str) -> dict:
    """Read the OAuth Server-to-Server JSON that Developer Console downloads.

    Two shapes exist: the credential's flat JSON (``CLIENT_ID``/``API_KEY``, ``CLIENT_SECRETS``,
    ``ORG_ID``, ``SCOPES``, ``TECHNICAL_ACCOUNT_ID``/``_EMAIL``, any letter case) and the project
    JSON (``project.workspace.details.credentials[].oauth_server_to_server`` plus
    ``project.org.ims_org_id``).
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise ValidationError(
            "This file is not JSON: download it again from Developer Console."
        ) from None
    if not isinstance(data, dict):
        raise ValidationError("This JSON is not a Developer Console credential file.")
    project = data.get("project")
    if isinstance(project, dict):
        org = project.get("org") or {}
        details = (project.get("workspace") or {}).get("details") or {}
        oauth = next(
            (
                c["oauth_server_to_server"]
                for c in details.get("credentials") or []
                if isinstance(c, dict) and isinstance(c.get("oauth_server_to_server"), dict)
            ),
            None,
        )
        if oauth is None:
            raise ValidationError("This project file holds no OAuth Server-to-Server credential.")
        data = {**oauth, "ims_org_id": org.get("ims_org_id", "")}
    flat = {str(key).lower(): value for key, value in data.items()}

    def first(*names: str):
        return next((flat[n] for n in names if flat.get(n) not in (None, "", [])), None)

    secrets = first("client_secrets", "client_secret")
    scopes = first("scopes", "scope")
    parsed = {
        "client_id": first("client_id", "api_key"),
        "client_secrets": [secrets] if isinstance(secrets, str) else secrets,
        "scopes": _split(scopes) if isinstance(scopes, str) else scopes,
        "technical_account_id": first("technical_account_id") or "",
        "technical_account_email": first("technical_account_email") or "",
        "ims_org_id": first("ims_org_id", "org_id") or "",
    }
    if not parsed["client_id"] or not parsed["client_secrets"]:
        raise ValidationError(
            "This JSON has no client ID and client secrets: is it the OAuth Server-to-Server "
            "credential file?"
        )
    for key in ("client_secrets", "scopes"):
        value = parsed[key] or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationError(f"This JSON's {key.upper()} should be a list of strings.")
        parsed[key] = value
    return parsed


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

    def clean_console_json(self):
        upload = self.cleaned_data.get("console_json")
        if not upload:
            return None
        parsed = parse_console_json(_read_upload(upload, "JSON file"))
        org_id = parsed.pop("ims_org_id")
        if org_id and not org_id.endswith("@AdobeOrg"):
            raise ValidationError(
                f"The organization ID in this file, “{org_id}”, does not end in @AdobeOrg."
            )
        if org_id and org_id != self.organization.ims_org_id:
            raise ValidationError(
                f"This file is for IMS organization {org_id}, not {self.organization.name} "
                f"({self.organization.ims_org_id})."
            )
        return parsed

    def to_input(self) -> CredentialInput:
        data = self.cleaned_data
        upload = data.get("console_json") or {}
        secret = data.get("client_secret")
        return CredentialInput(
            kind=self.kind,
            name=data["name"],
            usage=data["usage"],
            client_id=data["client_id"] or upload.get("client_id", ""),
            client_secrets=[secret] if secret else upload.get("client_secrets", []),
            scopes=_split(data["scopes"]) or upload.get("scopes", []),
            technical_account_id=data["technical_account_id"]
            or upload.get("technical_account_id", ""),
            technical_account_email=data["technical_account_email"]
            or upload.get("technical_account_email", ""),
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

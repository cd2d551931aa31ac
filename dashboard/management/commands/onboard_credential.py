"""Onboard a credential from a script: the same service as the page, secrets never on argv."""

from __future__ import annotations

import contextlib
import sys
import uuid
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from dashboard.forms.credentials import parse_console_json
from dashboard.models import Credential, Organization
from dashboard.services.credentials import CredentialInput, credential_create
from dashboard.services.tokens import credential_test


def _read(path: str | None, what: str) -> str:
    if not path:
        return ""
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text()
    except OSError as exc:
        raise CommandError(f"Cannot read the {what} file {path}: {exc.strerror}.") from None


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.replace("\n", ",").split(",") if v.strip()]


class Command(BaseCommand):
    help = (
        "Onboard an Adobe credential for an organization. Secrets are read from files or "
        "standard input (-), never from the command line."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # No abbreviations: "--client-secret X" must not pass for "--client-secret-file X".
        return super().create_parser(prog_name, subcommand, allow_abbrev=False, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="Organization code or IMS org id.")
        parser.add_argument("--kind", required=True, choices=Credential.Kind.values)
        parser.add_argument("--name", default="")
        parser.add_argument("--usage", default="both", choices=Credential.Usage.values)
        parser.add_argument("--client-id", default="")
        parser.add_argument(
            "--client-secret-file", help="File (or - for stdin) with one client secret per line."
        )
        parser.add_argument("--scopes", default="", help="OAuth scopes, comma-separated.")
        parser.add_argument("--metascopes", default="", help="JWT metascopes, comma-separated.")
        parser.add_argument("--technical-account-id", default="")
        parser.add_argument("--technical-account-email", default="")
        parser.add_argument("--private-key-file", help="JWT: the private key PEM (or -).")
        parser.add_argument("--certificate-file", help="JWT: the public certificate PEM.")
        parser.add_argument(
            "--console-json", help="OAuth: the credential JSON downloaded from Developer Console."
        )
        parser.add_argument("--test", action="store_true", help="Get a token right away.")

    def handle(self, *args, **opts) -> None:
        organization = self._organization(opts["org"])
        from_json: dict = {}
        if opts["console_json"]:
            try:
                from_json = parse_console_json(_read(opts["console_json"], "credential JSON"))
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
            if from_json.pop("ims_org_id") not in ("", organization.ims_org_id):
                raise CommandError(f"The JSON file is not for {organization.ims_org_id}.")
        secrets = _read(opts["client_secret_file"], "client secret").splitlines()
        data = CredentialInput(
            kind=opts["kind"],
            name=opts["name"],
            usage=opts["usage"],
            client_id=opts["client_id"] or from_json.get("client_id", ""),
            client_secrets=[s for s in secrets if s.strip()] or from_json.get("client_secrets", []),
            scopes=_split(opts["scopes"]) or from_json.get("scopes", []),
            metascopes=_split(opts["metascopes"]),
            technical_account_id=opts["technical_account_id"]
            or from_json.get("technical_account_id", ""),
            technical_account_email=opts["technical_account_email"]
            or from_json.get("technical_account_email", ""),
            private_key_pem=_read(opts["private_key_file"], "private key"),
            certificate_pem=_read(opts["certificate_file"], "certificate"),
        )
        try:
            credential = credential_create(organization=organization, data=data, created_by=None)
        except ValidationError as exc:
            lines = [f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()]
            raise CommandError("Nothing was saved.\n" + "\n".join(lines)) from None
        self.stdout.write(
            f"Credential “{credential}” ({credential.code}) saved for {organization}; "
            "its secrets are stored encrypted."
        )
        if opts["test"]:
            outcome = credential_test(credential=credential, actor=None)
            if not outcome.ok:
                raise CommandError(f"Connection failed. {outcome.message}")
            self.stdout.write(self.style.SUCCESS(f"Connection works. {outcome.message}"))

    def _organization(self, ref: str) -> Organization:
        lookup = Q(ims_org_id=ref)
        with contextlib.suppress(ValueError):  # not a UUID: an IMS org id
            lookup |= Q(code=uuid.UUID(ref))
        organization = Organization.objects.filter(lookup).first()
        if organization is None:
            raise CommandError(f"No organization has the code or IMS org id {ref!r}.")
        return organization

"""Onboard a credential from a script: the same service as the page, secrets never on argv."""

from __future__ import annotations

import contextlib
import sys
import uuid
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from adobe.console import MAX_BYTES, ConsoleCredential
from dashboard import hooks
from dashboard.background import paused_notice
from dashboard.models import Credential, Organization
from dashboard.services.credentials import (
    CredentialInput,
    console_credential_read,
    credential_create,
)
from dashboard.services.tokens import credential_test


def _read_bytes(path: str, what: str, *, limit: int = -1) -> bytes:
    """A file's bytes (or standard input's, for -), at most ``limit`` of them."""
    if path == "-":
        stdin = getattr(sys.stdin, "buffer", None)
        return stdin.read(limit) if stdin is not None else sys.stdin.read(limit).encode()
    try:
        with Path(path).open("rb") as file:
            return file.read(limit)
    except OSError as exc:
        raise CommandError(f"Cannot read the {what} file {path}: {exc.strerror}.") from None


def _read(path: str | None, what: str) -> str:
    """A text file (or -) as UTF-8, a byte-order mark dropped; never quoting its content."""
    if not path:
        return ""
    try:
        return _read_bytes(path, what).decode("utf-8-sig")
    except UnicodeDecodeError:
        source = "standard input" if path == "-" else f"the {what} file {path}"
        raise CommandError(f"Nothing was saved: {source} is not UTF-8 text.") from None


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
        # Every file is read before anything else, so an unreadable one stops the command early.
        secrets = _read(opts["client_secret_file"], "client secret").splitlines()
        private_key_pem = _read(opts["private_key_file"], "private key")
        certificate_pem = _read(opts["certificate_file"], "certificate")
        raw_json = b""
        if opts["console_json"]:
            # One byte more than the parser accepts is enough for it to say the file is too large.
            raw_json = _read_bytes(opts["console_json"], "credential JSON", limit=MAX_BYTES + 1)
        organization = self._organization(opts["org"])
        from_json = ConsoleCredential(client_id="", client_secrets=())
        if opts["console_json"]:
            try:
                from_json = console_credential_read(raw=raw_json, organization=organization)
            except ValidationError as exc:
                raise CommandError("Nothing was saved: " + " ".join(exc.messages)) from None
        data = CredentialInput(
            kind=opts["kind"],
            name=opts["name"],
            usage=opts["usage"],
            client_id=opts["client_id"] or from_json.client_id,
            client_secrets=[s for s in secrets if s.strip()] or list(from_json.client_secrets),
            scopes=_split(opts["scopes"]) or list(from_json.scopes),
            metascopes=_split(opts["metascopes"]),
            technical_account_id=opts["technical_account_id"] or from_json.technical_account_id,
            technical_account_email=opts["technical_account_email"]
            or from_json.technical_account_email,
            private_key_pem=private_key_pem,
            certificate_pem=certificate_pem,
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
        # The organization's first syncs start now, not at beat's next due check; a broker that
        # is down pauses them (and beat catches up).
        hooks.organization_ready_on_commit(organization.pk)
        if notice := paused_notice():
            self.stderr.write(notice)
        else:
            self.stdout.write(
                f"The first sync of {organization} with Adobe is queued: its Privacy jobs page "
                "shows the progress."
            )

    def _organization(self, ref: str) -> Organization:
        lookup = Q(ims_org_id=ref)
        with contextlib.suppress(ValueError):  # not a UUID: an IMS org id
            lookup |= Q(code=uuid.UUID(ref))
        organization = Organization.objects.filter(lookup).first()
        if organization is None:
            raise CommandError(f"No organization has the code or IMS org id {ref!r}.")
        return organization

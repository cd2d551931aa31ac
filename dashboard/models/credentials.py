"""Adobe Developer Console credentials, their client secrets and the IMS token each one holds.

Secret values are stored only as Fernet ciphertext (``dashboard.crypto``); pages show a hint.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from dashboard.models.organizations import Organization, TimeStampedModel
from dashboard.models.runs import BackgroundRun

# Adobe ended Service Account (JWT) credentials on 2025-06-30 and converts the rest by 2026-03-01.
JWT_END_OF_LIFE = "2025-06-30"


class Credential(TimeStampedModel, BackgroundRun):
    """A Developer Console credential; its token refresh is a background run on this row."""

    class Kind(models.TextChoices):
        OAUTH = "oauth", "OAuth Server-to-Server"
        JWT = "jwt", "Service Account (JWT), deprecated"

    class Usage(models.TextChoices):
        PRIVACY = "privacy", "Privacy Service"
        STATUS = "status", "Adobe Status"
        BOTH = "both", "Privacy Service and Adobe Status"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="credentials"
    )
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    usage = models.CharField(max_length=10, choices=Usage.choices, default=Usage.BOTH)
    client_id = models.CharField("client ID (API key)", max_length=100)
    technical_account_id = models.CharField(max_length=200, blank=True)
    technical_account_email = models.CharField(max_length=254, blank=True)
    # Comma-separated, as IMS takes them: OAuth scopes, or JWT metascopes.
    scopes = models.TextField(blank=True)
    metascopes = models.TextField(blank=True)
    # JWT only: the private key is a secret; the certificate is public.
    private_key_encrypted = models.TextField(blank=True)
    private_key_fingerprint = models.CharField(max_length=100, blank=True)
    certificate_pem = models.TextField(blank=True)
    certificate_expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # The IMS access token, shared by every worker.
    access_token_encrypted = models.TextField(blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    token_obtained_at = models.DateTimeField(null=True, blank=True)
    # IMS refused the credential (its last refresh failed for good): shown to admins, and probed
    # again on a backoff (next_attempt_at) until a refresh succeeds.
    needs_attention = models.BooleanField(default=False)

    class Meta:
        ordering = ["organization__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "client_id"], name="credential_client_unique_per_org"
            ),
        ]
        indexes = [
            models.Index(
                fields=["token_expires_at"],
                condition=Q(needs_attention=False),
                name="credential_refresh_due",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("dashboard:credential_detail", args=[self.code])

    @property
    def is_jwt(self) -> bool:
        return self.kind == self.Kind.JWT

    @property
    def scope_list(self) -> list[str]:
        return [s.strip() for s in self.scopes.split(",") if s.strip()]

    @property
    def metascope_list(self) -> list[str]:
        return [s.strip() for s in self.metascopes.split(",") if s.strip()]

    def token_remaining(self, now: datetime | None = None) -> timedelta | None:
        if not self.token_expires_at or not self.access_token_encrypted:
            return None
        return self.token_expires_at - (now or timezone.now())

    @property
    def health(self) -> tuple[str, str]:
        """(state, sentence) for pages: attention, failing, expired, missing or ok."""
        if self.needs_attention:
            return "attention", f"Needs attention: {self.last_error}"
        remaining = self.token_remaining()
        if self.consecutive_failures:
            failures = self.consecutive_failures
            times = ngettext("%(n)d time", "%(n)d times", failures) % {"n": failures}
            return "failing", f"Token refresh failed {times}: {self.last_error}"
        if remaining is None:
            return "missing", "No token yet: the next refresh gets one."
        if remaining <= timedelta(0):
            return "expired", "The token has expired."
        return "ok", "Token is valid."

    def certificate_expires_soon(self, now: datetime | None = None) -> bool:
        if not self.certificate_expires_at:
            return False
        return self.certificate_expires_at - (now or timezone.now()) < timedelta(days=30)


class ClientSecret(TimeStampedModel):
    """One of a credential's client secrets; the primary is tried first, then the others."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="secrets")
    secret_encrypted = models.TextField(blank=True)  # emptied when the secret is retired
    hint = models.CharField(max_length=10)
    is_primary = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Developer Console can give a secret an expiry; the admin copies it here to be warned.
    expires_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-is_primary", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["credential"],
                condition=Q(is_primary=True),
                name="client_secret_one_primary",
            ),
        ]

    def __str__(self) -> str:
        return f"secret {self.hint}"

    @property
    def is_active(self) -> bool:
        return self.retired_at is None

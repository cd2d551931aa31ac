"""Who did what to an organization's credentials, and when. Secret values are never recorded."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dashboard.models.organizations import Organization


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        CREDENTIAL_CREATED = "credential_created", "created the credential"
        CREDENTIAL_TESTED = "credential_tested", "tested the connection"
        CREDENTIAL_DELETED = "credential_deleted", "deleted the credential"
        SECRET_ADDED = "secret_added", "added a client secret"
        SECRET_PROMOTED = "secret_promoted", "made a client secret primary"
        SECRET_RETIRED = "secret_retired", "retired a client secret"
        TOKEN_REFRESHED = "token_refreshed", "refreshed the access token"
        TOKEN_REFRESH_FAILED = "token_refresh_failed", "failed to refresh the access token"
        ATTENTION_CLEARED = "attention_cleared", "resumed automatic refreshes"
        KEYS_ROTATED = "keys_rotated", "re-encrypted the secrets under the newest key"
        PRIVACY_REQUEST_SUBMITTED = "privacy_request", "submitted a privacy request"
        PRIVACY_CONSENT_SUBMITTED = "privacy_consent", "submitted an opt-out of sale"
        # Lookout (no person) looked for the jobs of a request whose answer was lost.
        PRIVACY_REQUEST_CHECKED = "privacy_request_checked", "checked a privacy request with Adobe"
        # Personal data leaving Lookout: which jobs (the filter) or which job, never whose data.
        PRIVACY_JOBS_EXPORTED = "privacy_export", "exported privacy jobs as CSV"
        PRIVACY_DATA_DOWNLOADED = "privacy_download", "downloaded a job's access data"
        # The team: who was invited (the address, never the token), who joined, who left.
        INVITATION_SENT = "invitation_sent", "invited someone to the team"
        INVITATION_ACCEPTED = "invitation_accepted", "accepted an invitation"
        INVITATION_REVOKED = "invitation_revoked", "revoked an invitation"
        MEMBER_ROLE_CHANGED = "member_role_changed", "changed a member's role"
        MEMBER_REMOVED = "member_removed", "removed a member from the team"
        WATCHED_PRODUCTS_CHANGED = "watched_products", "changed the watched Status products"
        # Where the team's notifications go: the webhook's host, never its URL (it is a secret).
        TEAM_WEBHOOK_ADDED = "team_webhook_added", "added a team webhook"
        TEAM_WEBHOOK_REMOVED = "team_webhook_removed", "removed a team webhook"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="audit_events"
    )
    # Kept when the credential is deleted: the log outlives what it describes.
    credential = models.ForeignKey(
        "dashboard.Credential",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    credential_name = models.CharField(max_length=100, blank=True)
    # Null means the system (a worker, beat or a management command run unattended).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=30, choices=Action.choices)
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="audit_by_org")]

    def __str__(self) -> str:
        return f"{self.actor_name} {self.get_action_display()}"

    @property
    def actor_name(self) -> str:
        return self.actor.get_username() if self.actor_id else "System"

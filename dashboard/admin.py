"""Staff manage users, organizations and memberships here; member pages never bypass access."""

from __future__ import annotations

from django.contrib import admin

from dashboard.models import AuditEvent, ClientSecret, Credential, Membership, Organization


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "ims_org_id", "code", "created_at"]
    search_fields = ["name", "ims_org_id", "code"]
    readonly_fields = ["code", "created_at", "updated_at"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__username", "user__email", "organization__name"]
    autocomplete_fields = ["user", "organization"]
    readonly_fields = ["code", "created_at", "updated_at"]


class ClientSecretInline(admin.TabularInline):
    model = ClientSecret
    extra = 0
    can_delete = False
    # The ciphertext stays out of the admin: staff see what members see, a hint.
    fields = ["hint", "is_primary", "created_at", "last_used_at", "retired_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # secrets are added through the credential page's service


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "kind", "usage", "token_expires_at", "needs_attention"]
    list_filter = ["kind", "needs_attention", "organization"]
    search_fields = ["name", "client_id", "organization__name"]
    exclude = ["private_key_encrypted", "access_token_encrypted"]
    readonly_fields = [
        "code",
        "organization",
        "kind",
        "client_id",
        "private_key_fingerprint",
        "certificate_expires_at",
        "token_expires_at",
        "token_obtained_at",
        "refresh_lease_until",
        "last_attempt_at",
        "last_success_at",
        "last_error",
        "last_error_at",
        "consecutive_failures",
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [ClientSecretInline]

    def has_add_permission(self, request) -> bool:
        return False  # onboarding validates keys and encrypts: use the organization's page


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "organization", "credential_name", "actor", "action"]
    list_filter = ["action", "organization"]
    search_fields = ["credential_name", "detail"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # an audit log is append-only

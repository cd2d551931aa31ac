"""Staff manage users, organizations and memberships here; member pages never bypass access.

The admin writes through the same services as the pages (style B.4), so their rules hold whoever
writes: an organization keeps at least one admin, a credential is onboarded and deleted with its
audit trail. A service that refuses (a ``ValidationError``) becomes an error message on the page,
and the whole save — object, inlines, log entry — is rolled back.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy

from dashboard.models import AuditEvent, ClientSecret, Credential, Membership, Organization
from dashboard.services.credentials import credential_delete
from dashboard.services.organizations import (
    membership_add,
    membership_remove,
    membership_set_role,
    organization_create,
    organization_update,
)


def _adopt(obj: models.Model, saved: models.Model) -> None:
    """Make the instance the admin's form built into the row a service saved: the admin keeps
    using its own instance afterwards (inlines attach to it, the redirect and the log name it)."""
    for field in saved._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by background runs or synced from Adobe: staff read them, an edit here would
    be overwritten by the next run or bypass a service. The apps' admins use it too."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ServiceAdmin(admin.ModelAdmin):
    """A ModelAdmin whose writes go through services: their refusals become error messages.

    ``changeform_view`` and ``delete_view`` already run in a transaction; the refusal propagates
    out of it (so nothing is saved) and is turned into a message here. The bulk delete action is
    wrapped the same way, so deleting ten rows of which one is refused deletes none.
    """

    actions = ["delete_selected"]

    def _refused(self, request: HttpRequest, exc: ValidationError) -> None:
        self.message_user(request, " ".join(exc.messages), messages.ERROR)

    def changeform_view(
        self, request, object_id=None, form_url="", extra_context=None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            self._refused(request, exc)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as exc:
            self._refused(request, exc)
            opts = self.opts
            return HttpResponseRedirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id])
            )

    @admin.action(
        permissions=["delete"], description=gettext_lazy("Delete selected %(verbose_name_plural)s")
    )
    def delete_selected(self, request, queryset):
        try:
            with transaction.atomic():
                # Django's own action (confirmation page, log entries), which ends in
                # delete_queryset, i.e. in the services.
                return django_delete_selected(self, request, queryset)
        except ValidationError as exc:
            self._refused(request, exc)
            return None


class MembershipInlineForm(forms.ModelForm):
    """A seat belongs to one person: to give it to someone else, add them and remove the row."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["user"].disabled = True


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipInlineForm
    extra = 1
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Organization)
class OrganizationAdmin(ServiceAdmin):
    list_display = ["name", "ims_org_id", "code", "created_at"]
    search_fields = ["name", "ims_org_id", "code"]
    readonly_fields = ["code", "created_at", "updated_at"]
    inlines = [MembershipInline]

    def save_model(self, request, obj: Organization, form, change: bool) -> None:
        if change:
            organization_update(organization=obj, name=obj.name, ims_org_id=obj.ims_org_id)
        else:
            _adopt(obj, organization_create(name=obj.name, ims_org_id=obj.ims_org_id))

    def save_formset(self, request, form, formset, change: bool) -> None:
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        organization = form.instance
        formset.save(commit=False)  # fills new_objects, changed_objects, deleted_objects
        # Whoever becomes an admin does so before anyone stops being one, so a submit that hands
        # the organization over (promote bob, demote alice) passes the last-admin rule.
        for membership in formset.new_objects:
            saved = membership_add(
                organization=organization, user=membership.user, role=membership.role
            )
            _adopt(membership, saved)
        changed = sorted(
            (membership for membership, _fields in formset.changed_objects),
            key=lambda membership: membership.role != Membership.Role.ADMIN,
        )
        for membership in changed:
            # The service compares with the stored role, not with the form's edited copy.
            membership_set_role(
                membership=Membership.objects.get(pk=membership.pk), role=membership.role
            )
        for membership in formset.deleted_objects:
            membership_remove(membership=Membership.objects.get(pk=membership.pk))


@admin.register(Membership)
class MembershipAdmin(ServiceAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__username", "user__email", "organization__name"]
    autocomplete_fields = ["user", "organization"]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        fields = ["code", "created_at", "updated_at"]
        # Only the role changes; moving a seat is a removal and an addition.
        return [*fields, "user", "organization"] if obj else fields

    def save_model(self, request, obj: Membership, form, change: bool) -> None:
        if change:
            membership_set_role(membership=Membership.objects.get(pk=obj.pk), role=obj.role)
        else:
            _adopt(obj, membership_add(organization=obj.organization, user=obj.user, role=obj.role))

    def delete_model(self, request, obj: Membership) -> None:
        membership_remove(membership=obj)

    def delete_queryset(self, request, queryset) -> None:
        for membership in queryset.select_related("organization", "user"):
            membership_remove(membership=membership)


class ClientSecretInline(admin.TabularInline):
    model = ClientSecret
    extra = 0
    can_delete = False
    # The ciphertext stays out of the admin: staff see what members see, a hint.
    fields = ["hint", "is_primary", "created_at", "last_used_at", "retired_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # secrets are added through the credential page's service

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # rotated through the credential page's services


@admin.register(Credential)
class CredentialAdmin(ServiceAdmin):
    """View and delete only: onboarding validates keys and encrypts, rotation keeps a working
    secret, and every change is audited — all of which happens on the organization's pages."""

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
        "lease_until",
        "lease_owner",
        "next_attempt_at",
        "needs_attention",
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

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # scopes, certificate and usage are checked by the services, not here

    def delete_model(self, request, obj: Credential) -> None:
        credential_delete(credential=obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for credential in queryset.select_related("organization"):
            credential_delete(credential=credential, actor=request.user)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """An audit log is append-only."""

    list_display = ["created_at", "organization", "credential_name", "actor", "action"]
    list_filter = ["action", "organization"]
    search_fields = ["credential_name", "detail"]

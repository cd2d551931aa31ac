"""Admin: regulations are data staff edit; jobs and sync states are Adobe's, so read-only."""

from __future__ import annotations

from django.contrib import admin

from dashboard.admin import ReadOnlyAdmin
from privacy.models import PrivacyJob, PrivacySyncState, ProductResponse, Regulation


@admin.register(Regulation)
class RegulationAdmin(admin.ModelAdmin):
    """The one list of regulations Lookout uses. A code added here is sent to Adobe as it is
    (Adobe judges it); a legacy code is sent as its row's code. Regulation.clean() keeps every
    code lower-case and naming one regulation."""

    list_display = ["code", "name", "legacy_codes", "days_to_respond"]
    search_fields = ["code", "name", "legacy_codes"]


class ProductResponseInline(admin.TabularInline):
    model = ProductResponse
    extra = 0
    can_delete = False
    fields = ["product", "status", "response_code", "message", "processed_at", "retry_count"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PrivacyJob)
class PrivacyJobAdmin(ReadOnlyAdmin):
    list_display = [
        "job_id",
        "organization",
        "regulation",
        "action",
        "status",
        "adobe_created_at",
        "gone_at",
    ]
    list_filter = ["status", "action", "regulation"]
    search_fields = ["job_id", "request_id"]
    list_select_related = ["organization"]
    # The list would count a large table on every page; the admin's own estimate is enough.
    show_full_result_count = False
    # Personal data (user_key, submitted_by, user_ids, raw_detail) stays on the member pages.
    exclude = ["user_key", "submitted_by", "user_ids", "raw_detail"]
    inlines = [ProductResponseInline]


@admin.register(PrivacySyncState)
class PrivacySyncStateAdmin(ReadOnlyAdmin):
    list_display = [
        "organization",
        "last_attempt_at",
        "last_success_at",
        "last_error",
        "consecutive_failures",
        "jobs_seen",
    ]
    list_select_related = ["organization"]

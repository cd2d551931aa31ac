"""Read-mostly admin for staff: Adobe's data is written by the polls, not by hand."""

from __future__ import annotations

from django.contrib import admin

from status.models import (
    Cloud,
    Incident,
    IncidentUpdate,
    Maintenance,
    Product,
    Region,
    StatusSyncState,
    WatchedProduct,
)


class IncidentUpdateInline(admin.TabularInline):
    model = IncidentUpdate
    extra = 0
    fields = ["message_time", "status", "severity", "title", "product"]
    readonly_fields = fields
    can_delete = False


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["adobe_id", "title", "state", "severity", "started_at", "closed_at"]
    list_filter = ["state", "severity"]
    search_fields = ["adobe_id", "title"]
    inlines = [IncidentUpdateInline]
    readonly_fields = ["code"]


@admin.register(Maintenance)
class MaintenanceAdmin(admin.ModelAdmin):
    list_display = ["adobe_id", "title", "phase", "scheduled_at"]
    list_filter = ["phase"]
    search_fields = ["adobe_id", "title"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "adobe_id", "cloud", "gone_at"]
    search_fields = ["name", "adobe_id"]


admin.site.register(Cloud)
admin.site.register(Region)


@admin.register(WatchedProduct)
class WatchedProductAdmin(admin.ModelAdmin):
    list_display = ["organization", "product"]
    list_filter = ["organization"]


@admin.register(StatusSyncState)
class StatusSyncStateAdmin(admin.ModelAdmin):
    list_display = ["kind", "last_attempt_at", "last_success_at", "last_error", "lease_until"]

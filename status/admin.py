"""Read-only admin for staff: Adobe's data is written by the polls, not by hand.

Every row here is Adobe's (the registry, incidents, maintenances), a poll's record
(dashboard.runs writes the sync state) or chosen by members on the Status page through
``watched_products_set``: an edit here would be overwritten by the next poll or bypass the service.
"""

from __future__ import annotations

from django.contrib import admin

from dashboard.admin import ReadOnlyAdmin
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
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ["adobe_id", "title", "state", "severity", "started_at", "closed_at"]
    list_filter = ["state", "severity"]
    search_fields = ["adobe_id", "title"]
    inlines = [IncidentUpdateInline]
    readonly_fields = ["code"]


@admin.register(Maintenance)
class MaintenanceAdmin(ReadOnlyAdmin):
    list_display = ["adobe_id", "title", "phase", "scheduled_at"]
    list_filter = ["phase"]
    search_fields = ["adobe_id", "title"]


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ["name", "adobe_id", "cloud", "gone_at"]
    search_fields = ["name", "adobe_id"]


admin.site.register(Cloud, ReadOnlyAdmin)
admin.site.register(Region, ReadOnlyAdmin)


@admin.register(WatchedProduct)
class WatchedProductAdmin(ReadOnlyAdmin):
    list_display = ["organization", "product"]
    list_filter = ["organization"]


@admin.register(StatusSyncState)
class StatusSyncStateAdmin(ReadOnlyAdmin):
    list_display = ["kind", "last_attempt_at", "last_success_at", "last_error", "lease_until"]

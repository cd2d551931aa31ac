"""Adobe Status: the registry (Adobe-wide), incidents and maintenances (Adobe-wide), the products
each organization watches, and the state of the installation-wide polls."""

from __future__ import annotations

from status.models.events import (
    SEVERITY_RANK,
    Incident,
    IncidentUpdate,
    Maintenance,
    MaintenanceUpdate,
)
from status.models.registry import (
    Cloud,
    Environment,
    Offering,
    Product,
    Region,
    Service,
    StatusMessage,
    WatchedProduct,
)
from status.models.sync import StatusSyncState

__all__ = [
    "SEVERITY_RANK",
    "Cloud",
    "Environment",
    "Incident",
    "IncidentUpdate",
    "Maintenance",
    "MaintenanceUpdate",
    "Offering",
    "Product",
    "Region",
    "Service",
    "StatusMessage",
    "StatusSyncState",
    "WatchedProduct",
]

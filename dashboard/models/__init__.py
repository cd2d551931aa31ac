from __future__ import annotations

from dashboard.models.audit import AuditEvent
from dashboard.models.background import TaskQueueState
from dashboard.models.credentials import ClientSecret, Credential
from dashboard.models.organizations import Membership, Organization, TimeStampedModel

__all__ = [
    "AuditEvent",
    "ClientSecret",
    "Credential",
    "Membership",
    "Organization",
    "TaskQueueState",
    "TimeStampedModel",
]

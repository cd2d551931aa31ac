from __future__ import annotations

from dashboard.models.audit import AuditEvent
from dashboard.models.background import TaskQueueState
from dashboard.models.credentials import ClientSecret, Credential
from dashboard.models.invitations import Invitation
from dashboard.models.operations import PeriodicTaskRun, ProcessHeartbeat
from dashboard.models.organizations import Membership, Organization, TimeStampedModel

__all__ = [
    "AuditEvent",
    "ClientSecret",
    "Credential",
    "Invitation",
    "Membership",
    "Organization",
    "PeriodicTaskRun",
    "ProcessHeartbeat",
    "TaskQueueState",
    "TimeStampedModel",
]

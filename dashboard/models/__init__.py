from __future__ import annotations

from dashboard.models.audit import AuditEvent
from dashboard.models.background import TaskQueueState
from dashboard.models.credentials import ClientSecret, Credential
from dashboard.models.invitations import Invitation
from dashboard.models.notifications import (
    NotificationDelivery,
    NotificationEvent,
    NotificationSetting,
    NotificationTopic,
    TeamWebhook,
)
from dashboard.models.operations import AdobeRequestHour, PeriodicTaskRun, ProcessHeartbeat
from dashboard.models.organizations import Membership, Organization, TimeStampedModel

__all__ = [
    "AdobeRequestHour",
    "AuditEvent",
    "ClientSecret",
    "Credential",
    "Invitation",
    "Membership",
    "NotificationDelivery",
    "NotificationEvent",
    "NotificationSetting",
    "NotificationTopic",
    "Organization",
    "PeriodicTaskRun",
    "ProcessHeartbeat",
    "TaskQueueState",
    "TeamWebhook",
    "TimeStampedModel",
]

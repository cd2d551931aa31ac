"""Reads for staff: Adobe request accounting (the operations page) and ``/metrics``.

Kept apart from :mod:`dashboard.selectors`, whose operations section reads heartbeats and runs.
Every read here takes a constant number of queries, whatever the number of organizations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Sum
from django.utils import timezone

from dashboard.models import AdobeRequestHour, Credential


@dataclass(frozen=True)
class AdobeRequestRow:
    hour: datetime
    service: str  # "IMS", "Privacy Service", "Adobe Status"
    requests: int
    throttled: int
    errors: int


def adobe_request_hours(*, now: datetime | None = None, hours: int = 24) -> list[AdobeRequestRow]:
    """Each hour of the last ``hours`` (this one included) and service that saw a call to Adobe:
    its requests, 429s and errors, the newest hour first. Hours without a call have no row."""
    now = now or timezone.now()
    since = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours - 1)
    names = dict(AdobeRequestHour.Service.choices)
    return [
        AdobeRequestRow(
            hour=row.hour,
            service=names.get(row.service, row.service),
            requests=row.requests,
            throttled=row.throttled,
            errors=row.errors,
        )
        for row in AdobeRequestHour.objects.filter(hour__gte=since).order_by("-hour", "service")
    ]


def adobe_request_totals() -> dict[str, dict[str, int]]:
    """Every call Lookout counted, per service: ``{"ims": {"requests": n, "throttled": n,
    "errors": n}, ...}``. Every service is present, with zeros before its first call."""
    totals = {
        service: {"requests": 0, "throttled": 0, "errors": 0}
        for service in AdobeRequestHour.Service.values
    }
    rows = AdobeRequestHour.objects.values("service").annotate(
        requests_sum=Sum("requests"), throttled_sum=Sum("throttled"), errors_sum=Sum("errors")
    )
    for row in rows.order_by("service"):
        totals.setdefault(row["service"], {}).update(
            requests=row["requests_sum"] or 0,
            throttled=row["throttled_sum"] or 0,
            errors=row["errors_sum"] or 0,
        )
    return totals


@dataclass(frozen=True)
class CredentialHealth:
    organization_code: str
    credential_code: str
    token_seconds_left: float | None  # None: no token yet
    failures_in_a_row: int
    needs_attention: bool


def credential_health_list(*, now: datetime | None = None) -> list[CredentialHealth]:
    """Every credential's token lifetime and refresh failures, named by codes only (never by its
    name, client id or secrets), for ``/metrics``."""
    now = now or timezone.now()
    rows = Credential.objects.order_by("organization__code", "code").values_list(
        "organization__code", "code", "token_expires_at", "consecutive_failures", "needs_attention"
    )
    return [
        CredentialHealth(
            organization_code=str(org_code),
            credential_code=str(code),
            token_seconds_left=(expires - now).total_seconds() if expires else None,
            failures_in_a_row=failures,
            needs_attention=attention,
        )
        for org_code, code, expires, failures, attention in rows
    ]


@dataclass(frozen=True)
class RunLag:
    run: str  # "privacy" (per organization), "status_events", "status_registry"
    organization_code: str  # "" for an installation-wide run
    lag_seconds: float | None  # None: never succeeded
    failures_in_a_row: int


def run_lag_list(*, now: datetime | None = None) -> list[RunLag]:
    """Every background run's row but token refreshes (every app's, found through the shared
    ``BackgroundRun`` base, so the core imports no app, as in ``selectors.sync_lag_list``): now
    minus its last success. One query per kind of run."""
    from django.apps import apps

    from dashboard.models.runs import BackgroundRun

    now = now or timezone.now()
    found = []
    for model in apps.get_models():
        if not issubclass(model, BackgroundRun) or model is Credential:
            continue
        fields = {field.name for field in model._meta.get_fields()}
        has_org = "organization" in fields
        queryset = model.objects.select_related("organization") if has_org else model.objects
        for row in queryset.order_by("pk"):
            run = model._meta.app_label
            if not has_org and "kind" in fields:
                run = f"{run}_{row.kind}"
            success = row.last_success_at
            found.append(
                RunLag(
                    run=run,
                    organization_code=str(row.organization.code) if has_org else "",
                    lag_seconds=(now - success).total_seconds() if success else None,
                    failures_in_a_row=row.consecutive_failures,
                )
            )
    return found

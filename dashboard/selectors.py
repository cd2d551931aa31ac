"""Reads for organizations and teams, and the home page's attention list."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from dashboard import crypto
from dashboard.hooks import AttentionEntry, attention_entries
from dashboard.models import AuditEvent, ClientSecret, Credential, Membership, Organization

# A certificate this close to its end is shown on the attention list (the credential page's badge).
CERTIFICATE_WARNING = timedelta(days=30)


def membership_list_for_user(*, user: AbstractBaseUser) -> QuerySet[Membership]:
    """The signed-in user's memberships, with their organizations, ordered by organization name."""
    return (
        Membership.objects.filter(user_id=user.pk)
        .select_related("organization")
        .order_by("organization__name")
    )


def membership_list_for_organization(*, organization_id: int) -> QuerySet[Membership]:
    """An organization's team, admins first."""
    return (
        Membership.objects.filter(organization_id=organization_id)
        .select_related("user")
        .order_by("role", "user__username")
    )


def credential_list_for_organization(*, organization_id: int) -> QuerySet[Credential]:
    return (
        Credential.objects.filter(organization_id=organization_id)
        .annotate(active_secret_count=Count("secrets", filter=Q(secrets__retired_at__isnull=True)))
        .order_by("name")
    )


def credential_secret_list(*, credential: Credential) -> QuerySet[ClientSecret]:
    return credential.secrets.select_related("created_by").order_by(
        "retired_at", "-is_primary", "created_at"
    )


def credential_list_unreadable() -> list[Credential]:
    """Credentials holding ciphertext that no configured key decrypts."""
    unreadable = []
    for credential in Credential.objects.select_related("organization").prefetch_related("secrets"):
        ciphertexts = [credential.private_key_encrypted, credential.access_token_encrypted]
        ciphertexts += [s.secret_encrypted for s in credential.secrets.all()]
        try:
            for ciphertext in filter(None, ciphertexts):
                crypto.decrypt(ciphertext)
        except crypto.SecretUnreadable:
            unreadable.append(credential)
    return unreadable


def audit_event_list(*, organization_id: int, credential_id: int | None = None):
    events = AuditEvent.objects.filter(organization_id=organization_id).select_related(
        "actor", "credential"
    )
    if credential_id is not None:
        events = events.filter(credential_id=credential_id)
    return events


def credential_attention(
    *, organizations: Sequence[Organization], now: datetime | None = None
) -> list[AttentionEntry]:
    """Credentials needing attention across ``organizations``, one entry each (its worst
    problem), in one query: refused by IMS, a token expired or not refreshed in time, refreshes
    failing, a JWT certificate ending within 30 days; and client secrets whose end date (when
    an admin gave one) is within 30 days."""
    now = now or timezone.now()
    by_id = {o.pk: o for o in organizations}
    # A token is refreshed once less than the margin is left: half of it left means refresh is late.
    late_refresh = now + timedelta(seconds=settings.LOOKOUT_TOKEN_REFRESH_MARGIN) / 2
    credentials = (
        Credential.objects.filter(organization_id__in=by_id)
        .filter(
            Q(needs_attention=True)
            | Q(consecutive_failures__gt=0)
            | Q(certificate_expires_at__lt=now + CERTIFICATE_WARNING)
            | (Q(token_expires_at__lt=late_refresh) & ~Q(access_token_encrypted=""))
        )
        .only(
            "code",
            "organization_id",
            "name",
            "needs_attention",
            "consecutive_failures",
            "last_error",
            "last_error_at",
            "certificate_expires_at",
            "token_expires_at",
        )
        .order_by("name")
    )
    entries = []
    for credential in credentials:
        problem = _credential_problem(credential, now=now, late_refresh=late_refresh)
        if problem is None:
            continue
        severity, kind, title, detail, since = problem
        entries.append(
            AttentionEntry(
                severity=severity,
                kind=kind,
                organization=by_id[credential.organization_id],
                title=f"Credential “{credential.name}”: {title}",
                detail=detail,
                url=credential.get_absolute_url(),
                since=since,
            )
        )
    return entries + _secret_expiry_attention(by_id, now=now)


def _secret_expiry_attention(by_id: dict[int, Organization], *, now: datetime) -> list:
    """Active client secrets whose end date (given by an admin) is within 30 days: one query."""
    secrets = ClientSecret.objects.filter(
        credential__organization_id__in=by_id,
        retired_at__isnull=True,
        expires_at__lt=now + CERTIFICATE_WARNING,
    ).select_related("credential")
    return [
        AttentionEntry(
            severity=AttentionEntry.WARNING,
            kind="credential-secret",
            organization=by_id[secret.credential.organization_id],
            title=f"Credential “{secret.credential.name}”: client secret {secret.hint} "
            f"{'expired' if secret.expires_at <= now else 'expires'} {secret.expires_at:%Y-%m-%d}",
            detail="Add a new secret from Developer Console, then retire this one.",
            url=secret.credential.get_absolute_url(),
            since=secret.expires_at,
        )
        for secret in secrets
    ]


def _credential_problem(credential: Credential, *, now: datetime, late_refresh: datetime):
    """(severity, kind, title, detail, since) of the credential's worst problem, or None."""
    critical, warning = AttentionEntry.CRITICAL, AttentionEntry.WARNING
    cert = credential.certificate_expires_at
    token = credential.token_expires_at
    if credential.needs_attention:
        return (
            critical,
            "credential-attention",
            "needs attention",
            credential.last_error,
            (credential.last_error_at),
        )
    if cert is not None and cert <= now:
        return critical, "credential-certificate", "certificate expired", "", cert
    if token is not None and token <= now:
        return critical, "credential-token", "token expired", credential.last_error, token
    if credential.consecutive_failures:
        n = credential.consecutive_failures
        title = f"token refresh failed {n} time{'s' if n != 1 else ''} in a row"
        return warning, "credential-failing", title, credential.last_error, credential.last_error_at
    if cert is not None and cert < now + CERTIFICATE_WARNING:
        return warning, "credential-certificate", f"certificate expires {cert:%Y-%m-%d}", "", cert
    if token is not None and token < late_refresh:
        title = f"token expires at {token:%H:%M} UTC and was not refreshed yet"
        return warning, "credential-token", title, "", token
    return None


def home_attention(*, organizations: Sequence[Organization]) -> list[AttentionEntry]:
    """The home page's attention entries across ``organizations``: the credentials (core) and
    every app's entries (``dashboard.hooks``), in a constant number of queries; ``attention_list``
    orders them with the reader's own entries."""
    return credential_attention(organizations=organizations) + attention_entries(organizations)


# The home page shows this many entries, worst first, then says how many more there are and of
# which levels: an agency with fifty organizations is not handed 350 lines.
ATTENTION_SHOWN = 20


@dataclass(frozen=True)
class AttentionList:
    """The home page's attention list as shown: ``shown`` worst first, and what is left out."""

    shown: list[AttentionEntry]
    hidden: list[AttentionEntry]
    show_all: bool

    @property
    def total(self) -> int:
        return len(self.shown) + len(self.hidden)

    @property
    def hidden_by_level(self) -> list[tuple[str, int]]:
        """("warning", 12), ("notice", 300): what the hidden entries are, worst first."""
        return list(Counter(entry.level for entry in self.hidden).items())

    @property
    def can_shorten(self) -> bool:
        return self.show_all and self.total > ATTENTION_SHOWN


def attention_list(entries: Sequence[AttentionEntry], *, show_all: bool) -> AttentionList:
    """``entries`` worst first; all of them when ``show_all``, else the worst ATTENTION_SHOWN."""
    ordered = sorted(entries, key=AttentionEntry.sort_key)
    limit = len(ordered) if show_all else ATTENTION_SHOWN
    return AttentionList(shown=ordered[:limit], hidden=ordered[limit:], show_all=show_all)


# --- Operations (staff): heartbeats, periodic-task runs, queue depth, sync lag ---------------


@dataclass(frozen=True)
class ProcessHealth:
    """One kind of background process (worker or beat) as /healthz reports it."""

    role: str
    state: str  # "ok", "stale", "missing" (never seen, expected) or "" (never seen, not reported)
    last_seen_at: datetime | None


def process_health(*, now: datetime | None = None) -> list[ProcessHealth]:
    """Worker and beat: alive when any host of that kind beat within the stale window (a
    stopped host of several does not fail the probe; the operations page lists each)."""
    from dashboard.models import ProcessHeartbeat

    now = now or timezone.now()
    stale_before = now - timedelta(seconds=settings.LOOKOUT_HEARTBEAT_STALE_AFTER)
    latest = dict(
        ProcessHeartbeat.objects.values("role")
        .annotate(seen=Max("seen_at"))
        .values_list("role", "seen")
    )
    result = []
    for role in (ProcessHeartbeat.Role.WORKER, ProcessHeartbeat.Role.BEAT):
        seen = latest.get(role)
        if seen is None:
            state = "missing" if settings.LOOKOUT_HEALTHZ_EXPECT_PROCESSES else ""
        else:
            state = "ok" if seen >= stale_before else "stale"
        result.append(ProcessHealth(role=str(role), state=state, last_seen_at=seen))
    return result


@dataclass(frozen=True)
class PeriodicTaskRow:
    entry: str
    task_name: str
    interval: timedelta | None
    run: object | None  # a PeriodicTaskRun, or None before its first run
    next_run_at: datetime | None
    overdue: bool


def periodic_task_rows(*, now: datetime | None = None) -> list[PeriodicTaskRow]:
    """Every entry of the beat schedule with its last run and, for interval schedules, when the
    next one is due (the last start plus the interval); overdue past two intervals."""
    from dashboard.models import PeriodicTaskRun

    now = now or timezone.now()
    runs = {run.task_name: run for run in PeriodicTaskRun.objects.all()}
    rows = []
    for entry, spec in sorted(settings.CELERY_BEAT_SCHEDULE.items()):
        schedule = spec.get("schedule")
        interval = (
            timedelta(seconds=float(schedule))
            if isinstance(schedule, int | float)
            else schedule
            if isinstance(schedule, timedelta)
            else None
        )
        run = runs.get(spec["task"])
        next_run_at = run.started_at + interval if run and interval else None
        overdue = bool(run and interval and now > run.started_at + 2 * interval)
        if hasattr(schedule, "remaining_estimate"):  # a crontab: the daily digest
            next_run_at = now + schedule.remaining_estimate(run.started_at if run else now)
            overdue = bool(run and now > run.started_at + timedelta(days=2))
        rows.append(PeriodicTaskRow(entry, spec["task"], interval, run, next_run_at, overdue))
    return rows


def heartbeat_list(*, now: datetime | None = None) -> list[dict]:
    from dashboard.models import ProcessHeartbeat

    now = now or timezone.now()
    stale_before = now - timedelta(seconds=settings.LOOKOUT_HEARTBEAT_STALE_AFTER)
    return [
        {"heartbeat": beat, "age": now - beat.seen_at, "stale": beat.seen_at < stale_before}
        for beat in ProcessHeartbeat.objects.all()
    ]


def queue_depth(*, timeout: float = 0.5) -> int | None:
    """Messages waiting in the default queue (Redis ``LLEN``); None when unknown (another
    transport, or the broker does not answer within ``timeout``)."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    import redis

    from dashboard.celery import app

    try:
        client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        try:
            return int(client.llen(app.conf.task_default_queue))
        finally:
            client.close()
    except Exception:  # any failure of the broker is "unknown", never a 500
        return None


@dataclass(frozen=True)
class SyncLag:
    kind: str
    subject: str
    last_success_at: datetime | None
    lag: timedelta | None
    last_error: str
    next_attempt_at: datetime | None


def sync_lag_list(*, now: datetime | None = None) -> list[SyncLag]:
    """Every background run's row but token refreshes (every app's, found through the shared
    ``BackgroundRun`` base, so the core imports no app): now minus its last success, worst first."""
    from django.apps import apps

    from dashboard.models.runs import BackgroundRun

    now = now or timezone.now()
    rows = []
    for model in apps.get_models():
        if not issubclass(model, BackgroundRun) or model is Credential:
            continue
        has_org = any(field.name == "organization" for field in model._meta.get_fields())
        queryset = model.objects.select_related("organization") if has_org else model.objects
        for row in queryset.all():
            success = row.last_success_at
            rows.append(
                SyncLag(
                    kind=str(model._meta.verbose_name),
                    subject=row.organization.name if has_org else str(row),
                    last_success_at=success,
                    lag=now - success if success else None,
                    last_error=row.last_error,
                    next_attempt_at=row.next_attempt_at,
                )
            )
    never = timedelta.max
    return sorted(rows, key=lambda r: (-(r.lag or never).total_seconds(), r.kind, r.subject))


def audit_actor_list(*, organization_id: int) -> QuerySet:
    """The people who appear in an organization's audit log (its filter's choices)."""
    actors = AuditEvent.objects.filter(organization_id=organization_id, actor__isnull=False)
    return get_user_model().objects.filter(pk__in=actors.values("actor_id")).order_by("username")

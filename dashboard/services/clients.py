"""The one place Lookout builds Adobe clients and chooses the credential they use.

Every Adobe call of the installation — token refreshes, privacy syncs, submissions, downloads,
Status polls — goes through one pooled ``requests.Session`` that announces Lookout in its
User-Agent, with the base URLs and timeout from settings, and the one read-retry policy below.

Every client also counts each HTTP attempt it makes, per service and hour, in
``AdobeRequestHour`` (:func:`adobe_request_record`): the operations page and ``/metrics`` show
them. Counting never breaks a call to Adobe. A client used from threads other than the one that
owns it (a sync's detail pool) counts in a :class:`RequestTally` instead, which its owner writes:
Django's database connections are per thread.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections import Counter
from collections.abc import Callable

import requests
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from adobe import IMSClient, PrivacyClient, RetryPolicy, StatusClient
from adobe.http import USER_AGENT as ADOBE_CLIENT_AGENT
from adobe.http import TokenProvider, new_session
from adobe.ratelimit import RateGate
from dashboard.describe import LookoutError
from dashboard.models import AdobeRequestHour, Credential, Organization

logger = logging.getLogger(__name__)

USER_AGENT = f"Lookout/1.0 {ADOBE_CLIENT_AGENT}"
# Reads retry a passing failure a few times within one run; a longer Retry-After is not slept
# through but handed to the run, which records it as its next attempt (dashboard.runs).
READ_RETRY = RetryPolicy(max_retries=3, backoff_base=0.5, backoff_cap=8.0, max_retry_after=10.0)

OnResponse = Callable[[requests.Response], None]


class NoCredential(LookoutError):
    """No credential can call this Adobe service (for this organization)."""


@functools.cache
def adobe_session() -> requests.Session:
    """The installation's connection pool to Adobe, shared by every client of this process."""
    session = new_session()
    session.headers["User-Agent"] = USER_AGENT
    return session


def credential_for(*, usage: str, organization_id: int | None = None) -> Credential:
    """The credential to call ``usage`` (``privacy`` or ``status``) with.

    For an organization, one of its own; for the installation-wide Status polls (Status data is
    Adobe-wide), any organization's. Healthy credentials come first, then the one holding the
    longest-valid token; a credential flagged by IMS is still chosen when it is the only one, so
    that it keeps being probed and recovers by itself.
    """
    credentials = Credential.objects.filter(
        usage__in=[usage, Credential.Usage.BOTH]
    ).select_related("organization")
    if organization_id is not None:
        credentials = credentials.filter(organization_id=organization_id)
    credential = credentials.order_by(
        "needs_attention", F("token_expires_at").desc(nulls_last=True), "pk"
    ).first()
    if credential is None:
        service = "Privacy Service" if usage == Credential.Usage.PRIVACY else "Adobe Status"
        where = "this organization has" if organization_id is not None else "Lookout has"
        raise NoCredential(
            f"No credential for {service}: {where} none with that usage. An organization admin "
            "adds one under Credentials & tokens."
        )
    return credential


# Both PostgreSQL and SQLite (3.24+) add to the hour's row in one statement. The table is
# AdobeRequestHour's (a test checks the name).
_COUNT_SQL = """
    INSERT INTO "dashboard_adoberequesthour" ("service", "hour", "requests", "throttled", "errors")
    VALUES (%s, %s, %s, %s, %s)
    ON CONFLICT ("service", "hour") DO UPDATE SET
        "requests" = "dashboard_adoberequesthour"."requests" + excluded."requests",
        "throttled" = "dashboard_adoberequesthour"."throttled" + excluded."throttled",
        "errors" = "dashboard_adoberequesthour"."errors" + excluded."errors"
"""


def adobe_request_record(*, service: str, status: int | None, count: int = 1) -> None:
    """Count ``count`` HTTP attempts to ``service`` (``AdobeRequestHour.Service``) in the current
    hour: ``status`` is the answer's HTTP status, None when none came (a timeout, a refused or
    broken connection). A 429 counts as throttled; a 5xx or no answer as an error.

    One ``INSERT … ON CONFLICT DO UPDATE`` that adds to the hour's row (PostgreSQL and SQLite
    alike; Django's ``bulk_create(update_conflicts=True)`` can only overwrite, not add). Inside a
    caller's transaction it runs in a savepoint, so a failed write cannot spoil the caller's
    work. It never raises: a failed count logs one line and the Adobe call goes on.
    """
    throttled = count if status == 429 else 0
    error = count if status is None or status >= 500 else 0
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    # str(): a TextChoices member must reach the driver as its value, not as an enum.
    params = [str(service), connection.ops.adapt_datetimefield_value(hour), count, throttled, error]
    try:
        if connection.in_atomic_block:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(_COUNT_SQL, params)
        else:
            with connection.cursor() as cursor:
                cursor.execute(_COUNT_SQL, params)
    except Exception as exc:  # the count is worth less than the call it counts
        logger.warning("Could not count a request to Adobe (%s): %s", service, type(exc).__name__)


class RequestTally:
    """Attempts to one service counted in memory, for a client whose requests are sent from
    threads that must not touch the database; the thread that owns the tally writes the counts
    with :meth:`flush` (one statement per status). Thread-safe."""

    def __init__(self, service: str) -> None:
        self.service = service
        self._lock = threading.Lock()
        self._statuses: Counter[int | None] = Counter()

    def add(self, status: int | None) -> None:
        with self._lock:
            self._statuses[status] += 1

    def flush(self) -> int:
        """Write what was counted since the last flush; return how many attempts that was."""
        with self._lock:
            statuses, self._statuses = self._statuses, Counter()
        for status, count in statuses.items():
            adobe_request_record(service=self.service, status=status, count=count)
        return sum(statuses.values())


def _options(
    service: str, on_response: OnResponse | None = None, tally: RequestTally | None = None
) -> dict:
    """The transport every client of the installation shares; it counts every attempt to
    ``service`` (at once, or in ``tally`` for its owner to write) and then calls the caller's
    ``on_response``, if any."""

    def record(status: int | None) -> None:
        if tally is not None:
            tally.add(status)
        else:
            adobe_request_record(service=service, status=status)

    def answered(response: requests.Response) -> None:
        record(response.status_code)
        if on_response is not None:
            on_response(response)

    def unanswered(_exc: requests.RequestException) -> None:
        record(None)

    return {
        "session": adobe_session(),
        "timeout": settings.ADOBE_HTTP_TIMEOUT,
        "retry": READ_RETRY,
        "on_response": answered,
        "on_error": unanswered,
    }


def ims_client() -> IMSClient:
    return IMSClient(base_url=settings.ADOBE_IMS_URL, **_options(AdobeRequestHour.Service.IMS))


def privacy_client(
    *,
    organization: Organization,
    credential: Credential | None = None,
    on_response: OnResponse | None = None,
    token_provider: TokenProvider | None = None,
    gate: RateGate | None = None,
    tally: RequestTally | None = None,
) -> PrivacyClient:
    """Privacy Service for ``organization``, with its own credential (NoCredential if none).

    ``token_provider`` replaces the credential's (a sync's detail pool hands its threads a token
    read in the run's thread); ``gate`` is shared by every client of one sync, so that a 429
    pauses all of them; ``tally`` counts attempts in memory (threads), not in the database."""
    from dashboard.services.tokens import CredentialTokenProvider

    credential = credential or credential_for(
        usage=Credential.Usage.PRIVACY, organization_id=organization.pk
    )
    return PrivacyClient(
        base_url=settings.ADOBE_PRIVACY_API_URL,
        client_id=credential.client_id,
        ims_org_id=organization.ims_org_id,
        token_provider=token_provider or CredentialTokenProvider(credential.pk),
        gate=gate,
        **_options(AdobeRequestHour.Service.PRIVACY, on_response, tally),
    )


def status_client(*, credential: Credential, on_response: OnResponse | None = None) -> StatusClient:
    from dashboard.services.tokens import CredentialTokenProvider

    return StatusClient(
        base_url=settings.ADOBE_STATUS_API_URL,
        token_provider=CredentialTokenProvider(credential.pk),
        **_options(AdobeRequestHour.Service.STATUS, on_response),
    )

"""Keeping an organization's Privacy Service jobs current: one sync run per organization at a time.

A run claims the organization's :class:`~privacy.models.PrivacySyncState` lease with a conditional
update (style B.12), then either

* lists **everything** Adobe still returns (the first run, ``backfill=True``, and once every
  ``LOOKOUT_PRIVACY_FULL_LISTING_INTERVAL``): every regulation in the Regulation table plus
  ``LOOKOUT_PRIVACY_REGULATIONS``, over Adobe's whole 45-day look-back in windows of at most 30
  days. Jobs such a complete listing did not return are marked gone (kept, never deleted), and the
  regulations that had jobs become the ones polls list; or
* **polls**: lists only the regulations the organization uses (those of its last full listing
  plus ``LOOKOUT_PRIVACY_REGULATIONS``) over the days since its last success.

Either way it fetches a job's detail only when the listing shows it changed, and finally re-reads
unfinished jobs whose backoff (growing with their age) is due. Pages are written as they stream
in (:mod:`privacy.services.sync_store`). The outcome is recorded on the sync state in ``finally``;
transient Adobe errors are re-raised for the task to retry, a permanent authentication error flags
the credential and stops.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from itertools import islice

import requests
from django.conf import settings
from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from adobe import JobSummary, PrivacyClient
from adobe import regulations as adobe_regulations
from adobe.errors import (
    AdobeAuthError,
    AdobeInvalidRequest,
    AdobeNotFound,
)
from adobe.http import new_session
from adobe.privacy import MAX_LOOKBACK
from dashboard.models import Credential, Organization
from dashboard.selectors import credential_for_usage
from dashboard.services.tokens import (
    CredentialNeedsAttention,
    CredentialTokenProvider,
    credential_flag,
)
from privacy.models import PrivacyJob, PrivacySyncState, Regulation
from privacy.services import sync_store
from privacy.services.sync_state import (
    LeaseLost,
    NoCredential,
    SyncResult,
    describe_sync_error,
    lease_claim,
    outcome_record,
)

logger = logging.getLogger(__name__)

PAGE_SIZE = 100  # Adobe's default; the swagger's maximum is 100, the newest docs say 1000
# Polls list from the day before the last success: Adobe's dates are whole GMT days.
POLL_OVERLAP = timedelta(days=1)


def privacy_sync_organization_ids() -> list[int]:
    """Every organization: one without a credential gets its sync error recorded and shown."""
    return list(Organization.objects.order_by("pk").values_list("pk", flat=True))


def privacy_sync(*, organization_id: int, backfill: bool = False) -> SyncResult:
    """Sync one organization's jobs (see the module docstring). Raises transient Adobe errors
    (AdobeRateLimited, AdobeUnavailable, AdobeBadResponse) after recording them, for a retry."""
    organization = Organization.objects.get(pk=organization_id)
    owner = str(uuid.uuid4())
    started = timezone.now()
    if not lease_claim(organization_id, owner, started):
        logger.info("Privacy sync of %s skipped: another run holds the lease", organization_id)
        return SyncResult(organization_id=organization_id, ran=False)
    result = SyncResult(organization_id=organization_id)
    failure: BaseException | None = None
    try:
        _run(organization, owner, started, backfill, result)
    except NoCredential as exc:
        failure = exc
    except (AdobeAuthError, AdobeInvalidRequest) as exc:
        failure = exc
        if isinstance(exc, AdobeAuthError) and not isinstance(exc, CredentialNeedsAttention):
            credential = credential_for_usage(usage="privacy", organization_id=organization_id)
            if credential is not None:
                credential_flag(credential_id=credential.pk, error=exc)
    except BaseException as exc:
        failure = exc
        raise
    finally:
        result.error = describe_sync_error(failure) if failure is not None else ""
        outcome_record(organization_id, owner, started, result, failure)
    return result


# ---------------------------------------------------------------------------------------------
# One run


def _run(
    organization: Organization, owner: str, started: datetime, backfill: bool, result: SyncResult
) -> None:
    credential = credential_for_usage(usage="privacy", organization_id=organization.pk)
    if credential is None:
        raise NoCredential(_no_credential_reason(organization.pk))
    state = PrivacySyncState.objects.get(organization=organization)
    session = new_session()
    session.hooks["response"].append(lambda response, *args, **kwargs: _count(result))
    client = _client(organization, credential, session)
    run = _Run(organization.pk, owner, client, started, result)
    full_due = state.full_listing_at is None or state.full_listing_at <= started - timedelta(
        seconds=settings.LOOKOUT_PRIVACY_FULL_LISTING_INTERVAL
    )
    try:
        if backfill or full_due:
            run.full_listing(_regulations(state, everything=True))
        else:
            since = (state.last_success_at or state.full_listing_at or started) - POLL_OVERLAP
            run.poll(_regulations(state, everything=False), since.date())
        run.refresh_due_details()
    finally:
        session.close()


def _no_credential_reason(organization_id: int) -> str:
    flagged = (
        Credential.objects.filter(
            organization_id=organization_id,
            usage__in=[Credential.Usage.PRIVACY, Credential.Usage.BOTH],
            needs_attention=True,
        )
        .order_by("pk")
        .first()
    )
    if flagged is not None:
        return (
            f"No credential for Privacy Service: “{flagged.name}” needs attention "
            f"({flagged.last_error}). An admin fixes it under Credentials & tokens."
        )
    return "No credential for Privacy Service: an admin adds one under Credentials & tokens."


def _count(result: SyncResult) -> None:
    result.requests += 1


def _client(
    organization: Organization, credential: Credential, session: requests.Session
) -> PrivacyClient:
    return PrivacyClient(
        base_url=settings.ADOBE_PRIVACY_API_URL,
        client_id=credential.client_id,
        ims_org_id=organization.ims_org_id,
        token_provider=_RunTokenProvider(credential.pk),
        session=session,
        timeout=settings.ADOBE_HTTP_TIMEOUT,
    )


class _RunTokenProvider:
    """The credential's shared token, re-read from the database at most once a minute.

    ``CredentialTokenProvider`` reads (and decrypts) the token row on every call, which is a
    third of a backfill's time at one call per job detail. ``token_get`` only hands out tokens
    with 10 minutes left, so holding one for a minute is safe; a 401 still forces a refresh.
    """

    TTL = 60.0

    def __init__(self, credential_id: int) -> None:
        self._provider = CredentialTokenProvider(credential_id)
        self._token = ""
        self._read_at = 0.0

    def __repr__(self) -> str:
        return f"_RunTokenProvider({self._provider!r})"

    def __call__(self, *, force_refresh: bool = False) -> str:
        now = time.monotonic()
        if force_refresh or not self._token or now - self._read_at > self.TTL:
            self._token = self._provider(force_refresh=force_refresh)
            self._read_at = now
        return self._token


def _regulations(state: PrivacySyncState, *, everything: bool) -> list[str]:
    """The regulation codes a run lists: configured + used; full listings add every regulation
    Lookout knows (the Regulation table admins edit, and the client's own table of Adobe's
    current codes). Legacy codes become today's, so each regulation is listed once."""
    codes = {c.strip().lower() for c in settings.LOOKOUT_PRIVACY_REGULATIONS if c.strip()}
    codes.update(state.regulations or [])
    if everything:
        codes.update(Regulation.objects.values_list("code", flat=True))
        codes.update(regulation.code for regulation in adobe_regulations.REGULATIONS)
    # Unknown codes stay as they are: listing them records that Adobe refused them.
    return sorted(
        {adobe_regulations.current_code(c) if adobe_regulations.is_known(c) else c for c in codes}
    )


class _Run:
    def __init__(
        self,
        organization_id: int,
        owner: str,
        client: PrivacyClient,
        started: datetime,
        result: SyncResult,
    ) -> None:
        self.organization_id = organization_id
        self.owner = owner
        self.client = client
        self.started = started
        self.result = result
        self.renewed_at = started

    def full_listing(self, codes: list[str]) -> None:
        """Everything Adobe still returns; then mark what it did not return as gone."""
        self.result.full_listing = True
        since = self.started.date() - MAX_LOOKBACK
        listed, used = self._list(codes, since, stamp_seen=True)
        # Only regulations that were listed completely say anything about missing jobs.
        gone = PrivacyJob.objects.filter(
            organization_id=self.organization_id,
            gone_at__isnull=True,
            last_seen_at__lt=self.started,
            regulation__in=listed,
        ).update(gone_at=timezone.now(), next_detail_at=None)
        self.result.gone += gone
        now = timezone.now()
        PrivacySyncState.objects.filter(organization_id=self.organization_id).update(
            full_listing_at=self.started,
            regulations=sorted(used),
            backfilled_at=Coalesce(F("backfilled_at"), Value(now, output_field=DateTimeField())),
        )

    def poll(self, codes: list[str], since: date) -> None:
        self._list(codes, since, stamp_seen=False)

    def _list(self, codes: list[str], since: date, *, stamp_seen: bool) -> tuple[list[str], set]:
        listed: list[str] = []
        used: set[str] = set()
        for code in codes:
            try:
                jobs = self.client.iter_jobs_since(regulation=code, since=since, size=PAGE_SIZE)
                for page in _chunks(jobs, PAGE_SIZE):
                    used.add(code)
                    self.result.jobs_seen += len(page)
                    self.result.add(
                        sync_store.store_listed_page(
                            organization_id=self.organization_id,
                            jobs=page,
                            get_job=self.client.get_job,
                            now=timezone.now(),
                            stamp_seen=stamp_seen,
                        )
                    )
                    self._renew()
            except AdobeInvalidRequest as exc:
                refused = exc.status == 400 or exc.field == "regulation"
                if isinstance(exc, AdobeNotFound) or not refused:
                    raise
                # Adobe (or the client, before sending) refuses a code it does not know: a
                # Regulation row added too early, or a retired one. The others still sync.
                logger.warning("Adobe refused regulation %s: %s", code, exc.message)
                self.result.skipped_regulations.append(code)
                continue
            listed.append(code)
        return listed, used

    def refresh_due_details(self) -> None:
        """Unfinished jobs whose backoff is due and that no listing of this run refreshed."""
        last_pk = 0
        while True:
            rows = list(
                PrivacyJob.objects.filter(
                    organization_id=self.organization_id,
                    status__in=PrivacyJob.UNFINISHED,
                    next_detail_at__lte=self.started,
                    gone_at__isnull=True,
                    pk__gt=last_pk,
                )
                .order_by("pk")
                .only("pk", "job_id")[:PAGE_SIZE]
            )
            if not rows:
                return
            last_pk = rows[-1].pk
            self.result.add(
                sync_store.store_details(
                    organization_id=self.organization_id,
                    rows=rows,
                    get_job=self.client.get_job,
                    now=timezone.now(),
                )
            )
            self._renew()

    def _renew(self) -> None:
        """Extend our lease (now and then, not on every page); stop if it was taken over."""
        now = timezone.now()
        lease = timedelta(seconds=settings.LOOKOUT_PRIVACY_SYNC_LEASE)
        if now - self.renewed_at < lease / 3:
            return
        renewed = PrivacySyncState.objects.filter(
            organization_id=self.organization_id, lease_owner=self.owner
        ).update(lease_until=now + lease)
        if not renewed:
            raise LeaseLost(f"lease of organization {self.organization_id} taken over")
        self.renewed_at = now


def _chunks(items: Iterable[JobSummary], size: int) -> Iterator[list[JobSummary]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk

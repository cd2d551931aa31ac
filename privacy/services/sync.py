"""Keeping an organization's Privacy Service jobs current: one sync run per organization at a time.

A run claims the organization's :class:`~privacy.models.PrivacySyncState` lease with a conditional
update (style B.12), then either

* lists **everything** Adobe still returns (the first run, ``backfill=True``, and once every
  ``LOOKOUT_PRIVACY_FULL_LISTING_INTERVAL``): every regulation in the Regulation table plus
  ``LOOKOUT_PRIVACY_REGULATIONS``, over Adobe's whole 45-day look-back in windows of at most 30
  days. Jobs such a complete listing did not return are marked gone (kept, never deleted), and the
  regulations that had jobs become the ones polls list. A listing that ends short of Adobe's own
  ``totalRecords`` (``AdobeIncompleteListing``) proves nothing about missing jobs: what it read is
  stored, nothing is marked gone, the last full listing is forgotten (so the next run lists
  everything again, however this one was started) and the run is recorded as a passing
  failure; or
* **polls**: lists only the regulations the organization uses (those of its last full listing
  plus ``LOOKOUT_PRIVACY_REGULATIONS``) over the days since its last success.

Either way it fetches a job's detail only when the listing shows it changed, and finally re-reads
unfinished jobs whose backoff (growing with their age) is due, and jobs whose detail Adobe did
not return (404) when their next look is due. A 404 on a detail never marks a job gone. Pages
are written as they stream in (:mod:`privacy.services.sync_store`); a page's details are read
``LOOKOUT_PRIVACY_DETAIL_CONCURRENCY`` at a time by a pool of threads that only send HTTP, and a
429 (with its Retry-After) pauses the whole run's requests at once, not one thread's
(:class:`adobe.ratelimit.RateGate`).

A run is a background run on the organization's sync state (:mod:`dashboard.runs`): it holds the
row while it lives, records its outcome in words (``dashboard.describe.describe_privacy_error``)
and sets when the next run is due — the sync interval after a success, the backoff (or Adobe's
Retry-After) after a failure. A 401 or 403 from Privacy Service is this sync's failure only: the
credential and its token stay as they are for every other use.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from adobe import JobSummary, PrivacyClient
from adobe.errors import AdobeIncompleteListing, AdobeInvalidRequest, AdobeNotFound
from adobe.privacy import MAX_LOOKBACK
from adobe.ratelimit import RateGate
from dashboard.describe import EXPECTED_FAILURES, describe_privacy_error
from dashboard.models import AdobeRequestHour, Credential, Organization
from dashboard.runs import Run, Wait, run_claim
from dashboard.services.clients import RequestTally, credential_for, privacy_client
from dashboard.services.tokens import CredentialTokenProvider
from privacy.models import PrivacyJob, PrivacySyncState
from privacy.services import sync_store
from privacy.services.regulations import regulation_code_map, regulation_codes
from privacy.services.sync_result import SyncResult

logger = logging.getLogger(__name__)

PAGE_SIZE = 100  # Adobe's default; the swagger's maximum is 100, the newest docs say 1000
# Polls list from the day before the last success: Adobe's dates are whole GMT days.
POLL_OVERLAP = timedelta(days=1)


def _lease() -> timedelta:
    return timedelta(seconds=settings.LOOKOUT_PRIVACY_SYNC_LEASE)


def privacy_sync_due_organization_ids(*, now: datetime | None = None) -> list[int]:
    """Organizations whose sync is due: never synced, interval or backoff over, or a killed
    sync's lease run out. One whose sync is running is never queued twice. Most overdue first
    (never synced before all): under a backlog, an organization synced early must not come due
    again and be queued ahead of one never reached."""
    now = now or timezone.now()
    not_due = PrivacySyncState.objects.filter(
        Q(next_attempt_at__gt=now) | Q(lease_until__gte=now)
    ).values("organization_id")
    return list(
        Organization.objects.exclude(pk__in=not_due)
        .order_by(F("privacy_sync__next_attempt_at").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)
    )


def _sync_state(organization_id: int) -> PrivacySyncState:
    try:
        with transaction.atomic():
            state, _ = PrivacySyncState.objects.get_or_create(organization_id=organization_id)
    except IntegrityError:  # a concurrent run created it first
        state = PrivacySyncState.objects.get(organization_id=organization_id)
    return state


def privacy_sync(
    *, organization_id: int, backfill: bool = False, scheduled: bool = False
) -> SyncResult:
    """Sync one organization's jobs (see the module docstring) and record the outcome.

    ``scheduled`` runs (beat's) wait until the sync is due; others (a person, the command, the
    first sync) wait only for a failure's backoff. Adobe's and Lookout's failures are recorded and
    returned in ``result.error``; only a bug is raised.
    """
    organization = Organization.objects.get(pk=organization_id)
    state = _sync_state(organization_id)
    wait = Wait.SCHEDULE if scheduled else Wait.BACKOFF
    run = run_claim(PrivacySyncState, pk=state.pk, lease=_lease(), wait=wait)
    if run is None:
        logger.info("Privacy sync of %s skipped: running elsewhere or not due", organization_id)
        return SyncResult(organization_id=organization_id, ran=False)
    result = SyncResult(organization_id=organization_id, resumed_killed_run=run.took_over)
    with run:
        try:
            _run(organization, run, backfill, result)
        except EXPECTED_FAILURES as exc:
            # Refusals are probed (PROBE); passing failures, an incomplete listing among them,
            # are retried after 1 minute, doubling to 1 hour (TRANSIENT): dashboard.runs.
            result.error = describe_privacy_error(exc)
            run.fail(
                exc,
                message=result.error,
                last_summary=result.summary[:200],
                jobs_seen=_jobs_seen(organization_id),
            )
            logger.warning("Privacy sync of %s failed: %s", organization_id, result.error)
            return result
        run.succeed(
            next_attempt_at=run.started_at
            + timedelta(seconds=settings.LOOKOUT_PRIVACY_SYNC_INTERVAL),
            last_summary=result.summary[:200],
            jobs_seen=_jobs_seen(organization_id),
        )
    logger.info("Privacy sync of %s: %s", organization_id, result.summary)
    return result


def _jobs_seen(organization_id: int) -> int:
    return PrivacyJob.objects.filter(organization_id=organization_id, gone_at__isnull=True).count()


# ---------------------------------------------------------------------------------------------
# One run


def _run(organization: Organization, run: Run, backfill: bool, result: SyncResult) -> None:
    state = PrivacySyncState.objects.get(organization=organization)
    client, reader = _clients(organization, result)
    with reader:
        work = _Run(organization.pk, run, client, reader, result)
        full_due = state.full_listing_at is None or (
            state.full_listing_at
            <= run.started_at - timedelta(seconds=settings.LOOKOUT_PRIVACY_FULL_LISTING_INTERVAL)
        )
        if backfill or full_due:
            work.full_listing(_regulations(state, everything=True))
        else:
            since = (
                state.last_success_at or state.full_listing_at or run.started_at
            ) - POLL_OVERLAP
            work.poll(_regulations(state, everything=False), since.date())
        work.refresh_due_details()
    if work.incomplete:
        raise _incomplete(work.incomplete)


def _clients(
    organization: Organization, result: SyncResult
) -> tuple[PrivacyClient, sync_store.DetailReader]:
    """The run's client (its own thread's) and the pool that reads details with a second
    client: the same credential, session and rate gate, a token handed over by the run's thread,
    attempts counted in memory and written by the run's thread."""
    credential = credential_for(usage=Credential.Usage.PRIVACY, organization_id=organization.pk)
    tokens = CredentialTokenProvider(credential.pk)
    gate = RateGate()
    client = privacy_client(
        organization=organization,
        credential=credential,
        token_provider=tokens,
        gate=gate,
        on_response=lambda _r: result.count(),
    )
    pool_token = sync_store.PoolToken()
    tally = RequestTally(AdobeRequestHour.Service.PRIVACY)
    pool_client = privacy_client(
        organization=organization,
        credential=credential,
        token_provider=pool_token,
        gate=gate,
        tally=tally,
    )

    def flush() -> None:
        result.requests += tally.flush()

    reader = sync_store.DetailReader(
        get_job=client.get_job,
        pool_get_job=pool_client.get_job,
        pool_token=pool_token,
        token=tokens,
        flush=flush,
        concurrency=settings.LOOKOUT_PRIVACY_DETAIL_CONCURRENCY,
    )
    return client, reader


def _incomplete(errors: list[AdobeIncompleteListing]) -> AdobeIncompleteListing:
    """One error for every regulation whose listing ended short, recorded as the run's failure."""
    if len(errors) == 1:
        return errors[0]
    codes = [error.regulation or "?" for error in errors]
    return AdobeIncompleteListing(
        listed=sum(error.listed for error in errors),
        total=sum(error.total for error in errors),
        regulation=f"{', '.join(codes[:-1])} and {codes[-1]}",
    )


def _regulations(state: PrivacySyncState, *, everything: bool) -> list[str]:
    """The regulation codes a run lists: configured + used; full listings add every regulation
    in the Regulation table (the one list admins edit). Legacy codes become their current code
    through that table, so each regulation is listed once."""
    codes = {c.strip().lower() for c in settings.LOOKOUT_PRIVACY_REGULATIONS if c.strip()}
    codes.update(state.regulations or [])
    if everything:
        codes.update(regulation_codes())
    current = regulation_code_map()
    # Codes the table does not know stay as they are: listing them records Adobe's refusal.
    return sorted({current.get(c, c) for c in codes})


class _Run:
    def __init__(
        self,
        organization_id: int,
        run: Run,
        client: PrivacyClient,
        read_details: sync_store.ReadDetails,
        result: SyncResult,
    ) -> None:
        self.organization_id = organization_id
        self.run = run
        self.client = client
        self.read_details = read_details
        self.started = run.started_at
        self.result = result
        #: Regulations whose listing ended short of Adobe's totalRecords, in this run.
        self.incomplete: list[AdobeIncompleteListing] = []
        self._progress(jobs=0, regulation="")  # not what the previous run had reached

    def full_listing(self, codes: list[str]) -> None:
        """Everything Adobe still returns; then mark what it did not return as gone.

        If any regulation's listing was incomplete, nothing is marked gone and the last full
        listing is forgotten, so that the next run (after this one's failure) lists everything
        again; the regulations it found are added to those polls list."""
        self.result.full_listing = True
        since = self.started.date() - MAX_LOOKBACK
        listed, used = self._list(codes, since, stamp_seen=True)
        if self.incomplete:
            state = PrivacySyncState.objects.get(organization_id=self.organization_id)
            PrivacySyncState.objects.filter(organization_id=self.organization_id).update(
                full_listing_at=None, regulations=sorted(used | set(state.regulations or []))
            )
            return
        # Only regulations that were listed (not refused) say anything about missing jobs.
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
            self._progress(regulation=code)
            # A 400 while listing is Adobe refusing the regulation; one on a job's detail (read
            # while a page is stored) is not, and fails the run in its own words.
            listing = True
            pending: sync_store.PendingPage | None = None
            try:
                jobs = self.client.iter_jobs_since(regulation=code, since=since, size=PAGE_SIZE)
                try:
                    for page in _pages(jobs, PAGE_SIZE):
                        listing = False
                        used.add(code)
                        self.result.jobs_seen += len(page)
                        reading = sync_store.store_listed_page(
                            organization_id=self.organization_id,
                            jobs=page,
                            read_details=self.read_details,
                            now=timezone.now(),
                            stamp_seen=stamp_seen,
                        )
                        # The previous page is written while the pool reads this one's details,
                        # with the progress in the same commit.
                        pending, previous = reading, pending
                        with transaction.atomic():
                            self._write(previous)
                            self._progress(jobs=self.result.jobs_seen)
                        self._renew()
                        listing = True
                finally:
                    if listing:  # the listing ended (complete, short or failed): store its last
                        listing = False  # a failure writing it is not the listing's
                        self._write(pending)
                        listing = True
                self._renew()
            except AdobeIncompleteListing as exc:
                # Every job read was stored; the regulation says nothing about missing ones.
                logger.warning("Incomplete listing of %s: %s", code, exc.message)
                self.result.incomplete.append(code)
                self.incomplete.append(exc)
                continue
            except AdobeInvalidRequest as exc:
                refused = listing and (exc.status == 400 or exc.field == "regulation")
                if isinstance(exc, AdobeNotFound) or not refused:
                    raise
                # Adobe (or the client, before sending) refuses a code it does not know: a
                # Regulation row added too early, or a retired one. The others still sync.
                logger.warning("Adobe refused regulation %s: %s", code, exc.message)
                self.result.skipped_regulations.append(code)
                refusal = exc
                continue
            listed.append(code)
        if codes and len(self.result.skipped_regulations) == len(codes):
            # Adobe refused every regulation: the request itself is wrong (a missing header, an
            # organization it does not know), not one code. The run fails in Adobe's words.
            raise refusal
        return listed, used

    def refresh_due_details(self) -> None:
        """Jobs owed a look that no listing of this run refreshed: unfinished jobs whose backoff
        is due, then jobs (whatever their status) whose detail Adobe did not return (404) once
        their next look is due. A finished job has ``next_detail_at`` only while its detail is
        owed, so the second query needs nothing else."""
        self._progress(regulation="")
        due = PrivacyJob.objects.filter(
            organization_id=self.organization_id,
            next_detail_at__lte=self.started,
            gone_at__isnull=True,
        )
        self._read_details(due.filter(status__in=PrivacyJob.UNFINISHED))  # a partial index
        self._read_details(due.exclude(status__in=PrivacyJob.UNFINISHED))

    def _read_details(self, due: QuerySet[PrivacyJob]) -> None:
        last_pk = 0
        pending: sync_store.PendingPage | None = None
        while True:
            rows = list(
                due.filter(pk__gt=last_pk)
                .order_by("pk")
                .only("pk", "job_id", "adobe_created_at")[:PAGE_SIZE]
            )
            if not rows:
                break
            last_pk = rows[-1].pk
            reading = sync_store.store_details(
                organization_id=self.organization_id,
                rows=rows,
                read_details=self.read_details,
                now=timezone.now(),
            )
            pending, previous = reading, pending
            self._write(previous)
            self._renew()
        self._write(pending)
        self._renew()

    def _write(self, page: sync_store.PendingPage | None) -> None:
        """Store a page whose details were being read (in this thread: it writes)."""
        if page is not None:
            self.result.add(page.write())

    def _renew(self) -> None:
        """Between pages: stop writing if another run took this one over."""
        self.run.renew()

    def _progress(self, **fields: int | str) -> None:
        """What the job list shows of this run while it lives (``progress_jobs``,
        ``progress_regulation``): one small update between pages, only while this run holds the
        row, so a run that was taken over never writes over its successor's progress."""
        PrivacySyncState.objects.filter(pk=self.run.pk, lease_owner=self.run.owner).update(
            **{f"progress_{name}": value for name, value in fields.items()}
        )


def _pages(jobs: Iterable[JobSummary], size: int) -> Iterator[list[JobSummary]]:
    """``jobs`` in lists of ``size``; a listing that ends incomplete yields what it read first."""
    page: list[JobSummary] = []
    try:
        for job in jobs:
            page.append(job)
            if len(page) == size:
                yield page
                page = []
    except AdobeIncompleteListing:
        if page:
            yield page
        raise
    if page:
        yield page

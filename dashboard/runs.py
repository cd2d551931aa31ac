"""Background runs: claim one, keep it alive, record how it went, say when the next may start.

Every piece of background work (a credential's token refresh, an organization's privacy sync, the
installation's Status polls) keeps the fields of :class:`~dashboard.models.runs.BackgroundRun` on
its own row, and goes through this module:

* :func:`run_claim` takes the row with a conditional update whose row count is checked (B.12),
  naming an owner. A lease that ran out means the run holding it was killed: the claim takes over
  at once and records that. Scheduled claims also wait for ``next_attempt_at``, so a repeated
  beat tick, a second beat or a redelivered message cannot run the work again too soon; a
  person's claim waits only for a failure's backoff (Adobe's Retry-After included).
* While the run lives, a heartbeat thread renews the lease every third of its length, and
  :meth:`Run.renew` lets the run check at safe points that nobody took it over.
* :meth:`Run.succeed` / :meth:`Run.fail` write the outcome with ``.update()`` only while the run
  still holds the row (B.13); a failure sets ``next_attempt_at`` from the one retry policy below.
"""

from __future__ import annotations

import enum
import logging
import threading
import uuid
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

from django.db import connection
from django.db.models import F, Model, Q
from django.utils import timezone

logger = logging.getLogger(__name__)

KILLED = "The previous run stopped without finishing (its worker was stopped or killed)."


class LeaseLost(Exception):
    """Another run took this one's row over (its lease had run out): stop writing."""


class RetryPolicy:
    """When a failed run may be tried again: Adobe's Retry-After when it sent one, else an
    exponential backoff from ``first``, doubled per failure in a row, capped at ``cap``.

    Permanent failures (Adobe refused the credential, no credential, Lookout misconfigured) use
    the slower :data:`PROBE` policy: they are probed, not abandoned, and the first success clears
    them without anyone having to act.
    """

    def __init__(self, *, first: timedelta, cap: timedelta) -> None:
        self.first, self.cap = first, cap

    def delay(self, *, failures: int, error: BaseException | None = None) -> timedelta:
        server_wait = retry_after(error)
        if server_wait is not None:
            return timedelta(seconds=max(1.0, server_wait))
        return min(self.cap, self.first * 2 ** max(0, failures - 1))


TRANSIENT = RetryPolicy(first=timedelta(minutes=1), cap=timedelta(hours=1))
PROBE = RetryPolicy(first=timedelta(minutes=5), cap=timedelta(hours=6))


def retry_after(error: BaseException | None) -> float | None:
    """The wait Adobe asked for (``Retry-After`` on a 429 or 503), or None."""
    if error is None or getattr(error, "from_server", True) is False:
        return None  # a 429 without Retry-After: the client's own guess is not Adobe's word
    return getattr(error, "retry_after", None)


def policy_for(error: BaseException) -> RetryPolicy:
    return PROBE if getattr(error, "permanent", False) else TRANSIENT


class Wait(enum.Enum):
    """What a claim waits for besides a live run: nothing (a token needed now), a failure's
    backoff (a person asked), or the schedule too (beat's ticks)."""

    NOTHING = "nothing"
    BACKOFF = "backoff"
    SCHEDULE = "schedule"


def run_claim(
    model: type[Model],
    *,
    pk: int,
    lease: timedelta,
    wait: Wait = Wait.NOTHING,
    now: datetime | None = None,
) -> Run | None:
    """Take the row for a new run, or None when a live run holds it or, as ``wait`` says, its
    next attempt is not due yet."""
    now = now or timezone.now()
    owner = str(uuid.uuid4())
    rows = model.objects.filter(pk=pk)
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    if wait is Wait.SCHEDULE:
        rows = rows.filter(due)
    elif wait is Wait.BACKOFF:
        rows = rows.filter(due | Q(consecutive_failures=0))
    taken = {"lease_until": now + lease, "lease_owner": owner, "last_attempt_at": now}
    took_over = False
    claimed = rows.filter(lease_until__isnull=True).update(**taken)
    if not claimed:
        # The holder's lease ran out without its outcome being written: it was killed.
        claimed = rows.filter(lease_until__lt=now).update(
            **taken,
            last_error=KILLED,
            last_error_at=now,
            consecutive_failures=F("consecutive_failures") + 1,
        )
        took_over = claimed == 1
    if claimed != 1:
        return None
    if took_over:
        logger.warning("%s %s: took over from a run that was killed", model.__name__, pk)
    return Run(model, pk=pk, owner=owner, started_at=now, lease=lease, took_over=took_over)


class Run:
    """A claimed run. Use it as a context manager so the lease is kept alive while it works::

        run = run_claim(PrivacySyncState, pk=state.pk, lease=LEASE, wait=Wait.SCHEDULE)
        if run is None:
            return  # running elsewhere, or not due
        with run:
            ...  # work, calling run.renew() between pages
            run.succeed(next_attempt_at=run.started_at + INTERVAL)

    Leaving the block with an exception that no :meth:`fail` recorded records it as unexpected
    and re-raises it; leaving it with no outcome frees the row unchanged.
    """

    def __init__(
        self,
        model: type[Model],
        *,
        pk: int,
        owner: str,
        started_at: datetime,
        lease: timedelta,
        took_over: bool = False,
    ) -> None:
        self.model, self.pk, self.owner = model, pk, owner
        self.started_at, self.lease, self.took_over = started_at, lease, took_over
        self.finished = False
        self._renewed_at = started_at
        self._lost = threading.Event()
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"Run({self.model.__name__} {self.pk}, owner={self.owner})"

    def _mine(self):
        return self.model.objects.filter(pk=self.pk, lease_owner=self.owner)

    # -- staying alive -------------------------------------------------------------------------

    def renew(self, *, now: datetime | None = None) -> None:
        """Extend the lease if a third of it has passed; LeaseLost if another run took over."""
        if self._lost.is_set():
            raise LeaseLost(f"{self.model.__name__} {self.pk} was taken over by another run")
        now = now or timezone.now()
        if now - self._renewed_at < self.lease / 3:
            return
        if not self._mine().update(lease_until=now + self.lease):
            self._lost.set()
            raise LeaseLost(f"{self.model.__name__} {self.pk} was taken over by another run")
        self._renewed_at = now

    def _beat(self) -> None:
        # Runs in its own thread, with its own database connection: keeps the lease alive through
        # a long Adobe call between two renew() checkpoints. A killed process stops beating.
        try:
            while not self._stop.wait(self.lease.total_seconds() / 3):
                if not self._mine().update(lease_until=timezone.now() + self.lease) and (
                    # Lost only if the row shows another owner; a row this connection cannot
                    # see (not committed yet) says nothing.
                    self.model.objects.filter(pk=self.pk).exclude(lease_owner=self.owner).exists()
                ):
                    self._lost.set()
                    return
        except Exception:  # the heartbeat must never take the run down; renew() will tell
            logger.exception("Heartbeat of %r failed", self)
        finally:
            connection.close()

    def __enter__(self) -> Run:
        self._heartbeat = threading.Thread(target=self._beat, name=f"{self!r} heartbeat")
        self._heartbeat.daemon = True
        self._heartbeat.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._heartbeat is not None:
            self._heartbeat.join(timeout=5)
        if self.finished:
            return
        if exc is not None:
            message = f"Unexpected error ({type(exc).__name__}); see the worker log."
            if isinstance(exc, LeaseLost):
                message = "The run took too long and another run took over."
            self.fail(exc, message=message)
        else:
            self.release()

    # -- outcomes ------------------------------------------------------------------------------

    def succeed(self, *, next_attempt_at: datetime | None = None, **fields: Any) -> bool:
        """Record a success: clears the error and the failure count, frees the row."""
        self.finished = True
        written = self._mine().update(
            lease_until=None,
            lease_owner="",
            last_success_at=self.started_at,
            last_error="",
            consecutive_failures=0,
            next_attempt_at=next_attempt_at,
            **fields,
        )
        if not written:
            logger.warning("%r finished after another run took over; outcome dropped", self)
        return bool(written)

    def fail(
        self,
        error: BaseException,
        *,
        message: str,
        policy: RetryPolicy | None = None,
        **fields: Any,
    ) -> datetime:
        """Record a failure in words and schedule the next attempt; returns when that is."""
        self.finished = True
        now = timezone.now()
        current = self.model.objects.filter(pk=self.pk).values("consecutive_failures").first()
        failures = (current["consecutive_failures"] if current else 0) + 1
        next_attempt_at = now + (policy or policy_for(error)).delay(failures=failures, error=error)
        written = self._mine().update(
            lease_until=None,
            lease_owner="",
            last_error=message[:500],
            last_error_at=now,
            consecutive_failures=failures,
            next_attempt_at=next_attempt_at,
            **fields,
        )
        if not written:
            logger.warning("%r failed after another run took over; outcome dropped", self)
        return next_attempt_at

    def release(self, **fields: Any) -> None:
        """Free the row without an outcome (the work turned out not to be needed)."""
        self.finished = True
        self._mine().update(lease_until=None, lease_owner="", **fields)

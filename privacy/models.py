"""Privacy Service jobs per organization, their per-product outcomes, and what Lookout submitted."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Func, Q, TextField, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from dashboard.models import Organization, TimeStampedModel
from dashboard.models.runs import BackgroundRun
from privacy.user_keys import TEAM_REFERENCE


class Regulation(models.Model):
    """A regulation, as data: the one list Lookout consults at run time (admins edit it).

    Adobe renames codes (ucpa_usa -> ucpa_ut_usa), so a row maps its legacy codes to the current
    one; Lookout sends the current code and Adobe judges whether it knows it. The default rows
    come from ``adobe.regulations`` (``regulation_defaults_ensure``).
    """

    code = models.CharField(max_length=40, unique=True, help_text="The code Adobe accepts today.")
    name = models.CharField(max_length=200)
    legacy_codes = models.CharField(
        max_length=200, blank=True, help_text="Older codes meaning the same, comma-separated."
    )
    days_to_respond = models.PositiveIntegerField(
        default=30, help_text="Days the law allows to answer a request, counted from submission."
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def legacy_code_list(self) -> list[str]:
        return [c.strip() for c in self.legacy_codes.split(",") if c.strip()]

    def clean(self) -> None:
        """Codes as the client sends them (lower case, ``[a-z0-9_]``), each naming one regulation.

        A legacy code must map to exactly one current code, so each code appears once across
        the table, as a current code or as a legacy one.
        """
        # Imported here so the model module's imports stay Django and dashboard only.
        from django.core.exceptions import ValidationError

        from adobe.errors import AdobeInvalidRequest
        from adobe.models.privacy_requests import regulation_code

        def normalised(value: str) -> str | None:
            try:
                return regulation_code(value)
            except AdobeInvalidRequest:
                return None

        code = normalised(self.code)
        if code is None:
            raise ValidationError({"code": "Use a-z, 0-9 and _ only, as Adobe's codes do."})
        legacy = [normalised(c) for c in self.legacy_code_list]
        if None in legacy:
            raise ValidationError(
                {"legacy_codes": "Separate codes with commas; each uses a-z, 0-9 and _ only."}
            )
        if code in legacy:
            raise ValidationError({"legacy_codes": "The current code cannot be a legacy code too."})
        self.code, self.legacy_codes = code, ",".join(dict.fromkeys(legacy))
        owner = {  # every code of the other rows -> that row's current code
            other_code.lower(): other.code
            for other in Regulation.objects.exclude(pk=self.pk)
            for other_code in (other.code, *other.legacy_code_list)
        }
        if owner.get(code, code) != code:
            raise ValidationError(
                {"code": f"{code} is a legacy code of {owner[code]}: edit that regulation instead."}
            )
        clashes = [f"{c} ({owner[c]})" for c in self.legacy_code_list if c in owner]
        if clashes:
            raise ValidationError(
                {"legacy_codes": "Already a code of another regulation: " + ", ".join(clashes)}
            )


# Adobe takes at most 9 identities per data subject (adobe-api.md §2.4).
IDENTITY_SLOTS = 9


def _personal_search() -> Lower:
    """The values a member may search for, lower case, each right after a "|" (``|reference|user
    key|identity|...|``), so that one LIKE '%|text%' (trigram-indexed on PostgreSQL) finds any of
    them by its start."""
    parts = [TEAM_REFERENCE, F("user_key")]
    parts += [Coalesce(KT(f"user_ids__{slot}__value"), Value("")) for slot in range(IDENTITY_SLOTS)]
    # One flat "a || b || c" (Concat nests a pair per argument, past SQLite's parser depth).
    pieces = [piece for part in parts for piece in (Value("|"), part)]
    joined = Func(
        *pieces,
        Value("|"),
        template="(%(expressions)s)",
        arg_joiner=" || ",
        output_field=TextField(),
    )
    return Lower(joined)


class PrivacyJob(TimeStampedModel):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        PROCESSING = "processing", "Processing"
        COMPLETE = "complete", "Complete"
        ERROR = "error", "Error"

    UNFINISHED = (Status.SUBMITTED, Status.PROCESSING)

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="privacy_jobs"
    )
    job_id = models.CharField("Adobe job ID", max_length=100)
    request_id = models.CharField(max_length=100, blank=True, db_index=True)
    # Personal data: the data subject's key and who submitted. Shown to members only.
    user_key = models.CharField(max_length=500, blank=True)
    submitted_by = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=20, blank=True)  # access, delete (Adobe's words)
    regulation = models.CharField(max_length=40, blank=True)  # a Regulation.code
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    adobe_created_at = models.DateTimeField(null=True, blank=True)
    adobe_modified_at = models.DateTimeField(null=True, blank=True)
    download_url = models.URLField(max_length=2000, blank=True)
    user_ids = models.JSONField(default=list, blank=True)  # [{namespace, value, type}]
    # The last GET /jobs/{id} as Adobe sent it (JSON text), shown behind a toggle.
    raw_detail = models.TextField(blank=True)
    # Written by the database from the fields above (the search of members and admins).
    personal_search = models.GeneratedField(
        expression=_personal_search(), output_field=models.TextField(), db_persist=True
    )
    # What only members and admins see (dashboard.access.can_see_personal_data): the selectors
    # never read them for a viewer.
    PERSONAL_FIELDS = (
        "user_key",
        "submitted_by",
        "download_url",
        "user_ids",
        "raw_detail",
        "personal_search",
    )

    # What Lookout knows about its own view of the job.
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    # Adobe stops returning jobs 30 days after completion; Lookout keeps them.
    gone_at = models.DateTimeField(null=True, blank=True)
    detail_fetched_at = models.DateTimeField(null=True, blank=True)
    # adobe_modified_at when the detail was fetched: a newer listing means "changed".
    detail_modified_at = models.DateTimeField(null=True, blank=True)
    # Unfinished jobs are re-read on a backoff that grows with their age.
    next_detail_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-adobe_created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "job_id"], name="privacy_job_unique_per_org"
            ),
        ]
        indexes = [
            # The job list's orders, each ending in the id (dashboard.paging's keyset pages start
            # an index range at a row's values; read backwards for "oldest" and the last page).
            models.Index(
                fields=["organization", "-adobe_created_at", "-id"], name="privacy_job_newest"
            ),
            models.Index(
                fields=["organization", "status", "-adobe_created_at", "-id"],
                name="privacy_job_status_newest",
            ),
            models.Index(
                fields=["organization", "regulation", "-adobe_created_at", "-id"],
                name="privacy_job_by_regulation",
            ),
            models.Index(
                fields=["organization", "-adobe_modified_at", "-id"], name="privacy_job_changed"
            ),
            # The open jobs, a few in a hundred: the late filter (newest first), the deadline
            # sort's first segment, and the counts of open and late jobs, read from the index
            # alone (status and regulation included).
            models.Index(
                fields=["organization", "-adobe_created_at", "-id"],
                include=["status", "regulation"],
                condition=Q(status__in=["submitted", "processing"]),
                name="privacy_job_open_newest",
            ),
            # The open jobs per regulation, oldest first (the job list's overview): read in this
            # order from the index alone, neither sorted nor fetched from the table.
            models.Index(
                fields=["organization", "regulation", "adobe_created_at", "id"],
                include=["status", "code", "job_id"],
                condition=Q(status__in=["submitted", "processing"]),
                name="privacy_job_open_by_regulation",
            ),
            # The finished jobs by the day they finished (the job list's chart), from the index.
            models.Index(
                fields=["organization", "adobe_modified_at"],
                include=["status", "id"],
                condition=Q(status__in=["complete", "error"]),
                name="privacy_job_finished_by_day",
            ),
            models.Index(
                fields=["organization", "next_detail_at"],
                condition=Q(status__in=["submitted", "processing"]),
                name="privacy_job_detail_due",
            ),
            # The search: ids by their start (LIKE 'x%' needs the pattern operator class on
            # PostgreSQL; request_id has one from db_index), and the jobs of a submission's
            # people by their keys. personal_search's trigram index is in migration 0008_job_search.
            models.Index(
                fields=["job_id"], opclasses=["varchar_pattern_ops"], name="privacy_job_id_prefix"
            ),
            models.Index(fields=["organization", "user_key"], name="privacy_job_by_user_key"),
        ]

    def __str__(self) -> str:
        return self.job_id

    def get_absolute_url(self) -> str:
        return reverse("privacy:job_detail", args=[self.code])

    @property
    def is_finished(self) -> bool:
        return self.status not in self.UNFINISHED

    @property
    def is_gone(self) -> bool:
        return self.gone_at is not None

    def deadline(self, days_to_respond: int | None) -> datetime | None:
        if not self.adobe_created_at or days_to_respond is None:
            return None
        return self.adobe_created_at + timedelta(days=days_to_respond)


class ProductResponse(models.Model):
    """One product's answer to a job (Analytics, Audience Manager, ...)."""

    job = models.ForeignKey(PrivacyJob, on_delete=models.CASCADE, related_name="product_responses")
    product = models.CharField(max_length=100)
    status = models.CharField(max_length=40, blank=True)
    message = models.TextField(blank=True)
    response_code = models.CharField(max_length=40, blank=True)  # PRVCY-6000-200
    detail = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    retry_count = models.PositiveIntegerField(null=True, blank=True)
    processed_ids = models.JSONField(default=list, blank=True)
    ignored_ids = models.JSONField(default=list, blank=True)
    # Identities, for members and admins only (see PrivacyJob.PERSONAL_FIELDS).
    PERSONAL_FIELDS = ("processed_ids", "ignored_ids")

    class Meta:
        ordering = ["processed_at", "product"]
        constraints = [
            models.UniqueConstraint(fields=["job", "product"], name="product_response_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.product}: {self.status}"


class PrivacySyncState(BackgroundRun):
    """Per organization: the job sync, a background run on this row (failures are data, B.13)."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="privacy_sync"
    )
    backfilled_at = models.DateTimeField(null=True, blank=True)
    jobs_seen = models.PositiveIntegerField(default=0)
    # The last listing of every regulation over Adobe's whole 45 days that completed: jobs it
    # did not return are marked gone, and it is repeated daily to pick up new regulations.
    full_listing_at = models.DateTimeField(null=True, blank=True)
    # Regulations the organization has jobs under (from that listing): what polls list.
    regulations = models.JSONField(default=list, blank=True)
    # The last run in a few words: "2,000 jobs seen, 3 new, 5 updated, 41 requests".
    last_summary = models.CharField(max_length=200, blank=True)
    # The running sync's progress, written between pages by the run that holds the lease, so the
    # job list can show it: the jobs it listed so far and the regulation it is listing ("" once
    # it reads the details of jobs no listing refreshed). It started at ``last_attempt_at``.
    progress_jobs = models.PositiveIntegerField(default=0)
    progress_regulation = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return f"Privacy sync of {self.organization}"

    def running_for(self, now: datetime | None = None) -> str:
        """How long the running sync has been going ("2 min 05 s"); "" when none is running."""
        now = now or timezone.now()
        if not self.is_running(now) or self.last_attempt_at is None:
            return ""
        minutes, seconds = divmod(max(0, int((now - self.last_attempt_at).total_seconds())), 60)
        hours, minutes = divmod(minutes, 60)
        if hours:
            return f"{hours} h {minutes:02d} min"
        return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


class PrivacySubmission(TimeStampedModel):
    """A request Lookout sends to Adobe, recorded before it is sent (the idempotency key).

    A send that may have reached Adobe (a 5xx, a dropped connection, a read timeout) leaves it
    *uncertain*: it is never sent again, and reconciliation looks for its jobs at Adobe until it
    can say which it was, *sent* (jobs found) or *not received* (none, once the window
    ``LOOKOUT_PRIVACY_UNCERTAIN_WINDOW`` after sending has passed).
    """

    class Kind(models.TextChoices):
        JOBS = "jobs", "Access / delete request"
        CONSENT = "consent", "Opt-out of sale"

    class State(models.TextChoices):
        RECORDED = "recorded", "Recorded, not sent yet"
        SENT = "sent", "Accepted by Adobe"
        FAILED = "failed", "Not accepted"
        UNCERTAIN = "uncertain", "Sent, outcome unknown (checking with Adobe)"
        NOT_RECEIVED = "not_received", "Not received by Adobe"
        # Opt-outs only: Adobe has no way to look one up, so a lost answer stays unknown.
        UNKNOWN = "unknown", "Outcome unknown"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="privacy_submissions"
    )
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.JOBS)
    state = models.CharField(max_length=20, choices=State.choices, default=State.RECORDED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    regulation = models.CharField(max_length=40, blank=True)
    actions = models.JSONField(default=list)
    products = models.JSONField(default=list)
    # Personal data: the data subjects. Kept for reconciliation and the audit trail.
    users = models.JSONField(default=list)
    job_ids = models.JSONField(default=list, blank=True)
    # Why it failed, why its outcome is unknown, or why Adobe has no job from it, in words.
    error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Reconciling an uncertain submission: checks so far, failed ones in a row, the last one
    # (for a resolved submission, the one that resolved it), the next one, and why the last
    # one could not ask Adobe.
    checks = models.PositiveIntegerField(default=0)
    checks_failed = models.PositiveIntegerField(default=0)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    check_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The newest submissions, which the job search looks through for an identity.
            models.Index(fields=["organization", "-created_at"], name="privacy_submission_newest"),
            models.Index(
                fields=["next_check_at"],
                condition=Q(state="uncertain"),
                name="privacy_submission_check_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code}"

    @property
    def in_a_few_words(self) -> str:
        """The request without personal data: "access+delete under gdpr, 2 people, 2 jobs"."""
        if self.kind == self.Kind.CONSENT:
            return "opt-out"
        people, jobs = len(self.users), len(self.job_ids)
        return (
            f"{'+'.join(self.actions)} under {self.regulation}, "
            + ngettext("%(n)d person", "%(n)d people", people) % {"n": people}
            + ", "
            + ngettext("%(n)d job", "%(n)d jobs", jobs) % {"n": jobs}
        )

    @property
    def can_submit_again(self) -> bool:
        """Adobe has nothing from it (refused, never received; an opt-out, maybe not), so a
        member may send it again from a new form."""
        if self.state in (self.State.FAILED, self.State.NOT_RECEIVED):
            return True
        return self.kind == self.Kind.CONSENT and self.state == self.State.UNKNOWN

    @property
    def decide_by(self) -> datetime | None:
        """When an uncertain submission's jobs must have shown up at Adobe, if it received it."""
        if self.sent_at is None:
            return None
        return self.sent_at + timedelta(seconds=settings.LOOKOUT_PRIVACY_UNCERTAIN_WINDOW)

    @property
    def explanation(self) -> str:
        """What happened to it, in words a member reads under its state."""
        if self.state == self.State.SENT and self.checks:
            return (
                f"Adobe's answer was lost; Lookout found its jobs at Adobe at "
                f"{_utc(self.last_checked_at)} UTC. It was not sent again."
            )
        if self.state != self.State.UNCERTAIN:
            return self.error
        next_check = f"checking again at {_utc(self.next_check_at)} UTC"
        # No error: the process sending it stopped before Adobe's answer came.
        cause = f" ({self.error.rstrip('.')})" if self.error else ""
        lost = f"Adobe's answer was lost{cause}; it will not be sent again."
        decide_by = self.decide_by
        overdue = decide_by is not None and timezone.now() >= decide_by
        if self.check_error and overdue:
            return (
                f"Adobe could not be asked yet; {next_check}. Until then Lookout cannot say "
                f"whether Adobe received it. {lost} Last try: {self.check_error}"
            )
        if self.check_error:
            return (
                f"{lost} Adobe could not be asked yet; {next_check}. Last try: {self.check_error}"
            )
        if overdue:
            return (
                f"{lost} Lookout checks with Adobe at {_utc(self.next_check_at)} UTC, then says "
                "whether Adobe received it."
            )
        so_far = "Adobe has no job from it so far; " if self.checks else ""
        return (
            f"{lost} {so_far}Lookout looks for its jobs at Adobe (next check at "
            f"{_utc(self.next_check_at)} UTC) and says by {_utc(decide_by)} UTC whether Adobe "
            "received it."
        )


def _utc(moment: datetime | None) -> str:
    """HH:MM in UTC, with the date when it is not today."""
    if moment is None:
        return "—"
    moment = moment.astimezone(UTC)
    today = timezone.now().astimezone(UTC).date()
    return f"{moment:%H:%M}" if moment.date() == today else f"{moment:%Y-%m-%d %H:%M}"

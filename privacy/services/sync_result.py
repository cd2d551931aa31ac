"""What one privacy sync run did, in numbers and in one sentence for the sync state."""

from __future__ import annotations

from dataclasses import dataclass, field

from privacy.services.sync_store import PageCounts


@dataclass
class SyncResult:
    """What one run did; ``ran`` is False when another run held the organization's lease."""

    organization_id: int
    ran: bool = True
    full_listing: bool = False
    jobs_seen: int = 0
    created: int = 0
    updated: int = 0
    details: int = 0
    #: Job details Adobe did not return (404): the jobs keep what they had and are asked again.
    unread: int = 0
    gone: int = 0
    requests: int = 0
    error: str = ""
    skipped_regulations: list[str] = field(default_factory=list)
    #: Regulations whose listing ended short of Adobe's totalRecords: nothing marked gone.
    incomplete: list[str] = field(default_factory=list)
    #: The previous run was killed mid-way (its lease ran out): this one took over.
    resumed_killed_run: bool = False

    def count(self) -> None:
        """One more request sent to Adobe (the client's response hook)."""
        self.requests += 1

    def add(self, counts: PageCounts) -> None:
        self.created += counts.created
        self.updated += counts.updated
        self.details += counts.details
        self.unread += counts.unread

    @property
    def summary(self) -> str:
        kind = "Full listing" if self.full_listing else "Poll"
        text = (
            f"{kind}: {self.jobs_seen:,} jobs listed, {self.created:,} new, "
            f"{self.updated:,} updated, {self.gone:,} gone; "
            f"{self.details:,} job details read in {self.requests:,} requests"
        )
        if self.unread:
            text += f"; {self.unread:,} job details could not be read; asked again later"
        if self.incomplete:
            text += (
                f"; the listing of {', '.join(self.incomplete)} ended short, nothing marked gone"
            )
        if self.resumed_killed_run:
            text += "; resumed after a run that was killed"
        if self.skipped_regulations:
            text += f"; Adobe refused {', '.join(self.skipped_regulations)}"
        return text

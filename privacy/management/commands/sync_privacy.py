"""Run the Privacy Service job sync by hand: the same service the workers run."""

from __future__ import annotations

import contextlib
import uuid

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from dashboard.models import Organization
from privacy.services.sync import privacy_sync


class Command(BaseCommand):
    help = "Sync Privacy Service jobs from Adobe for one organization or all of them."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="Organization code or IMS org id (default: all).")
        parser.add_argument(
            "--backfill",
            action="store_true",
            help="List everything Adobe still returns (45 days, every regulation).",
        )

    def handle(self, *args, org: str | None, backfill: bool, **options):
        organizations = [self._organization(org)] if org else list(Organization.objects.all())
        failed = 0
        for organization in organizations:
            result = privacy_sync(organization_id=organization.pk, backfill=backfill)
            if not result.ran:
                self.stdout.write(
                    f"{organization}: skipped: another sync is running, or a failed one's "
                    "backoff is not over."
                )
            elif result.error:
                self.stderr.write(f"{organization}: failed: {result.error}")
                failed += 1
            else:
                self.stdout.write(f"{organization}: {result.summary}.")
        if failed:
            raise CommandError(f"{failed} organization(s) failed to sync.")

    def _organization(self, ref: str) -> Organization:
        lookup = Q(ims_org_id=ref)
        with contextlib.suppress(ValueError):
            lookup |= Q(code=uuid.UUID(ref))
        organization = Organization.objects.filter(lookup).first()
        if organization is None:
            raise CommandError(f"No organization with code or IMS org id {ref!r}.")
        return organization

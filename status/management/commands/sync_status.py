"""``manage.py sync_status``: the same polls beat runs, by hand."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from status.services.poll import status_events_poll, status_registry_poll


class Command(BaseCommand):
    help = "Poll Adobe Status now: the registry and messages, then incidents and maintenance."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--registry-only", action="store_true", help="Only the registry.")
        parser.add_argument("--events-only", action="store_true", help="Only the events.")

    def handle(self, *args, **options) -> None:
        failed = False
        if not options["events_only"]:
            outcome = status_registry_poll()
            self.stdout.write(f"Registry: {outcome}")
            failed |= outcome.ran and not outcome.ok
        if not options["registry_only"]:
            outcome = status_events_poll()
            self.stdout.write(f"Events: {outcome}")
            failed |= outcome.ran and not outcome.ok
        if failed:
            raise CommandError("Adobe Status could not be read; see the message above.")

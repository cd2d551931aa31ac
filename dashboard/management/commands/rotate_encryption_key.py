from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from dashboard.services.keys_rotation import encryption_keys_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret under the first key in LOOKOUT_ENCRYPTION_KEYS. "
        "Put the new key first, keep the old ones after it, run this, then drop the old keys."
    )

    def handle(self, *args, **options) -> None:
        report = encryption_keys_rotate()
        self.stdout.write(f"Re-encrypted {report.reencrypted} secrets under the first key.")
        if report.unreadable:
            raise CommandError(
                "No configured key can decrypt these (left unchanged):\n  "
                + "\n  ".join(report.unreadable)
            )
        self.stdout.write(self.style.SUCCESS("Every secret now uses the first key."))

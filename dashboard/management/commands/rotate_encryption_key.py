from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from dashboard import crypto
from dashboard.services.keys_rotation import RotationRefused, encryption_keys_rotate

ENVIRONMENT_ONLY = (
    "The keys come from LOOKOUT_ENCRYPTION_KEYS, the environment, which running processes read "
    "only when they start: a web server or worker still on the old keys could not read what this "
    "command re-encrypts. Restart every web, worker and beat process with the new key first in "
    "LOOKOUT_ENCRYPTION_KEYS (the old ones after it), then run this command again with "
    "--restarted. Nothing was changed. (With LOOKOUT_ENCRYPTION_KEYS_FILE instead, running "
    "processes pick up a new key file by themselves and no restart is needed.)"
)


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret under the first encryption key. Put the new key first in "
        "the key file (the old ones after it), run this, and only then remove the old keys. "
        "Refuses, changing nothing, unless every key loads and every stored secret decrypts."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--restarted",
            action="store_true",
            help="With keys from LOOKOUT_ENCRYPTION_KEYS (not a file): confirm that every web, "
            "worker and beat process has been restarted with the new keys.",
        )

    def handle(self, *args, restarted: bool = False, **options) -> None:
        try:
            keys = crypto.keys_load()
        except crypto.KeysInvalid as exc:
            raise CommandError(f"{exc} Nothing was changed.") from None
        if not keys.path and not restarted:
            raise CommandError(ENVIRONMENT_ONLY)
        try:
            report = encryption_keys_rotate()
        except RotationRefused as exc:
            problems = "".join(f"\n  {problem}" for problem in exc.problems)
            raise CommandError(f"{exc}{problems}\nNothing was changed.") from None
        self.stdout.write(
            f"Re-encrypted {report.reencrypted} secrets under the first key in {keys.name} "
            f"({report.unchanged} already were)."
        )
        older = len(report.keys.keys) - 1
        if not older:
            done = "Every secret uses the only key."
        elif keys.path:
            done = (
                f"Every secret now uses the first key: remove the {older} older key(s) from "
                f"{keys.path}; running processes pick up the file by themselves."
            )
        else:
            done = (
                f"Every secret now uses the first key: remove the {older} older key(s) from "
                "LOOKOUT_ENCRYPTION_KEYS and restart every process."
            )
        self.stdout.write(self.style.SUCCESS(done))

from __future__ import annotations

from django.core.management.base import BaseCommand

from dashboard.services.demo import demo_setup


class Command(BaseCommand):
    help = "Create the demo organization and its admin user, and print the login."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/")
        parser.add_argument("--username", default="admin")

    def handle(self, *args, url: str, username: str, **options) -> None:
        login = demo_setup(username=username)
        self.stdout.write(
            self.style.SUCCESS(
                f"\nLookout demo: open {url} and sign in with\n"
                f"    username: {login.username}\n"
                f"    password: {login.password}\n"
                f"(a new password is set on every `make run`)\n"
            )
        )

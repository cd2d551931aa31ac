from __future__ import annotations

from django.core.management.base import BaseCommand

from dashboard.services.demo import demo_setup, simulator_first_org


class Command(BaseCommand):
    help = (
        "Create the demo organization and its admin user, and print the login. With "
        "--simulator, the organization is the simulator's first one, with its credential."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/")
        parser.add_argument("--username", default="admin")
        parser.add_argument("--simulator", default="", help="The simulator's base URL.")

    def handle(self, *args, url: str, username: str, simulator: str, **options) -> None:
        simulated = simulator_first_org(simulator_url=simulator) if simulator else None
        login = demo_setup(username=username, simulated_org=simulated)
        self.stdout.write(
            self.style.SUCCESS(
                f"\nLookout demo: open {url} and sign in with\n"
                f"    username: {login.username}\n"
                f"    password: {login.password}\n"
                f"(a new password is set on every `make run`)\n"
            )
        )

from __future__ import annotations

from django.core.management.base import BaseCommand

from dashboard.services.demo import demo_setup, simulator_first_org, simulator_orgs


class Command(BaseCommand):
    help = (
        "Create the demo organization and its admin user, and print the login. With "
        "--simulator, the organization is the simulator's first one, with its credential; with "
        "--all-orgs too, every simulator organization is onboarded (make run's demo)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/")
        parser.add_argument("--username", default="admin")
        parser.add_argument("--simulator", default="", help="The simulator's base URL.")
        parser.add_argument(
            "--all-orgs",
            action="store_true",
            help="Onboard every simulator organization: the admin administers the first, is a "
            "member of the second, and is not in the others.",
        )

    def handle(
        self, *args, url: str, username: str, simulator: str, all_orgs: bool, **options
    ) -> None:
        if not simulator:
            simulated = []
        elif all_orgs:
            simulated = simulator_orgs(simulator_url=simulator)
        else:
            simulated = [simulator_first_org(simulator_url=simulator)]
        login = demo_setup(username=username, simulated_orgs=simulated)
        self.stdout.write(
            self.style.SUCCESS(
                f"\nLookout demo: open {url} and sign in with\n"
                f"    username: {login.username}\n"
                f"    password: {login.password}\n"
                f"(a new password is set on every `make run`)\n"
            )
        )
        roles = ", ".join(f"{m.get_role_display()} of {m.organization}" for m in login.memberships)
        self.stdout.write(f"{login.username}: {roles}")
        mine = {m.organization_id for m in login.memberships}
        others = [str(o) for o in login.organizations if o.pk not in mine]
        if others:
            self.stdout.write(f"Also onboarded, without {login.username}: {', '.join(others)}")

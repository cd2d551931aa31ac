"""Adobe Status at scale: one poll's requests and time at 200 incidents and 200 products, and the
status page's median latency.

    LOOKOUT_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_status \\
        .venv/bin/python bench/status_poll.py [--incidents 200] [--products 200] [--requests 50]

Starts its own simulator (``--incidents N``, a quarter of them ongoing), onboards one OAuth
credential, then times: the registry poll; the first events poll (which also reads the 40-day
window, so it stores every incident and maintenance); a steady-state poll (nothing changed); and
a poll after Adobe closed one incident. Request counts come from the simulator's own counters.
The simulator's registry has 18 products; the bench adds the rest as registry rows so the pages
and filters work on ``--products`` products, all watched by the organization. Then it requests
the status page (as an admin, through Django's test client) and prints the median latency.

The database is LOOKOUT_BENCH_DATABASE_URL (it is flushed: never point it at real data), else
SQLite under var/bench-status/.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from harness import (  # bench/ is on sys.path when a bench runs as a script
    configure_django,
    start_simulator,
)


def status_requests(control) -> int:
    endpoints = control.requests()["endpoints"]
    return sum(n for route, n in endpoints.items() if "/api/v1/" in route)


def timed_poll(control, label: str, poll) -> None:
    control.reset_requests()
    started = time.perf_counter()
    outcome = poll()
    elapsed = time.perf_counter() - started
    if not outcome.ok:
        sys.exit(f"{label} failed: {outcome}")
    print(
        f"{label:<34} {status_requests(control):>3} requests  {elapsed * 1000:8.0f} ms   "
        f"({outcome.message})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=200)
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--requests", type=int, default=50, help="status page requests")
    args = parser.parse_args()

    simulator, url = start_simulator(
        "--orgs", "1", "--jobs-per-org", "10", "--incidents", str(args.incidents)
    )
    try:
        configure_django(url, name="bench-status")
        run(url, args)
    finally:
        simulator.terminate()
        simulator.wait(timeout=10)


def run(url: str, args: argparse.Namespace) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from dashboard.services.organizations import organization_create
    from simulator.control import SimulatorControl
    from status.models import Cloud, Incident, Maintenance, Product
    from status.services.poll import status_events_poll, status_registry_poll
    from status.services.watching import watched_products_set
    from tests.conftest import onboard_oauth
    from tests.factories import UserFactory

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    control = SimulatorControl(url)
    generated = control.org(0)
    user = UserFactory(username="bench-admin")
    organization = organization_create(
        name="Bench Org", ims_org_id=generated.ims_org_id, admin=user
    )
    onboard_oauth(organization, generated)
    print(f"database: {connection.vendor}; simulator: {args.incidents} incidents")

    timed_poll(control, "registry poll", status_registry_poll)
    cloud = Cloud.objects.first()
    extra = args.products - Product.objects.count()
    Product.objects.bulk_create(
        [
            Product(adobe_id=f"bench-{n}", name=f"Bench product {n:03d}", cloud=cloud)
            for n in range(max(0, extra))
        ]
    )
    watched_products_set(
        organization=organization,
        product_ids=list(Product.objects.values_list("adobe_id", flat=True)),
    )
    timed_poll(control, "first events poll (40-day window)", status_events_poll)
    print(
        f"  stored: {Incident.objects.count()} incidents "
        f"({Incident.objects.filter(state='open').count()} open), "
        f"{Maintenance.objects.count()} maintenances, {Product.objects.count()} products"
    )
    timed_poll(control, "steady-state events poll", status_events_poll)
    open_one = Incident.objects.filter(state="open").first()
    control.advance(600)
    control.update_incident(open_one.adobe_id, status="Closed")
    timed_poll(control, "events poll after one closed", status_events_poll)

    client = Client()
    client.force_login(user)
    page = reverse("status:status_page", args=[organization.code])
    history = reverse("status:history", args=[organization.code])
    for label, target in (
        ("status page", page),
        ("status page ?partial=1", f"{page}?partial=1"),
        ("history page", history),
    ):
        client.get(target)  # warm up
        times = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(target)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        print(
            f"{label:<34} median {statistics.median(times):6.1f} ms  "
            f"p90 {statistics.quantiles(times, n=10)[-1]:6.1f} ms  ({args.requests} requests)"
        )


if __name__ == "__main__":
    main()

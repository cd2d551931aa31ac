"""The home page for one person in 1, 10 and 50 organizations: SQL queries and latency per page.

    createdb -h 127.0.0.1 -U postgres bench_home
    LOOKOUT_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_home \\
        .venv/bin/python bench/home_page.py [--orgs 1,10,50] [--samples 30]

Migrates the bench database and empties every one of its tables (``flush``: never point it at
real data), adds the default Regulation rows, a failing Status poll (the one installation-wide
attention entry) and one member. Then adds organizations, through the services, until the member
belongs to each ``--orgs`` size in turn (the data grows: 10 is the first one plus nine more). Each
organization has something of everything the home page shows, as
``tests/dashboard/test_home_queries.py`` builds it: three privacy jobs (one complete, one late,
one failed), a failing job sync, a credential needing attention, a product it watches with an
open incident and maintenance under way, the member's notification settings
(``notification_setting_save``) and one e-mail to the member that failed for good (the
"notifications to you could not be delivered" entry).

At each size, times ``dashboard:home`` ("full"), its in-place refresh (``?partial=1``) and the
page with every attention entry (``?attention=all``; the others show the worst 20) through
``django.test.Client`` (signed in with ``force_login``): after 3 warm-ups, ``--samples`` requests
each, printing the SQL queries per page (``CaptureQueriesContext``), median and 95th percentile in
ms, and the organization cards and attention entries on the page (all: 7 per organization and
the Status poll). Figures only, no pass or fail. The home page never calls
Adobe: no simulator.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta

from harness import configure_django_pages  # bench/ is on sys.path when a bench runs as a script
from privacy_sync import percentile

WARM_UPS = 3
PAGES = (("full", {}), ("partial", {"partial": "1"}), ("all", {"attention": "all"}))
CARD = 'data-testid="org-card"'
ENTRY = 'data-testid="attention-entry"'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--orgs", default="1,10,50", help="the member's organization counts, comma-separated"
    )
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    try:
        sizes = sorted({int(size) for size in args.orgs.split(",") if size.strip()})
    except ValueError:
        sys.exit(f"--orgs takes numbers separated by commas, not {args.orgs!r}")
    if not sizes or sizes[0] < 1:
        sys.exit("--orgs takes counts of at least 1")
    vendor = configure_django_pages("bench-home-page")
    member = seed()
    print(f"database {vendor}; {args.samples} requests per page after {WARM_UPS} warm-ups")
    print(f"\n{'orgs':>4}  {'page':<8} {'queries':>7} {'median ms':>9} {'p95 ms':>8} "
          f"{'cards':>5} {'attention':>9}")  # fmt: skip
    built = 0
    for size in sizes:
        while built < size:
            built += 1
            organization_seed(member, built)
        for page, query in PAGES:
            queries, median, p95, cards, entries = measure(member, query, args.samples)
            print(f"{size:>4}  {page:<8} {queries:>7} {median:9.1f} {p95:8.1f} {cards:>5} "
                  f"{entries:>9}")  # fmt: skip


def seed():
    """An empty bench database with the Regulation rows, a failing Status poll and the member."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from privacy.services.regulations import regulation_defaults_ensure
    from status.models import StatusSyncState

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)  # TRUNCATE: fast at any size
    regulation_defaults_ensure()  # without them no job is late
    StatusSyncState.objects.create(
        kind=StatusSyncState.Kind.EVENTS,
        last_success_at=timezone.now() - timedelta(minutes=30),
        consecutive_failures=1,
        last_error="Adobe Status did not answer",
    )
    return get_user_model().objects.create_user(username="bench-member", email="member@example.com")


def organization_seed(member, n: int) -> None:
    """Organization ``n``, the member in it, one of everything the home page shows (the query
    tests' own data, ``tests.home_scenario``), and a notification that could not be delivered."""
    from django.utils import timezone

    from dashboard.models import (
        Membership,
        NotificationDelivery,
        NotificationEvent,
        NotificationTopic,
    )
    from dashboard.services.notifications import SettingInput, notification_setting_save
    from tests.home_scenario import organization_with_news

    now = timezone.now()
    membership = organization_with_news(member, n, role=Membership.Role.MEMBER)
    organization = membership.organization
    notification_setting_save(
        membership=membership,
        data=SettingInput(
            topics=NotificationTopic.values, email=True, email_digest=False, webhook_url=None
        ),
    )
    event = NotificationEvent.objects.create(
        organization=organization,
        topic=NotificationTopic.INCIDENT,
        key=f"incident:i{n}:opened",
        title=f"Outage {n} opened",
        occurred_at=now,
    )
    NotificationDelivery.objects.create(
        event=event,
        channel=NotificationDelivery.Channel.EMAIL,
        membership=membership,
        target=f"email:{membership.pk}",
        state=NotificationDelivery.State.FAILED,
        attempts=5,
        last_error="The mail server refused the message. Gave up after 5 attempts.",
        last_error_at=now,
    )


def measure(member, query: dict[str, str], samples: int):
    """Queries per request, median and p95 ms, and the cards and attention entries shown."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    url = reverse("dashboard:home")
    client = Client()
    client.force_login(member)
    for _ in range(WARM_UPS):
        response = client.get(url, query)
        assert response.status_code == 200, response.status_code
    timings, queries = [], set()
    for _ in range(samples):
        with CaptureQueriesContext(connection) as captured:
            t0 = time.perf_counter()
            response = client.get(url, query)
            timings.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.status_code
        queries.add(len(captured.captured_queries))
    html = response.content.decode()
    counted = "-".join(str(n) for n in sorted({min(queries), max(queries)}))
    return (
        counted,
        statistics.median(timings),
        percentile(timings, 0.95),
        html.count(CARD),
        html.count(ENTRY),
    )


if __name__ == "__main__":
    main()

"""Every call Lookout makes to Adobe is counted per service and hour, with its 429s and errors,
and staff read the last 24 hours on the operations page.

The calls are real ones, to the simulator over HTTP, with its faults: a 503 from IMS, a 429 and a
503 from Privacy Service (retried within the call), and Adobe Status on a port nothing listens on.
"""

from __future__ import annotations

import html
import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.urls import reverse

from adobe import RetryPolicy
from adobe.errors import AdobeUnavailable
from dashboard.models import AdobeRequestHour
from dashboard.services import clients
from dashboard.services.clients import privacy_client, status_client
from dashboard.services.tokens import token_refresh
from simulator.control import JOBS
from tests.conftest import onboard_oauth

ROW = re.compile(r'<tr data-testid="adobe-request-row">(.*?)</tr>', re.S)
CELL = re.compile(r"<td>(.*?)</td>", re.S)


def request_table(page: str) -> list[list[str]]:
    """The operations page's "Calls to Adobe" table as staff read it, one list per row."""
    return [
        [
            " ".join(html.unescape(re.sub(r"<[^>]+>", "", cell)).split())
            for cell in CELL.findall(row)
        ]
        for row in ROW.findall(page)
    ]


def counts() -> dict[str, tuple[int, int, int]]:
    return {
        row.service: (row.requests, row.throttled, row.errors)
        for row in AdobeRequestHour.objects.all()
    }


@pytest.fixture
def quick_retries(monkeypatch):
    # The same read-retry policy but for its waits, so that the retries below take no time.
    monkeypatch.setattr(
        clients, "READ_RETRY", RetryPolicy(max_retries=2, backoff_base=0.01, backoff_cap=0.02)
    )


@pytest.fixture
def calls_with_faults(sim_org, adobe, settings, quick_retries):
    """IMS: a 503, then a token. Privacy Service: a 429 and a 503, then the page (one call).
    Adobe Status: refused three times (a call and its two retries)."""
    credential = onboard_oauth(sim_org, adobe.org(0))
    adobe.add_fault("server_error", status=503, surface="ims", count=1)
    assert not token_refresh(credential_id=credential.pk).ok  # a POST is sent once
    assert token_refresh(credential_id=credential.pk).ok

    adobe.add_fault("rate_limit", retry_after="0", endpoint=JOBS, count=1)
    adobe.add_fault("server_error", status=503, endpoint=JOBS, count=1)
    privacy_client(organization=sim_org).list_jobs_page(regulation="gdpr", page=1)

    settings.ADOBE_STATUS_API_URL = "http://127.0.0.1:9/api/v1"  # connection refused
    with pytest.raises(AdobeUnavailable, match="refused"):
        status_client(credential=credential).incidents()
    return credential


def test_every_attempt_is_counted_with_its_429s_and_errors_per_service(calls_with_faults):
    assert counts() == {
        "ims": (2, 0, 1),
        "privacy": (3, 1, 1),
        "status": (3, 0, 3),
    }
    hours = set(AdobeRequestHour.objects.values_list("hour", flat=True))
    now = datetime.now(UTC)
    assert hours == {now.replace(minute=0, second=0, microsecond=0)}


def test_staff_read_the_last_24_hours_of_calls_on_the_operations_page(
    client, staff, calls_with_faults
):
    client.force_login(staff)
    page = client.get(reverse("dashboard:operations")).content.decode()
    table = [row[1:] for row in request_table(page)]  # the hour aside
    assert table == [
        ["IMS", "2", "0", "1"],
        ["Privacy Service", "3", "1", "1"],
        ["Adobe Status", "3", "0", "3"],
    ]
    assert "Lookout has made no call to Adobe" not in page


def test_people_who_are_not_staff_get_a_404_from_the_operations_page(client, alice):
    client.force_login(alice)
    assert client.get(reverse("dashboard:operations")).status_code == 404


def test_the_page_says_when_no_call_was_made_and_leaves_out_older_hours(client, staff):
    long_ago = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=24)
    AdobeRequestHour.objects.create(service="privacy", hour=long_ago, requests=9, errors=9)
    client.force_login(staff)
    page = client.get(reverse("dashboard:operations")).content.decode()
    assert request_table(page) == []
    assert "Lookout has made no call to Adobe in the last 24 hours." in page


@pytest.mark.django_db
def test_calls_in_two_hours_count_in_two_rows():
    with time_machine.travel(datetime(2026, 3, 1, 14, 59, 30, tzinfo=UTC), tick=False) as clock:
        clients.adobe_request_record(service="privacy", status=200)
        clients.adobe_request_record(service="privacy", status=429)
        clock.shift(timedelta(minutes=1))
        clients.adobe_request_record(service="privacy", status=502)
    rows = AdobeRequestHour.objects.order_by("hour").values_list(
        "hour", "requests", "throttled", "errors"
    )
    assert list(rows) == [
        (datetime(2026, 3, 1, 14, tzinfo=UTC), 2, 1, 0),
        (datetime(2026, 3, 1, 15, tzinfo=UTC), 1, 0, 1),
    ]


def test_a_count_that_cannot_be_written_never_breaks_the_call(sim_org, adobe, monkeypatch, caplog):
    """Inside a caller's transaction too: the failed write is logged once and rolled back alone,
    and the caller's own writes go on."""
    credential = onboard_oauth(sim_org, adobe.org(0))
    monkeypatch.setattr(clients, "_COUNT_SQL", "INSERT INTO no_such_table VALUES (%s, %s, %s, %s)")
    logs = caplog.at_level(logging.WARNING, logger="dashboard.services.clients")
    with logs, transaction.atomic():
        assert token_refresh(credential_id=credential.pk).ok
        page = privacy_client(organization=sim_org).list_jobs_page(regulation="gdpr", page=1)
        credential.refresh_from_db()
    assert page is not None and credential.token_expires_at is not None
    assert not AdobeRequestHour.objects.exists()
    lines = [r.getMessage() for r in caplog.records if r.name == "dashboard.services.clients"]
    assert lines == [
        "Could not count a request to Adobe (ims): ProgrammingError",
        "Could not count a request to Adobe (privacy): ProgrammingError",
    ]


def test_the_count_writes_the_models_table():
    # The upsert is raw SQL: it must name AdobeRequestHour's table and columns.
    assert AdobeRequestHour._meta.db_table == "dashboard_adoberequesthour"
    columns = {field.column for field in AdobeRequestHour._meta.concrete_fields}
    assert {"service", "hour", "requests", "throttled", "errors"} <= columns
    assert connection.vendor in ("postgresql", "sqlite")

"""The audit log: every page of it (not only the newest 200), filters, and a CSV of the filter.

Read as an admin does: through the page, following the rendered pager links.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from dashboard.models import AuditEvent
from tests.pages import follow_pager

OLDER = re.compile(r'<a href="([^"]*)" rel="next"')
ROWS = re.compile(r'data-testid="audit-row">\s*<td><time datetime="([^"]+)"')
WHAT = re.compile(r'data-testid="audit-row">(?:\s*<td>.*?</td>){2}\s*<td>([^<]*)</td>', re.S)
DAY = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def _events(acme, alice, count: int) -> list[AuditEvent]:
    """``count`` events, one a minute back from DAY: alice's tests, the system's refreshes."""
    events = AuditEvent.objects.bulk_create(
        AuditEvent(
            organization=acme,
            actor=alice if i % 2 == 0 else None,
            action=(
                AuditEvent.Action.CREDENTIAL_TESTED
                if i % 2 == 0
                else AuditEvent.Action.TOKEN_REFRESHED
            ),
            credential_name="Acme privacy",
            detail=f"event {i}",
        )
        for i in range(count)
    )
    for i, event in enumerate(events):  # created_at is auto_now_add: set it afterwards
        AuditEvent.objects.filter(pk=event.pk).update(created_at=DAY - timedelta(minutes=i))
    return events


def _whats(response) -> set[str]:
    """The "What" cells of the page's rows."""
    return set(WHAT.findall(response.content.decode()))


@pytest.fixture
def admin_client(client, alice):
    client.force_login(alice)
    return client


def test_every_event_is_reachable_page_by_page_newest_first(admin_client, acme, alice, settings):
    settings.LOOKOUT_AUDIT_PAGE_SIZE = 100
    _events(acme, alice, 250)
    pages, last = follow_pager(
        admin_client, reverse("dashboard:audit_log", args=[acme.code]), "", link=OLDER, items=ROWS
    )
    assert [len(page) for page in pages] == [100, 100, 50]
    stamps = [stamp for page in pages for stamp in page]
    assert len(set(stamps)) == 250
    assert stamps == sorted(stamps, reverse=True)
    assert 'rel="prev"' in last  # the last page links back


def test_filters_by_action_person_and_days_and_the_pager_keeps_them(
    admin_client, acme, alice, settings
):
    settings.LOOKOUT_AUDIT_PAGE_SIZE = 20
    _events(acme, alice, 3 * 24 * 60 // 10)  # 432 events, one a minute: the last 7.2 hours
    path = reverse("dashboard:audit_log", args=[acme.code])

    pages, _ = follow_pager(
        admin_client, path, "?action=credential_tested", link=OLDER, items=ROWS, most=30
    )
    assert sum(len(page) for page in pages) == 216

    pages, _ = follow_pager(admin_client, path, "?person=system", link=OLDER, items=ROWS, most=30)
    assert sum(len(page) for page in pages) == 216
    assert _whats(admin_client.get(path, {"person": "system"})) == {"refreshed the access token"}
    assert _whats(admin_client.get(path, {"person": str(alice.pk)})) == {"tested the connection"}

    # Days are whole UTC days: everything is on DAY, nothing the day after.
    pages, _ = follow_pager(
        admin_client,
        path,
        "?date_from=2026-03-10&date_to=2026-03-10",
        link=OLDER,
        items=ROWS,
        most=30,
    )
    assert sum(len(page) for page in pages) == 432
    pages, _ = follow_pager(admin_client, path, "?date_from=2026-03-11", link=OLDER, items=ROWS)
    assert pages == [[]]


def test_the_filter_offers_the_people_in_the_log_and_ignores_nonsense(admin_client, acme, alice):
    _events(acme, alice, 4)
    path = reverse("dashboard:audit_log", args=[acme.code])
    page = admin_client.get(path).content.decode()
    assert f'<option value="{alice.pk}">alice</option>' in page
    assert '<option value="system">System</option>' in page
    # An invalid value is ignored, never an error.
    response = admin_client.get(path, {"person": "nobody", "date_from": "soon", "page": "x"})
    assert response.status_code == 200
    assert len(ROWS.findall(response.content.decode())) == 4


def test_the_csv_export_is_the_filtered_log_with_formulas_neutralised(admin_client, acme, alice):
    _events(acme, alice, 6)
    AuditEvent.objects.create(
        organization=acme,
        action=AuditEvent.Action.TOKEN_REFRESH_FAILED,
        credential_name="=cmd|' /C calc'!A0",
        detail="+1 -2 @SUM(A1)",
    )
    AuditEvent.objects.create(
        organization=acme,
        action=AuditEvent.Action.TOKEN_REFRESH_FAILED,
        credential_name="\tTab",
        detail="\rCR",
    )
    page = admin_client.get(reverse("dashboard:audit_log", args=[acme.code]), {"person": "system"})
    link = re.search(r'href="([^"]+)" data-testid="audit-export"', page.content.decode()).group(1)
    assert "person=system" in link

    response = admin_client.get(link.replace("&amp;", "&"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["when_utc", "who", "action", "what", "credential", "detail"]
    body = rows[1:]
    assert len(body) == 3 + 2  # the system's three refreshes and the two failures
    assert {row[1] for row in body} == {"System"}
    cells = {cell for row in body for cell in row[4:]}
    assert {"'=cmd|' /C calc'!A0", "'+1 -2 @SUM(A1)", "'\tTab", "'\rCR"} <= cells


def test_the_export_of_another_organization_is_a_404(client, charlie, acme, alice):
    _events(acme, alice, 2)
    client.force_login(charlie)
    assert client.get(reverse("dashboard:audit_export", args=[acme.code])).status_code == 404

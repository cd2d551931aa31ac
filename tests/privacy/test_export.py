"""The CSV export and the access-data download: personal data leaving Lookout, so members and
admins only, each recorded in the audit log, and a CSV no spreadsheet runs as formulas."""

from __future__ import annotations

import csv
import io

from django.urls import reverse

from adobe import PrivacyUser, UserIdentity
from dashboard.models import AuditEvent
from dashboard.services.clients import privacy_client
from privacy.models import PrivacyJob
from privacy.services.sync import privacy_sync
from tests.pages import request_submit
from tests.privacy.conftest import job_create


def _rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text, newline="")))  # keeps a quoted \r in its cell


def test_cells_a_spreadsheet_would_run_are_neutralised(client, member, sim_org, adobe):
    """User keys made at Adobe, and a reference sent from Lookout, that start like formulas: the
    real sync brings them in, and the export's cells start with a quote instead."""
    keys = ["=1+2", "+41", "-2+3", "@SUM(A1:A9)", "\tTAB", "\rCR", "case-9"]
    users = [
        PrivacyUser(
            key=key,
            actions=("access",),
            ids=(UserIdentity(namespace="email", value=f"p{n}@example.com"),),
        )
        for n, key in enumerate(keys)
    ]
    made = privacy_client(organization=sim_org).create_jobs(
        regulation="gdpr", users=users, include=["analytics"]
    )
    client.force_login(member)
    request_submit(client, sim_org, '=HYPERLINK("https://evil.example") | Email:q@example.com')
    privacy_sync(organization_id=sim_org.pk)
    assert set(
        PrivacyJob.objects.filter(job_id__in=[j.job_id for j in made.jobs]).values_list(
            "user_key", flat=True
        )
    ) == set(keys)  # stored as Adobe sent them

    rows = {
        row["job_id"]: row
        for row in _rows(client.get(reverse("privacy:job_export", args=[sim_org.code])))
    }

    exported = sorted(rows[job.job_id]["user_key"] for job in made.jobs)
    assert exported == sorted(
        ["'=1+2", "'+41", "'-2+3", "'@SUM(A1:A9)", "'\tTAB", "'\rCR", "case-9"]
    )
    sent = next(row for row in rows.values() if row["user_key"].startswith("LK"))
    assert sent["reference"] == '\'=HYPERLINK("https://evil.example")'
    assert not [
        (column, cell)
        for row in rows.values()
        for column, cell in row.items()
        if cell and cell[0] in "=+-@\t\r"
    ]


def test_an_export_is_recorded_with_its_filter_but_not_its_search_text(client, dave, bob, acme):
    job_create(acme, "job-failed", status="error", user_key="jane-ticket")
    job_create(acme, "job-done", user_key="jane-other")
    client.force_login(dave)

    rows = _rows(
        client.get(
            reverse("privacy:job_export", args=[acme.code]),
            {"status": "error", "q": "jane", "created_from": "not-a-date", "page": "2"},
        )
    )

    assert [row["job_id"] for row in rows] == ["job-failed"]
    event = AuditEvent.objects.get(action=AuditEvent.Action.PRIVACY_JOBS_EXPORTED)
    assert event.organization == acme and event.actor == dave
    assert event.detail == "1 job; status=error, a search (its text is not recorded)"
    # Every member reads the log, viewers too: it says who exported what, never whose data.
    client.force_login(bob)
    log = client.get(reverse("dashboard:audit_log", args=[acme.code])).content.decode()
    assert "exported privacy jobs as CSV" in log and "dave" in log and "jane" not in log


def test_a_viewer_may_not_export_and_nothing_is_recorded(client, bob, acme):
    job_create(acme, "job-done", user_key="jane-ticket")
    client.force_login(bob)
    assert client.get(reverse("privacy:job_export", args=[acme.code])).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PRIVACY_JOBS_EXPORTED).exists()


def test_a_download_is_recorded_with_its_job(client, member, sim_org, adobe, bob):
    created = adobe.create_jobs(0, regulation="gdpr", action="access", status="complete", count=1)
    job = job_create(sim_org, created[0]["job_id"], status="complete")
    bob.memberships.create(organization=sim_org, role="viewer")
    client.force_login(bob)
    assert client.get(reverse("privacy:job_download", args=[job.code])).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PRIVACY_DATA_DOWNLOADED).exists()

    client.force_login(member)
    response = client.get(reverse("privacy:job_download", args=[job.code]))

    assert response.status_code == 200 and response.content[:2] == b"PK"
    event = AuditEvent.objects.get(action=AuditEvent.Action.PRIVACY_DATA_DOWNLOADED)
    assert event.organization == sim_org and event.actor == member
    assert event.detail == f"Job {job.job_id} (access under gdpr)"
    log = client.get(reverse("dashboard:audit_log", args=[sim_org.code])).content.decode()
    assert "downloaded a job&#x27;s access data" in log and job.job_id in log

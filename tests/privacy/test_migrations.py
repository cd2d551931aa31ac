"""Data migrations that repair rows an older Lookout wrote."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("privacy", "0004_submission_checks")]
AFTER = [("privacy", "0005_unread_details_asked_again")]


@pytest.fixture
def migrate():
    def to(target):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(target)
        return executor.loader.project_state(target).apps

    yield to
    to(MigrationExecutor(connection).loader.graph.leaf_nodes())  # leave the schema current


@pytest.mark.django_db(transaction=True)
def test_details_a_passing_404_stamped_as_read_are_asked_again(migrate):
    apps = migrate(BEFORE)
    organization = apps.get_model("dashboard", "Organization").objects.create(
        name="Acme", ims_org_id="A1B2C3D4E5F6A7B8C9D0E1F2@AdobeOrg"
    )
    job = apps.get_model("privacy", "PrivacyJob").objects
    now = timezone.now()
    common = {"organization": organization, "status": "complete", "detail_fetched_at": now}
    job.create(job_id="lost-to-a-404", **common)  # stamped as read, no detail: the old defect
    job.create(job_id="read", raw_detail='{"jobId": "read"}', **common)
    job.create(job_id="gone", gone_at=now, **common)

    apps = migrate(AFTER)

    rows = {row.job_id: row for row in apps.get_model("privacy", "PrivacyJob").objects.all()}
    assert rows["lost-to-a-404"].detail_fetched_at is None
    assert rows["lost-to-a-404"].next_detail_at is not None
    assert rows["read"].detail_fetched_at == now and rows["read"].next_detail_at is None
    assert rows["gone"].detail_fetched_at == now

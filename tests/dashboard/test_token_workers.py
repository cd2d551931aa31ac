"""Four worker processes refreshing the same credentials at once make one IMS call each."""

from __future__ import annotations

from dashboard.models import AuditEvent, Credential
from dashboard.tasks import token_refresh_task, tokens_refresh_due_task
from tests.conftest import onboard_oauth
from tests.factories import OrganizationFactory
from tests.fixtures.celery_worker import wait_until


def test_overlapping_refreshes_on_four_workers_cost_one_ims_call_per_credential(
    adobe, celery_worker_process
):
    # Onboarding queues a first refresh too: one more overlapping request per credential.
    credentials = [
        onboard_oauth(OrganizationFactory(ims_org_id=generated.ims_org_id), generated)
        for generated in adobe.orgs()
    ]
    # Beat ticks and direct refreshes all at once: far more tasks than credentials.
    for _ in range(3):
        tokens_refresh_due_task.delay()
    for _ in range(8):
        for credential in credentials:
            token_refresh_task.delay(credential_id=credential.pk)

    def all_fresh() -> bool:
        return Credential.objects.filter(token_expires_at__isnull=False).count() == len(credentials)

    wait_until(all_fresh, what="every credential to hold a token")
    # Let the remaining tasks drain: they must find the tokens fresh and do nothing.
    celery_worker_process.wait_idle()
    refreshed = AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN_REFRESHED)
    assert sorted(refreshed.values_list("credential_id", flat=True)) == sorted(
        c.pk for c in credentials
    )  # one refresh recorded per credential, whatever the number of tasks
    assert not Credential.objects.exclude(lease_until=None).exists()  # every run let go
    for generated in adobe.orgs():
        assert adobe.token_issuances(generated.ims_org_id) == 1, generated.name
    assert adobe.request_count("POST /ims/token/v3") == len(credentials)
    for credential in Credential.objects.all():
        assert credential.health[0] == "ok"
        assert credential.consecutive_failures == 0

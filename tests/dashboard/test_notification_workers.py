"""Two real Celery workers, a real local webhook receiver and Django's file outbox: each change
Adobe makes reaches each recipient once, however many polls, scans and redelivered sends race."""

from __future__ import annotations

import time
from email import message_from_string

from django.conf import settings

from dashboard.models import Membership, NotificationDelivery
from dashboard.services.notifications import (
    SettingInput,
    notification_setting_save,
    team_webhook_add,
)
from dashboard.tasks import notification_deliver_task, notifications_scan_task
from status.services.poll import status_events_poll
from status.services.watching import watched_products_set
from status.tasks import status_events_poll_task
from tests.conftest import onboard_oauth
from tests.factories import MembershipFactory, UserFactory
from tests.fixtures.celery_worker import start_worker, stop_worker, wait_until
from tests.services import require

WATCHED = "503462"


def _outbox(folder) -> list:
    """Every message the file backend wrote (one file per connection, messages split by a line
    of dashes)."""
    messages = []
    for path in sorted(folder.glob("*.log")) if folder.exists() else []:
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                messages.append(message_from_string(chunk.strip()))
    return messages


def test_two_workers_deliver_each_change_once_to_each_recipient(
    adobe, sim_org, alice, webhook_receiver, transactional_db, tmp_path, capsys
):
    require(
        settings.CELERY_BROKER_URL.startswith("redis://"),
        "REDIS_URL is not set: worker tests run on the production broker, Redis",
    )
    outbox = tmp_path / "outbox"
    onboard_oauth(sim_org, adobe.org(0))
    assert status_events_poll().ok
    watched_products_set(organization=sim_org, product_ids=[WATCHED])
    dave = UserFactory(username="dave2")
    MembershipFactory(organization=sim_org, user=dave, role=Membership.Role.VIEWER)
    for user, path in ((alice, "/alice"), (dave, "/dave")):
        notification_setting_save(
            membership=Membership.objects.get(user=user, organization=sim_org),
            data=SettingInput(
                topics=["incident"],
                email=True,
                email_digest=False,
                webhook_url=webhook_receiver.url + path,
            ),
        )
    team_webhook_add(
        organization=sim_org,
        name="#ops",
        url=webhook_receiver.url + "/team",
        topics=["incident"],
        actor=alice,
    )
    env = {
        "LOOKOUT_WEBHOOK_ALLOW_LOCAL": "true",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(outbox),
    }
    workers = [
        start_worker(tmp_path, name=name, concurrency=2, extra_env=env) for name in ("a", "b")
    ]
    try:
        changed_at = time.time()
        adobe.create_incident(
            products=[WATCHED], severity="Major", title="Reports slow", message="Minutes."
        )
        # "Check Adobe now" twice and beat's scans racing the polls' own scans.
        for _ in range(2):
            status_events_poll_task.delay(scheduled=False)
        for _ in range(4):
            notifications_scan_task.delay()
        received = webhook_receiver.wait_for(3, timeout=60)
        latency = max(post.at for post in received) - changed_at
        wait_until(lambda: len(_outbox(outbox)) >= 2, what="two e-mails")
        workers[0].wait_idle()

        # Every send redelivered three times, to both workers at once.
        for delivery_id in NotificationDelivery.objects.values_list("pk", flat=True):
            for _ in range(3):
                notification_deliver_task.delay(delivery_id=delivery_id)
        for _ in range(2):
            notifications_scan_task.delay()
        workers[0].wait_idle()
        time.sleep(1)  # anything late would arrive now
    finally:
        for worker in workers:
            stop_worker(worker)

    paths = sorted(post.path for post in webhook_receiver.posts)
    assert paths == ["/alice", "/dave", "/team"]
    assert len({post.delivery for post in webhook_receiver.posts}) == 3
    assert all("Reports slow" in post.body["text"] for post in webhook_receiver.posts)
    mails = _outbox(outbox)
    assert sorted(m["To"] for m in mails) == ["alice@example.com", "dave2@example.com"]
    assert NotificationDelivery.objects.filter(state="sent").count() == 5
    # Both workers took part.
    ran = [w.log().count("dashboard.notification_deliver") for w in workers]
    assert all(ran), ran
    with capsys.disabled():
        print(f"\nnotification latency, Adobe's change to the last webhook post: {latency:.2f} s")

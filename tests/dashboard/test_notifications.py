"""Notifications as members get them: choices saved on the page, changes found at Adobe (the
simulator, over HTTP), e-mail in Django's outbox and posts on a real local webhook receiver.
Each change reaches each recipient once; failures are retried, then shown to the member."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from dashboard.models import (
    AuditEvent,
    ClientSecret,
    Credential,
    Membership,
    NotificationDelivery,
    NotificationEvent,
    NotificationSetting,
    NotificationTopic,
    TeamWebhook,
)
from dashboard.services.notification_delivery import delivery_send, digest_send
from dashboard.services.notifications import (
    SettingInput,
    deliveries_due,
    notification_setting_save,
    notifications_scan,
)
from dashboard.webhooks import WebhookRefused, webhook_url_check
from privacy.models import PrivacySyncState
from privacy.services.sync import privacy_sync
from simulator.control import JOBS
from status.services.poll import status_events_poll
from status.services.watching import watched_products_set
from tests.conftest import onboard_oauth
from tests.factories import MembershipFactory, UserFactory

WATCHED = "503462"
OTHER_PRODUCT = "503480"


def _deliver_all() -> None:
    """What the queued tasks do: send every due delivery (the worker tests run real workers)."""
    for delivery_id in deliveries_due(now=timezone.now()).values_list("pk", flat=True):
        delivery_send(delivery_id=delivery_id)


def _subscribe(
    membership, *, topics=(NotificationTopic.INCIDENT,), email=True, webhook=None, digest=False
):
    return notification_setting_save(
        membership=membership,
        data=SettingInput(
            topics=list(topics), email=email, email_digest=digest, webhook_url=webhook
        ),
    )


@pytest.fixture
def watching(adobe, sim_org, alice):
    """Alice's simulated organization, onboarded, with the Status registry read and one watched
    product; nothing of the past is sent."""
    onboard_oauth(sim_org, adobe.org(0))
    assert status_events_poll().ok
    watched_products_set(organization=sim_org, product_ids=[WATCHED])
    return sim_org


def _membership(user, organization):
    return Membership.objects.get(user=user, organization=organization)


# --- Webhook URLs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://8.8.8.8/hook", "https://"),
        ("https://10.1.2.3/hook", "private"),
        ("https://169.254.169.254/latest/meta-data", "private, loopback or link-local"),
        ("https://127.0.0.1/hook", "private"),
        ("https://[::1]/hook", "private"),
        ("https://192.168.0.10/hook", "private"),
        ("ftp://8.8.8.8/hook", "https://"),
        ("https://user:pw@8.8.8.8/hook", "user name or password"),
        ("https://no-such-host.invalid/hook", "could not be found"),
    ],
)
def test_outside_development_only_https_to_public_addresses_is_accepted(url, why):
    with pytest.raises(WebhookRefused, match="(?i)" + why.replace("(", r"\(")):
        webhook_url_check(url, allow_local=False)
    assert webhook_url_check("https://8.8.8.8/services/T1/B2/x", allow_local=False)


def test_in_development_plain_http_is_accepted_only_for_this_machine():
    assert webhook_url_check("http://127.0.0.1:9/hook", allow_local=True)
    with pytest.raises(WebhookRefused, match="https://"):
        webhook_url_check("http://8.8.8.8/hook", allow_local=True)


# --- The settings page ---------------------------------------------------------------------------


def test_a_member_chooses_topics_and_a_webhook_that_is_stored_encrypted(
    client, dave, acme, settings
):
    settings.LOOKOUT_WEBHOOK_ALLOW_LOCAL = False
    client.force_login(dave)
    url = reverse("dashboard:notifications", args=[acme.code])
    secret_path = "https://8.8.8.8/services/T000/B000/XXXXsecretXXXX"
    form = {"topics": ["incident", "privacy_job"], "email": "on", "webhook_url": secret_path}

    first = client.post(url, form)
    again = client.post(url, form)  # the same form posted twice: one setting, same choices

    assert first.status_code == again.status_code == 302
    setting = NotificationSetting.objects.get(membership__user=dave)
    assert NotificationSetting.objects.filter(membership__user=dave).count() == 1
    assert setting.topics == ["incident", "privacy_job"] and setting.email
    page = client.get(url).content.decode()
    assert "https://8.8.8.8/…" in page
    assert "XXXXsecretXXXX" not in page
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT webhook_url_encrypted, webhook_hint FROM dashboard_notificationsetting"
        )
        stored = " ".join(cursor.fetchone())
    assert "XXXXsecretXXXX" not in stored

    refused = client.post(url, {**form, "webhook_url": "https://169.254.169.254/x"})
    assert refused.status_code == 400
    assert "link-local" in refused.content.decode()
    setting.refresh_from_db()
    assert setting.webhook_hint == "https://8.8.8.8/…"  # a refused URL changes nothing

    removed = client.post(url, {"topics": ["incident"], "email": "on", "webhook_remove": "on"})
    assert removed.status_code == 302
    setting.refresh_from_db()
    assert setting.webhook_url_encrypted == "" and setting.topics == ["incident"]


def test_only_an_admin_adds_a_team_webhook_and_it_is_audited_by_host(
    client, alice, dave, acme, settings
):
    settings.LOOKOUT_WEBHOOK_ALLOW_LOCAL = False
    add = reverse("dashboard:team_webhook_add", args=[acme.code])
    form = {"name": "#privacy-ops", "url": "https://8.8.8.8/hooks/SECRETPART", "topics": ["sync"]}

    client.force_login(dave)
    assert client.post(add, form).status_code == 403
    assert not TeamWebhook.objects.exists()

    client.force_login(alice)
    assert client.post(add, form).status_code == 302
    webhook = TeamWebhook.objects.get()
    event = AuditEvent.objects.get(action=AuditEvent.Action.TEAM_WEBHOOK_ADDED)
    assert event.detail == "#privacy-ops (https://8.8.8.8/…)"
    page = client.get(reverse("dashboard:notifications", args=[acme.code])).content.decode()
    assert "#privacy-ops" in page and "SECRETPART" not in page

    client.force_login(dave)  # members see it, without a remove button
    page = client.get(reverse("dashboard:notifications", args=[acme.code])).content.decode()
    assert "#privacy-ops" in page and "Remove" not in page
    remove = reverse("dashboard:team_webhook_remove", args=[webhook.code])
    assert client.post(remove).status_code == 403

    client.force_login(alice)
    assert client.post(remove).status_code == 302
    assert not TeamWebhook.objects.exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TEAM_WEBHOOK_REMOVED).exists()


# --- From Adobe's change to the member -----------------------------------------------------------


def test_an_incident_on_a_watched_product_is_mailed_and_posted_once_per_change(
    watching, alice, adobe, webhook_receiver
):
    _subscribe(_membership(alice, watching), webhook=webhook_receiver.url + "/alice")
    created = adobe.create_incident(
        products=[WATCHED], severity="Major", title="Reports slow", message="Reports take minutes."
    )
    adobe.create_incident(products=[OTHER_PRODUCT], title="Elsewhere", message="Not watched.")
    assert status_events_poll().ok

    notifications_scan()
    notifications_scan()  # found twice: recorded once
    _deliver_all()
    _deliver_all()  # a redelivered task finds nothing due

    assert [m.subject for m in mail.outbox] == [
        "[Lookout] Simulated Org: Incident opened on Adobe Analytics: Reports slow"
    ]
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"]
    assert "Reports take minutes." in message.body
    assert "Open in Lookout: http://127.0.0.1:8000/orgs/" in message.body
    texts = webhook_receiver.texts()
    assert len(texts) == 1 and "Incident opened" in texts[0] and "Reports slow" in texts[0]
    assert "Elsewhere" not in " ".join(texts) + message.body

    # Adobe updates it, then closes it: one message for each change, to each channel.
    adobe.advance(600)
    adobe.update_incident(created["id"], message="Still slow, fix deploying.")
    assert status_events_poll().ok
    notifications_scan()
    _deliver_all()
    adobe.advance(600)
    adobe.update_incident(created["id"], status="Closed", message="Fixed.")
    assert status_events_poll().ok
    notifications_scan()
    _deliver_all()

    subjects = [m.subject for m in mail.outbox]
    assert len(subjects) == 3
    assert "Incident updated" in subjects[1] and "Incident closed" in subjects[2]
    assert len(webhook_receiver.texts()) == 3
    assert NotificationDelivery.objects.filter(state="sent").count() == 6


def test_nothing_from_before_the_member_subscribed_is_sent(watching, alice, adobe):
    adobe.create_incident(products=[WATCHED], title="Old news", message="Before.")
    assert status_events_poll().ok
    adobe.advance(hours=1)  # the member subscribes an hour later
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        _subscribe(_membership(alice, watching))

    notifications_scan()
    _deliver_all()

    assert mail.outbox == []


def test_another_organization_watching_nothing_hears_nothing(
    watching, alice, adobe, charlie, globex
):
    _subscribe(_membership(alice, watching))
    _subscribe(_membership(charlie, globex))
    adobe.create_incident(products=[WATCHED], title="Reports slow", message="Slow.")
    assert status_events_poll().ok

    notifications_scan()
    _deliver_all()

    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    assert not NotificationEvent.objects.filter(organization=globex).exists()


def test_a_failing_webhook_is_retried_with_backoff_then_shown_to_the_member(
    watching, alice, adobe, webhook_receiver, client, settings
):
    settings.LOOKOUT_NOTIFICATION_MAX_ATTEMPTS = 3
    membership = _membership(alice, watching)
    _subscribe(membership, email=False, webhook=webhook_receiver.url)
    webhook_receiver.answers = [500, 503, 500]
    adobe.create_incident(products=[WATCHED], title="Reports slow", message="Slow.")
    assert status_events_poll().ok
    notifications_scan()

    delivery = NotificationDelivery.objects.get()
    waits = []
    for _ in range(3):
        _deliver_all()
        delivery.refresh_from_db()
        if delivery.next_attempt_at:
            waits.append(round((delivery.next_attempt_at - delivery.last_error_at).total_seconds()))
            # Time passes: the retry is due.
            NotificationDelivery.objects.filter(pk=delivery.pk).update(
                next_attempt_at=timezone.now() - timedelta(seconds=1)
            )
    assert waits == [60, 120]  # 1 minute, then 2
    assert delivery.state == "failed" and delivery.attempts == 3
    assert (
        "answered 500" in delivery.last_error and "Gave up after 3 attempts" in delivery.last_error
    )
    assert webhook_receiver.posts == []

    client.force_login(alice)
    page = client.get(reverse("dashboard:notifications", args=[watching.code])).content.decode()
    assert "Not delivered: 127.0.0.1 answered 500." in page
    home = client.get(reverse("dashboard:home")).content.decode()
    assert "1 notification to you could not be delivered" in home
    settings.LOOKOUT_METRICS_TOKEN = "scrape-token"
    metrics = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token").content.decode()
    assert 'lookout_notification_failures{channel="webhook",state="failed"} 1.0' in metrics


def test_a_passing_failure_is_retried_and_then_delivered(watching, alice, adobe, webhook_receiver):
    _subscribe(_membership(alice, watching), email=False, webhook=webhook_receiver.url)
    webhook_receiver.answers = [429]
    adobe.create_incident(products=[WATCHED], title="Reports slow", message="Slow.")
    assert status_events_poll().ok
    notifications_scan()

    _deliver_all()
    delivery = NotificationDelivery.objects.get()
    assert delivery.state == "pending" and "answered 429" in delivery.last_error
    NotificationDelivery.objects.update(next_attempt_at=timezone.now())
    _deliver_all()

    delivery.refresh_from_db()
    assert delivery.state == "sent" and delivery.attempts == 2
    assert len(webhook_receiver.wait_for(1)) == 1


def test_the_daily_digest_gathers_held_e_mails_into_one(watching, alice, adobe):
    _subscribe(_membership(alice, watching), digest=True)
    for title in ("Reports slow", "Logins failing"):
        adobe.create_incident(products=[WATCHED], title=title, message="x")
    assert status_events_poll().ok
    notifications_scan()
    _deliver_all()
    assert mail.outbox == []  # held for the digest

    assert digest_send() == 1
    assert digest_send() == 0  # sent once

    assert len(mail.outbox) == 1
    assert "2 notifications" in mail.outbox[0].subject
    assert "Reports slow" in mail.outbox[0].body and "Logins failing" in mail.outbox[0].body


def test_a_team_webhook_hears_of_a_failing_privacy_sync_once_per_run_of_failures(
    adobe, sim_org, alice, webhook_receiver, settings
):
    from dashboard.services.notifications import team_webhook_add

    settings.LOOKOUT_NOTIFICATION_SYNC_FAILURES = 2
    onboard_oauth(sim_org, adobe.org(0))
    team_webhook_add(
        organization=sim_org, name="#ops", url=webhook_receiver.url, topics=["sync"], actor=alice
    )
    adobe.add_fault("server_error", status=503, endpoint=JOBS, count=100)
    for _ in range(3):
        # Each failure's backoff has passed.
        PrivacySyncState.objects.filter(organization=sim_org).update(next_attempt_at=None)
        assert privacy_sync(organization_id=sim_org.pk).error
        notifications_scan()
        _deliver_all()

    texts = webhook_receiver.wait_for(1)
    assert len(texts) == 1
    assert "Privacy job sync failed 2 times in a row" in texts[0].body["text"]


def test_a_failed_privacy_job_and_a_failing_token_are_told(adobe, sim_org, alice, settings):
    credential = onboard_oauth(sim_org, adobe.org(0))
    _subscribe(_membership(alice, sim_org), topics=["privacy_job", "token"])
    adobe.create_jobs(0, regulation="gdpr", action="delete", status="error", count=1)
    assert not privacy_sync(organization_id=sim_org.pk).error
    Credential.objects.filter(pk=credential.pk).update(
        consecutive_failures=1,
        last_error="Adobe IMS refused the client secret (invalid_client).",
        last_error_at=timezone.now(),
    )

    notifications_scan()
    _deliver_all()

    subjects = sorted(m.subject for m in mail.outbox)
    assert len(subjects) == 2
    assert "failed" in subjects[0] and "GDPR delete" in subjects[0]
    assert "Token refresh failing" in subjects[1]
    assert "invalid_client" in next(m.body for m in mail.outbox if "Token" in m.subject)


def test_a_secret_near_its_end_date_is_on_the_home_page_and_told_once_per_stage(
    client, alice, acme, acme_credential
):
    _subscribe(_membership(alice, acme), topics=["expiry"])
    secret = ClientSecret.objects.filter(credential=acme_credential).first()
    ClientSecret.objects.filter(pk=secret.pk).update(expires_at=timezone.now() + timedelta(days=20))

    notifications_scan()
    notifications_scan()
    _deliver_all()
    client.force_login(alice)
    home = client.get(reverse("dashboard:home")).content.decode()

    assert len(mail.outbox) == 1 and f"Client secret {secret.hint}" in mail.outbox[0].subject
    assert f"client secret {secret.hint} expires" in home

    ClientSecret.objects.filter(pk=secret.pk).update(expires_at=timezone.now() + timedelta(days=5))
    notifications_scan()
    _deliver_all()
    assert len(mail.outbox) == 2  # the 7-day warning is another message


def test_a_viewer_gets_no_personal_data(adobe, sim_org, alice, settings):
    viewer = UserFactory(username="vera")
    MembershipFactory(organization=sim_org, user=viewer, role=Membership.Role.VIEWER)
    onboard_oauth(sim_org, adobe.org(0))
    _subscribe(_membership(viewer, sim_org), topics=["privacy_job"])
    created = adobe.create_jobs(0, regulation="gdpr", action="access", status="error", count=1)
    assert not privacy_sync(organization_id=sim_org.pk).error

    notifications_scan()
    _deliver_all()

    assert len(mail.outbox) == 1
    body = mail.outbox[0].subject + mail.outbox[0].body
    job = adobe.job(created[0]["job_id"])
    for identity in job.get("userIds", []) or []:
        assert str(identity.get("value")) not in body

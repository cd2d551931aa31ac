"""The polls against the simulator: registry, events, timelines, closing, Retry-After, claims."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from dashboard.runs import run_claim
from privacy.services.sync import privacy_sync
from status.models import (
    Incident,
    IncidentUpdate,
    Maintenance,
    Product,
    Region,
    Service,
    StatusMessage,
    StatusSyncState,
)
from status.selectors import incident_timeline
from status.services.poll import LEASE, status_events_poll, status_registry_poll, sync_state_get

EVENTS = "GET /api/v1/events"
SCHEDULED = "GET /api/v1/events/scheduled"


def test_registry_and_events_parse_and_store(status_credential, adobe):
    outcome = status_events_poll()

    assert outcome.ok, outcome
    analytics = Product.objects.get(adobe_id="503462")
    assert analytics.name == "Adobe Analytics"
    assert analytics.cloud.name == "Adobe Experience Cloud"
    assert Product.objects.count() == 18
    assert Region.objects.get(adobe_id="reg-emea").name == "Europe, Middle East and Africa"
    assert Service.objects.filter(product=analytics).exists()
    assert StatusMessage.objects.get(locale="en", token="title.CM0001001").text == (
        "Investigating issue"
    )
    ongoing = {i["id"] for i in adobe.incidents() if i["products"][0]["status"] == "Opened"}
    stored_open = set(Incident.objects.filter(state="open").values_list("adobe_id", flat=True))
    assert stored_open == ongoing
    # The first poll reads the 40-day window too: past incidents are there, closed.
    assert Incident.objects.filter(state="closed").count() == len(adobe.incidents()) - len(ongoing)
    assert Maintenance.objects.filter(phase="scheduled").exists()
    assert Maintenance.objects.filter(phase="in_progress").exists()
    assert Maintenance.objects.filter(phase="done").exists()
    assert not IncidentUpdate.objects.filter(title="").exists()  # every token resolved
    assert "{startDateTime}" not in "".join(Maintenance.objects.values_list("message", flat=True))


def test_a_second_poll_changes_nothing_and_costs_two_requests(status_credential, adobe):
    status_events_poll()
    before = list(IncidentUpdate.objects.order_by("pk").values_list("pk", "key", "title"))
    adobe.reset_requests()

    outcome = status_events_poll()

    assert outcome.ok and outcome.requests == 2
    assert adobe.request_count(EVENTS) == 1 and adobe.request_count(SCHEDULED) == 1
    assert list(IncidentUpdate.objects.order_by("pk").values_list("pk", "key", "title")) == before


def test_an_incident_goes_discovery_opened_closed_across_polls(status_credential, adobe):
    status_events_poll()
    created = adobe.create_incident(
        products=["503463"],
        regions=["reg-na"],
        severity="Potential",
        status="Discovery",
        title="Ingestion delays",
        message="Batches to the data lake are late.",
    )
    status_events_poll()
    incident = Incident.objects.get(adobe_id=created["id"])
    assert (incident.state, incident.status, incident.title) == (
        "open",
        "Discovery",
        "Ingestion delays",
    )

    adobe.advance(20 * 60)
    adobe.update_incident(
        created["id"],
        status="Opened",
        severity="Major",
        title="Ingestion outage",
        message="No batches are processed.",
    )
    status_events_poll()
    incident.refresh_from_db()
    assert (incident.state, incident.status, incident.severity) == ("open", "Opened", "Major")

    adobe.advance(60 * 60)
    adobe.update_incident(created["id"], status="Closed")
    status_events_poll()
    incident.refresh_from_db()
    assert (incident.state, incident.status) == ("closed", "Closed")
    assert incident.ended_at - incident.started_at == timedelta(minutes=80)

    timeline = incident_timeline(incident=incident)
    assert [e.status for e in timeline] == ["Discovery", "Opened", "Closed"]
    assert [e.status_changed_from for e in timeline] == ["", "Discovery", "Opened"]
    assert timeline[1].severity_changed_from == "Potential"
    assert timeline[0].message == "Batches to the data lake are late."
    assert timeline[1].title == "Ingestion outage"
    assert timeline[2].title == "Issue resolved"


def test_a_closed_incident_leaves_the_feed_and_keeps_its_history(status_credential, adobe):
    created = adobe.create_incident(products=["503462"], severity="Minor")
    status_events_poll()
    adobe.advance(30 * 60)
    adobe.update_incident(created["id"], status="Closed")
    adobe.reset_requests()

    status_events_poll()  # gone from the ongoing list: one windowed read fetches its end

    assert adobe.request_count(EVENTS) == 2
    incident = Incident.objects.get(adobe_id=created["id"])
    assert incident.state == "closed" and incident.updates.count() == 2

    adobe.advance(days=45)  # Adobe forgets it after 40 days; Lookout does not
    status_events_poll()
    incident.refresh_from_db()
    assert incident.state == "closed" and incident.updates.count() == 2


def test_times_as_epoch_milliseconds_are_read_like_iso(status_credential, adobe):
    status_events_poll()
    iso = dict(Incident.objects.values_list("adobe_id", "started_at"))
    Incident.objects.all().delete()
    StatusSyncState.objects.filter(kind="events").update(backfilled_at=None)
    adobe.set_switch("status_times", "epoch_ms")

    assert status_events_poll().ok
    assert dict(Incident.objects.values_list("adobe_id", "started_at")) == iso


def test_a_long_retry_after_is_recorded_and_obeyed(status_credential, adobe):
    status_registry_poll()
    adobe.add_fault("rate_limit", retry_after=120, surface="status", count=1)

    outcome = status_events_poll()

    assert not outcome.ok
    state = StatusSyncState.objects.get(kind="events")
    assert state.last_error == (
        "Adobe Status is rate limiting requests (429) and asked Lookout to wait 120 s."
    )
    assert state.consecutive_failures == 1 and outcome.next_attempt_at == state.next_attempt_at
    assert timedelta(seconds=110) < state.next_attempt_at - timezone.now() <= timedelta(seconds=120)
    adobe.reset_requests()
    assert not status_events_poll().ran  # the next tick waits
    assert adobe.requests()["total"] == 0

    assert status_events_poll(now=timezone.now() + timedelta(seconds=121)).ok
    state.refresh_from_db()
    assert state.last_error == "" and state.consecutive_failures == 0


def test_a_short_retry_after_is_slept_through(status_credential, adobe):
    status_registry_poll()
    adobe.add_fault("rate_limit", retry_after=1, endpoint=EVENTS, count=1)
    adobe.reset_requests()

    assert status_events_poll().ok
    assert adobe.request_count(EVENTS) == 3  # the 429, its retry, the 40-day window


def test_overlapping_polls_cannot_run(status_credential, adobe):
    state = sync_state_get(kind="events")
    assert run_claim(StatusSyncState, pk=state.pk, lease=LEASE) is not None  # running elsewhere
    adobe.reset_requests()

    assert not status_events_poll().ran
    assert adobe.request_count(EVENTS) == 0


def test_without_a_status_credential_the_poll_says_so(adobe, sim_org):
    outcome = status_events_poll()

    assert not outcome.ok
    assert outcome.message == (
        "No credential for Adobe Status: Lookout has none with that usage. An organization "
        "admin adds one under Credentials & tokens."
    )
    assert StatusSyncState.objects.get(kind="events").last_error == outcome.message


def test_a_status_refusal_never_flags_the_credential_and_clears_itself(status_credential, adobe):
    """A 403 from Status is Status's failure: recorded on the poll, probed on a backoff, never a
    reason to stop the credential's token refreshes or its organization's privacy sync."""
    adobe.add_fault(
        "error",
        status=403,
        surface="status",
        body={"error_code": "403003", "message": "Api Key is invalid"},
    )

    outcome = status_registry_poll()

    assert not outcome.ok
    assert outcome.message.startswith("Adobe Status refused the credential (403): check that")
    status_credential.refresh_from_db()
    assert not status_credential.needs_attention and status_credential.access_token_encrypted
    state = StatusSyncState.objects.get(kind="registry")
    # Probed again on the slow backoff, not abandoned.
    assert timedelta(minutes=4) < state.next_attempt_at - timezone.now() <= timedelta(minutes=5)
    assert privacy_sync(organization_id=status_credential.organization_id).error == ""

    adobe.clear_faults()
    later = timezone.now() + timedelta(minutes=6)
    assert status_registry_poll(scheduled=True, now=later).ok
    state.refresh_from_db()
    assert state.last_error == "" and state.consecutive_failures == 0


def test_a_second_beat_at_an_offset_does_not_double_the_polls(status_credential, adobe):
    start = timezone.now()
    assert status_events_poll(scheduled=True, now=start).ok
    adobe.reset_requests()

    # A second beat ticking 60 s after the first, then the first beat's next tick.
    assert not status_events_poll(scheduled=True, now=start + timedelta(seconds=60)).ran
    assert adobe.requests()["total"] == 0
    assert status_events_poll(scheduled=True, now=start + timedelta(seconds=120)).ran
    assert not status_events_poll(scheduled=True, now=start + timedelta(seconds=180)).ran
    assert adobe.request_count(EVENTS) == 1

"""StatusClient against the simulator over real sockets: registry, messages, events, faults."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adobe import AdobeBadResponse, AdobeRateLimited, EventFilters

EVENTS = "GET /api/v1/events"
INCIDENTS = "GET /api/v1/events/incidents"
CLOUDS = "GET /api/v1/clouds"


def test_clouds_list_their_products_and_filter_by_name(simulator, status):
    clouds = status.clouds()
    assert clouds and all(cloud.products for cloud in clouds)
    first = clouds[0]
    assert [c.id for c in status.clouds(cloud_name=first.name)] == [first.id]
    assert [c.id for c in status.clouds(cloud_ids=[first.id])] == [first.id]


def test_products_filter_by_cloud(simulator, status):
    cloud = status.clouds()[0]
    products = status.products(cloud_ids=[cloud.id])
    assert {p.id for p in products} == {p.id for p in cloud.products}
    one = products[0]
    assert [p.id for p in status.products(product_ids=[one.id])] == [one.id]


def test_registry_lists_regions_locales_and_event_types(simulator, status):
    assert status.regions()
    assert "en" in {locale.code for locale in status.locales()}
    assert status.event_types()


def test_incident_titles_resolve_through_the_locale_messages(simulator, status):
    (catalog,) = status.messages("en")
    tokens = [update.title_token for incident in status.incidents() for update in incident.timeline]
    assert tokens
    for token in tokens:
        assert catalog.text(token), token


def test_events_hold_the_ongoing_incidents_and_maintenances(simulator, status):
    events = status.events()
    assert {i.id for i in events.incidents} == {i.id for i in status.incidents()}
    assert {m.id for m in events.maintenances} == {m.id for m in status.maintenance()}
    only_incidents = status.events(event_types=["incident"])
    assert only_incidents.maintenances == ()


def test_incident_timelines_are_in_message_time_order(simulator, status):
    timelines = [
        [u.message_time for u in incident.timeline if u.message_time]
        for incident in status.incidents(
            from_date=_today(simulator) - timedelta(days=39), to_date=_today(simulator)
        )
    ]
    assert any(len(times) > 1 for times in timelines)  # some order to check
    for times in timelines:
        assert times == sorted(times)


def test_incidents_filter_by_product(simulator, status):
    incidents = status.incidents(
        from_date=_today(simulator) - timedelta(days=39), to_date=_today(simulator)
    )
    product_id = incidents[0].products[0].id
    filtered = status.incidents(
        EventFilters(
            product_ids=[product_id],
            from_date=_today(simulator) - timedelta(days=39),
            to_date=_today(simulator),
        )
    )
    assert filtered
    assert all(product_id in {p.id for p in i.products} for i in filtered)


def test_a_past_window_includes_closed_incidents(simulator, status):
    window = status.incidents(
        from_date=_today(simulator) - timedelta(days=39), to_date=_today(simulator)
    )
    ongoing = status.incidents()
    assert len(window) > len(ongoing)


def test_scheduled_maintenance_lies_ahead(simulator, status):
    now = datetime.fromtimestamp(simulator.now(), tz=UTC)
    scheduled = status.scheduled()
    assert scheduled
    assert all(
        m.scheduled_at is None or m.scheduled_at >= now - timedelta(days=1) for m in scheduled
    )


@pytest.mark.parametrize("mode", ["iso", "epoch_s", "epoch_ms"])
def test_every_time_encoding_reads_the_same(simulator, status, mode):
    def starts():
        return {
            (i.id, p.id): p.started_at.replace(microsecond=0)
            for i in status.incidents()
            for p in i.products
        }

    spec = starts()
    simulator.set_switch("status_times", mode)
    assert starts() == spec


def test_throttled_status_calls_report_retry_after(simulator, status, counted):
    simulator.set_switch("status_throttle", 2)
    status.clouds()
    status.clouds()
    with pytest.raises(AdobeRateLimited) as caught:
        status.clouds()
    assert caught.value.from_server
    assert 1 <= caught.value.retry_after <= 5
    assert counted(CLOUDS) == 3


def test_a_status_server_error_is_retried(simulator, status, counted):
    ongoing = {i.id for i in status.incidents()}
    assert ongoing
    simulator.reset_requests()
    simulator.add_fault("server_error", status=503, count=1, endpoint=INCIDENTS)
    assert {i.id for i in status.incidents()} == ongoing
    assert counted(INCIDENTS) == 2


def test_malformed_status_json_is_a_bad_response(simulator, status):
    simulator.add_fault("malformed_json", count=1, endpoint=EVENTS)
    with pytest.raises(AdobeBadResponse):
        status.events()


def test_a_revoked_token_is_refreshed_once_for_status(simulator, org, status, counted):
    status.clouds()
    simulator.revoke_tokens(org.ims_org_id)
    assert status.clouds()
    assert counted(CLOUDS) == 3
    assert simulator.token_issuances(org.ims_org_id) == 2


def _today(simulator):
    return datetime.fromtimestamp(simulator.now(), tz=UTC).date()


def test_every_event_filter_is_sent_as_adobe_names_it():
    filters = EventFilters(
        cloud_ids=["1", "2"],
        environment_ids=["e"],
        offering_ids=["o"],
        product_ids=["p"],
        region_ids=["r"],
        service_ids=["s"],
        search="analytics",
        from_date=datetime(2025, 6, 1).date(),
        to_date=datetime(2025, 6, 2).date(),
        event_types=["incident"],
        locale="en",
        status="Opened",
        update_start=datetime(2025, 6, 1, tzinfo=UTC),
        update_end=1748822400,
        my_events=False,
    )
    assert filters.params() == [
        ("cloudIds", "1"),
        ("cloudIds", "2"),
        ("environmentIds", "e"),
        ("offeringIds", "o"),
        ("productIds", "p"),
        ("regionIds", "r"),
        ("serviceIds", "s"),
        ("eventTypes", "incident"),
        ("search", "analytics"),
        ("from", "2025-06-01"),
        ("to", "2025-06-02"),
        ("locale", "en"),
        ("status", "Opened"),
        ("updateStart", "1748736000"),
        ("updateEnd", "1748822400"),
        ("myEvents", "false"),
    ]


def test_region_and_search_filters_narrow_the_incidents(simulator, status):
    window = {"from_date": _today(simulator) - timedelta(days=39), "to_date": _today(simulator)}
    everything = status.incidents(**window)
    region = everything[0].scope.regions[0].id
    in_region = status.incidents(region_ids=[region], **window)
    assert in_region and all(region in {r.id for r in i.scope.regions} for i in in_region)
    name = everything[0].products[0].name
    found = status.incidents(search=name.split()[-1], **window)
    assert everything[0].id in {i.id for i in found}
    assert len(status.incidents(search="no product is called this", **window)) == 0

"""Adobe Status API: auth, registry, messages, events and their filters, throttling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.simulator.conftest import TIMEOUT, jwt_assertion


def _day(sim, days_ago: float) -> str:
    return (datetime.fromtimestamp(sim.now(), UTC) - timedelta(days=days_ago)).strftime("%Y-%m-%d")


def test_a_bearer_token_is_required(simulator):
    response = requests.get(
        f"{simulator.status_url}/clouds", params={"api_key": "StatusAdobeIOClient"}, timeout=TIMEOUT
    )

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("params", "headers", "code"),
    [({}, {}, "403000"), ({"api_key": "my-client-id"}, {}, "403003")],
)
def test_the_fixed_api_key_is_required(simulator, token, params, headers, code):
    response = requests.get(
        f"{simulator.status_url}/clouds",
        params=params,
        headers={"Authorization": f"Bearer {token}", **headers},
        timeout=TIMEOUT,
    )

    assert response.status_code == 403
    assert response.json()["error_code"] == code


def test_the_api_key_may_be_sent_as_a_header(simulator, token):
    response = requests.get(
        f"{simulator.status_url}/clouds",
        headers={"Authorization": f"Bearer {token}", "x-api-key": "StatusAdobeIOClient"},
        timeout=TIMEOUT,
    )

    assert response.status_code == 200


def test_a_jwt_token_needs_the_status_metascope(simulator, org):
    def token_for(metascopes):
        return requests.post(
            f"{simulator.ims_url}/ims/exchange/jwt",
            data={
                "client_id": org.client_id,
                "client_secret": org.client_secret,
                "jwt_token": jwt_assertion(org, ims=simulator.ims_url, metascopes=metascopes),
            },
            timeout=TIMEOUT,
        ).json()["access_token"]

    def clouds(token):
        return requests.get(
            f"{simulator.status_url}/clouds",
            params={"api_key": "StatusAdobeIOClient"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=TIMEOUT,
        )

    assert clouds(token_for(("ent_gdpr_sdk",))).status_code == 403
    assert clouds(token_for(("ent_status_api",))).status_code == 200


def test_clouds_filter_by_id_repeated_or_comma_separated_and_by_name(simulator, status_api):
    everything = status_api.get("/clouds").json()
    repeated = status_api.get("/clouds", params={"cloudId": ["503457", "503461"]}).json()
    comma = status_api.get("/clouds", params={"cloudId": "503457,503461"}).json()
    named = status_api.get("/clouds", params={"cloudName": "experience"}).json()

    assert len(everything) == 4
    assert [c["id"] for c in repeated] == [c["id"] for c in comma] == ["503457", "503461"]
    assert [c["name"] for c in named] == ["Adobe Experience Cloud"]
    assert {"id": "503462", "name": "Adobe Analytics"} in everything[0]["cloudProducts"]


def test_products_have_the_registry_hierarchy(simulator, status_api):
    products = status_api.get("/products", params={"productName": "analytics"}).json()

    assert [p["id"] for p in products] == ["503462"]
    product = products[0]
    assert set(product) == {
        "id",
        "name",
        "environments",
        "productOfferings",
        "productServices",
        "regions",
    }
    assert product["productOfferings"][0]["productServices"]


def test_regions_locales_and_event_types(simulator, status_api):
    assert {"id": "reg-na", "name": "North America"} in status_api.get("/regions").json()
    assert {"languageName": "French", "localeCode": "fr"} in status_api.get("/locales").json()
    assert status_api.get("/eventTypes").json()["incident"] == "Incident"


def test_messages_are_localized_and_filterable_by_token(simulator, status_api):
    french = status_api.get("/messages/fr").json()[0]
    english_one = status_api.get(
        "/messages/en-US", params={"messageToken": "title.CM0001004"}
    ).json()[0]

    assert french["languageCode"] == "fr"
    assert french["incidentMessages"]["title.CM0001004"]["textMessage"] == "Problème résolu"
    assert english_one["incidentMessages"] == {
        "title.CM0001004": {
            "htmlMessage": "<p>Issue resolved</p>",
            "textMessage": "Issue resolved",
            "token": "title.CM0001004",
        }
    }
    assert "{startDateTime}" in french["maintenanceMessages"]["message.CM0002001"]["textMessage"]
    assert status_api.get("/messages/xx").status_code == 404
    assert len(status_api.get("/messages").json()) == 5


def test_ongoing_incidents_have_open_products_with_history(simulator, status_api):
    incidents = status_api.get("/events/incidents").json()

    assert incidents
    for incident in incidents:
        assert {"id", "clouds", "environment", "offering", "products", "region", "services"} <= set(
            incident
        )
        product = incident["products"][0]
        assert product["status"] == "Opened"
        assert product["endedOn"] is None
        times = [h["messageTime"] for h in product["history"]]
        assert times == sorted(times)
        assert product["history"][-1]["titleToken"].startswith("title.CM")


def test_a_date_window_returns_closed_incidents_too(simulator, status_api):
    window = {"from": _day(simulator, 39), "to": _day(simulator, 0)}

    ongoing = status_api.get("/events/incidents").json()
    windowed = status_api.get("/events/incidents", params=window).json()

    assert len(windowed) > len(ongoing)
    assert {p["status"] for i in windowed for p in i["products"]} == {"Opened", "Closed"}


@pytest.mark.parametrize("bad", ["2026-13-01", "01/02/2026", "yesterday"])
def test_event_dates_must_be_yyyy_mm_dd(simulator, status_api, bad):
    assert status_api.get("/events", params={"from": bad}).status_code == 400


def test_events_filter_by_product_and_search(simulator, status_api):
    created = simulator.create_incident(products=["503480"], severity="Minor")
    other = simulator.create_incident(products=["503462"], severity="Major")

    by_product = status_api.get("/events/incidents", params={"productIds": "503480,503481"}).json()
    by_search = status_api.get("/events/incidents", params={"search": "acrobat"}).json()
    by_region = status_api.get("/events/incidents", params={"regionIds": "reg-zz"}).json()

    assert created["id"] in [i["id"] for i in by_product]
    assert other["id"] not in [i["id"] for i in by_product]
    assert created["id"] in [i["id"] for i in by_search]
    assert by_region == []


def test_an_incident_created_and_closed_through_control_shows_its_timeline(simulator, status_api):
    incident = simulator.create_incident(
        products=["503462"], severity="Major", title="Reports are slow", message="We are on it."
    )
    simulator.advance(hours=1)
    simulator.update_incident(incident["id"], status="Closed")

    ongoing_ids = [i["id"] for i in status_api.get("/events/incidents").json()]
    window = {"from": _day(simulator, 1), "to": _day(simulator, 0)}
    closed = next(
        i
        for i in status_api.get("/events/incidents", params=window).json()
        if i["id"] == incident["id"]
    )

    assert incident["id"] not in ongoing_ids
    product = closed["products"][0]
    assert product["status"] == "Closed"
    assert [h["status"] for h in product["history"]] == ["Opened", "Closed"]
    token = product["history"][0]["titleToken"]
    english = status_api.get("/messages/en", params={"messageToken": token}).json()[0]
    assert english["incidentMessages"][token]["textMessage"] == "Reports are slow"


def test_maintenance_moves_from_scheduled_to_started_to_completed(simulator, status_api):
    created = simulator.create_maintenance(
        products=["503463"], starts_in_seconds=3600, duration_seconds=7200
    )

    def ids(path):
        return [m["id"] for m in status_api.get(path).json()]

    assert created["id"] in ids("/events/scheduled")
    assert created["id"] not in ids("/events/maintenance")
    simulator.advance(hours=2)
    assert created["id"] in ids("/events/maintenance")
    assert created["id"] in [m["id"] for m in status_api.get("/events").json()["maintenances"]]
    simulator.advance(hours=2)
    assert created["id"] not in ids("/events/maintenance")


def test_maintenance_history_times_are_epoch_integers_by_spec(simulator, status_api):
    maintenance = status_api.get("/events/scheduled").json()[0]

    assert isinstance(maintenance["products"][0]["history"][0]["messageTime"], int)
    assert isinstance(maintenance["scheduledDate"], str)


@pytest.mark.parametrize(("mode", "kind"), [("epoch_ms", int), ("iso", str)])
def test_status_times_switch(simulator, status_api, mode, kind):
    simulator.set_switch("status_times", mode)

    incident = status_api.get("/events/incidents").json()[0]

    assert isinstance(incident["products"][0]["startedOn"], kind)
    if mode == "epoch_ms":
        assert incident["products"][0]["startedOn"] > 10**12


def test_more_than_50_requests_in_5_seconds_get_429_with_retry_after(simulator, status_api):
    statuses = [status_api.get("/regions").status_code for _ in range(51)]

    assert statuses[:50] == [200] * 50
    limited = status_api.get("/regions")
    assert statuses[50] == limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 5


def test_throttle_switch_can_turn_it_off(simulator, status_api):
    simulator.set_switch("status_throttle", 0)

    assert {status_api.get("/regions").status_code for _ in range(60)} == {200}

"""`python -m simulator --demo` (make run's): a scripted incident plays on the simulated clock.

Two minutes after the start an incident opens on Adobe Experience Platform, a few minutes later it
gets an update, later still it closes; through Adobe's own Status API, like any other incident. A
simulator started without `--demo` (every other test's) has no such incident.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from simulator.control import SimulatorControl
from simulator.server import start
from simulator.status_data import DEMO_INCIDENT_ID, DEMO_INCIDENT_PRODUCT
from tests.simulator.conftest import Api, oauth_token


@pytest.fixture(scope="module")
def demo_simulator() -> Iterator[SimulatorControl]:
    with start(orgs=2, jobs_per_org=20, frozen_clock=True, demo=True) as running:
        control = SimulatorControl(running.url)
        yield control
        control.close()


def _ongoing(sim: SimulatorControl) -> dict[str, dict]:
    """The ongoing incidents by id, read as Lookout reads them (GET /events, a bearer token)."""
    api = Api(
        sim.status_url,
        {"Authorization": f"Bearer {oauth_token(sim, sim.org(0))}"},
        params={"api_key": "StatusAdobeIOClient"},
    )
    try:
        return {i["id"]: i for i in api.get("/events").json()["incidents"]}
    finally:
        api.session.close()


def _in_window(sim: SimulatorControl) -> dict[str, dict]:
    return {i["id"]: i for i in sim.incidents()}


def test_the_demo_incident_opens_two_minutes_after_the_start(demo_simulator):
    demo_simulator.reset()
    assert DEMO_INCIDENT_ID not in _ongoing(demo_simulator)

    demo_simulator.advance(110)
    assert DEMO_INCIDENT_ID not in _ongoing(demo_simulator)

    demo_simulator.advance(15)
    incident = _ongoing(demo_simulator)[DEMO_INCIDENT_ID]
    (product,) = incident["products"]
    assert (product["id"], product["name"]) == (DEMO_INCIDENT_PRODUCT, "Adobe Experience Platform")
    assert product["status"] == "Opened"
    assert [h["titleToken"] for h in product["history"]] == ["title.CM0001001"]


def test_the_demo_incident_is_updated_then_closed(demo_simulator):
    demo_simulator.reset()
    demo_simulator.advance(8 * 60 + 5)
    product = _ongoing(demo_simulator)[DEMO_INCIDENT_ID]["products"][0]
    assert [h["titleToken"] for h in product["history"]] == ["title.CM0001001", "title.CM0001002"]
    assert product["endedOn"] is None

    demo_simulator.advance(15 * 60)
    assert DEMO_INCIDENT_ID not in _ongoing(demo_simulator)
    closed = _in_window(demo_simulator)[DEMO_INCIDENT_ID]["products"][0]
    assert closed["status"] == "Closed"
    assert closed["history"][-1]["status"] == "Closed"


def test_reset_plays_the_script_again(demo_simulator):
    demo_simulator.reset()
    demo_simulator.advance(3600)
    demo_simulator.reset()
    assert DEMO_INCIDENT_ID not in _in_window(demo_simulator)
    assert demo_simulator.config()["demo"] is True


def test_without_demo_there_is_no_scripted_incident(simulator):
    simulator.advance(3600)

    assert DEMO_INCIDENT_ID not in _in_window(simulator)
    assert simulator.config()["demo"] is False

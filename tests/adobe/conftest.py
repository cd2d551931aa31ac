"""Fixtures for the Adobe client tests that run against the simulator over real sockets.

The `simulator` fixture comes from the `tests.fixtures.simulator` plugin (registered by the
project's conftest, or with `-p tests.fixtures.simulator`). Clients here use short backoffs so that
fault tests stay fast; the backoff itself is a constructor parameter of every client.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from adobe import CachedTokenProvider, IMSClient, PrivacyClient, RetryPolicy, StatusClient

FAST_RETRY = RetryPolicy(max_retries=2, backoff_base=0.01, backoff_cap=0.05, max_retry_after=2.0)


@pytest.fixture
def org(simulator):
    return simulator.orgs()[0]


@pytest.fixture
def ims(simulator):
    return IMSClient(base_url=simulator.ims_url, timeout=5.0)


@pytest.fixture
def token_provider(ims, org):
    return CachedTokenProvider(
        lambda: ims.exchange_oauth(
            client_id=org.client_id, client_secret=list(org.client_secrets), scopes=org.scopes
        )
    )


@pytest.fixture
def sim_clock(simulator) -> Callable[[], datetime]:
    """The simulator's clock, so date-window checks agree with the server's."""
    return lambda: datetime.fromtimestamp(simulator.now(), tz=UTC)


def privacy_client_for(simulator, org, token_provider, sim_clock, **options) -> PrivacyClient:
    """A client of the simulated organization; ``options`` override its transport."""
    return PrivacyClient(
        base_url=simulator.privacy_url,
        client_id=org.client_id,
        ims_org_id=org.ims_org_id,
        token_provider=token_provider,
        clock=sim_clock,
        **{"timeout": 2.0, "retry": FAST_RETRY, **options},
    )


@pytest.fixture
def privacy(simulator, org, token_provider, sim_clock):
    return privacy_client_for(simulator, org, token_provider, sim_clock)


@pytest.fixture
def status(simulator, token_provider):
    return StatusClient(
        base_url=simulator.status_url, token_provider=token_provider, timeout=2.0, retry=FAST_RETRY
    )


@pytest.fixture
def counted(simulator):
    """`counted(route)`: requests the simulator served on a route (waits for slow ones to land)."""

    def count(route: str, *, expect: int | None = None, wait: float = 3.0) -> int:
        deadline = time.monotonic() + wait
        value = simulator.request_count(route)
        while expect is not None and value < expect and time.monotonic() < deadline:
            time.sleep(0.05)
            value = simulator.request_count(route)
        return value

    return count

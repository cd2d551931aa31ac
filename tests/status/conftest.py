from __future__ import annotations

import pytest

from tests.conftest import onboard_oauth


@pytest.fixture
def status_credential(adobe, sim_org):
    """The simulated organization's OAuth credential (usage: both), the installation's only one."""
    return onboard_oauth(sim_org, adobe.org(0))

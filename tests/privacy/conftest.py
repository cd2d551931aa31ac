from __future__ import annotations

import pytest

from dashboard.models import Membership
from tests.conftest import onboard_oauth
from tests.factories import MembershipFactory


@pytest.fixture
def member(sim_org, dave, adobe):
    """dave, a member (not admin) of the simulator's organization, which has a credential."""
    MembershipFactory(organization=sim_org, user=dave, role=Membership.Role.MEMBER)
    onboard_oauth(sim_org, adobe.org(0))
    return dave

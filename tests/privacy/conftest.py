from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from dashboard.models import Membership
from privacy.models import PrivacyJob
from tests.conftest import onboard_oauth
from tests.factories import MembershipFactory


@pytest.fixture
def member(sim_org, dave, adobe):
    """dave, a member (not admin) of the simulator's organization, which has a credential."""
    MembershipFactory(organization=sim_org, user=dave, role=Membership.Role.MEMBER)
    onboard_oauth(sim_org, adobe.org(0))
    return dave


def job_create(org, job_id, *, hours_ago=1, status="complete", regulation="gdpr", **kw):
    """A job Adobe created ``hours_ago`` hours ago, as a sync would have stored it."""
    return PrivacyJob.objects.create(
        organization=org,
        job_id=job_id,
        status=status,
        regulation=regulation,
        action=kw.pop("action", "access"),
        adobe_created_at=timezone.now() - timedelta(hours=hours_ago),
        **kw,
    )

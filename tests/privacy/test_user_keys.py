"""Lookout's user keys are read the same way in Python and in SQL (privacy.user_keys)."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from privacy.models import PrivacyJob
from privacy.user_keys import (
    LOOKOUT_CODE,
    TEAM_REFERENCE,
    team_reference,
    user_key_make,
    user_key_parse,
)
from tests.factories import OrganizationFactory

# Keys Lookout makes, keys that only look like them, and anything else a team or Adobe may send.
text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=30)
lookout_keys = st.builds(user_key_make, st.uuids(), st.integers(min_value=1, max_value=1000), text)
look_alikes = st.builds(lambda a, b, c: f"LK{a[:10]:<10}-{b}-{c}", text, text, text)
user_keys = st.one_of(lookout_keys, look_alikes, text)


def test_a_key_lookout_made_reads_back_as_its_parts():
    code = uuid.uuid4()
    key = user_key_make(code, 7, "TICKET-12-b")
    parsed = user_key_parse(key)
    assert (parsed.code, parsed.line, parsed.reference) == (code.hex[:10], "7", "TICKET-12-b")
    assert team_reference(user_key_make(code, 1, "")) == ""
    assert team_reference("someone-elses-key") == "someone-elses-key"


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(keys=st.lists(user_keys, min_size=1, max_size=8, unique=True))
def test_python_and_sql_read_every_key_alike(keys):
    organization = OrganizationFactory()
    PrivacyJob.objects.bulk_create(
        PrivacyJob(organization=organization, job_id=f"job-{i}", user_key=key)
        for i, key in enumerate(keys)
    )
    rows = PrivacyJob.objects.filter(organization=organization).annotate(
        sql_code=LOOKOUT_CODE, sql_reference=TEAM_REFERENCE
    )
    for row in rows:
        parsed = user_key_parse(row.user_key)
        assert row.sql_reference == team_reference(row.user_key)
        assert row.sql_code == (parsed.code if parsed else "")

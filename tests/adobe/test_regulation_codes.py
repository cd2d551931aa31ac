"""Regulation codes: the client sends any well-formed code and Adobe (the simulator) judges it.

Mapping legacy codes is Lookout's job (the Regulation table, tests/privacy/test_regulations.py);
``adobe.regulations`` is only the list of default rows.
"""

from __future__ import annotations

import pytest

from adobe import AdobeInvalidRequest, PrivacyUser, UserIdentity
from adobe.models.privacy_requests import regulation_code
from adobe.regulations import REGULATIONS

CREATE = "POST /data/core/privacy/jobs"
JOBS = "GET /data/core/privacy/jobs"
JANE = PrivacyUser(
    key="jane",
    actions=("access",),
    ids=(UserIdentity(namespace="email", value="jane@example.com"),),
)


@pytest.mark.parametrize(
    "value", ["", "   ", None, 42, "ucpa usa", "ucpa-usa", "gdpr;drop", "dsgvo_ä"]
)
def test_only_values_that_cannot_be_a_code_are_refused_before_sending(value):
    with pytest.raises(AdobeInvalidRequest) as caught:
        regulation_code(value)
    assert caught.value.field == "regulation"
    assert caught.value.status is None  # refused here, not by Adobe


def test_any_well_formed_code_is_sent_lower_cased_known_or_not():
    assert regulation_code(" PDPD_VNM ") == "pdpd_vnm"
    assert regulation_code("gdpr\n") == "gdpr"
    assert regulation_code("ucpa_usa") == "ucpa_usa"  # legacy codes are the caller's to map


def test_a_code_adobe_does_not_know_is_sent_and_adobe_refusal_is_raised(simulator, privacy):
    with pytest.raises(AdobeInvalidRequest) as caught:
        privacy.create_jobs(regulation="PDPD_VNM", users=[JANE], include=["analytics"])
    assert caught.value.status == 400
    assert "Invalid regulation 'pdpd_vnm'" in caught.value.message
    assert simulator.request_count(CREATE) == 1


def test_listing_a_code_adobe_does_not_know_asks_adobe(simulator, privacy):
    with pytest.raises(AdobeInvalidRequest) as caught:
        privacy.list_jobs(regulation="pdpd_vnm")
    assert caught.value.status == 400 and "Invalid regulation" in caught.value.message
    assert simulator.request_count(JOBS) >= 1


def test_a_code_adobe_accepts_is_sent_even_if_only_an_alias_in_the_defaults(simulator, privacy):
    # The swagger spells Quebec's law "ql25": an alias in Lookout's defaults, a code to Adobe.
    result = privacy.create_jobs(regulation="ql25", users=[JANE], include=["analytics"])
    assert len(result.jobs) == 1
    assert simulator.request_count(CREATE) == 1


def test_the_defaults_name_each_code_once_in_adobes_spelling():
    codes = [code for default in REGULATIONS for code in (default.code, *default.aliases)]
    assert len(codes) == len(set(codes))  # so a legacy code maps to one current code
    assert all(regulation_code(code) == code for code in codes)
    assert all(default.name and 0 < default.days_to_respond <= 365 for default in REGULATIONS)
    # The statutory periods the deadlines start from.
    days = {default.code: default.days_to_respond for default in REGULATIONS}
    assert (days["gdpr"], days["ccpa"], days["lgpd_bra"], days["icdpa_ia_usa"]) == (30, 45, 15, 90)

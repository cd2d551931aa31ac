"""Requests Adobe would refuse are refused before sending, naming the field (never the value)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from adobe.codes import outcome
from adobe.dates import parse_datetime
from adobe.errors import AdobeInvalidRequest
from adobe.models.privacy import UserIdentity
from adobe.models.privacy_requests import (
    MAX_USERS,
    CompanyContext,
    PrivacyUser,
    build_consent_request,
    build_job_request,
)
from adobe.privacy import PrivacyClient

ORG = "ACME00000000000000000001@AdobeOrg"
EMAIL = UserIdentity(namespace="email", value="person@example.com")


def _user(n: int = 0, ids: int = 1, actions: tuple[str, ...] = ("access",)) -> PrivacyUser:
    identities = tuple(
        UserIdentity(namespace="email", value=f"u{n}-{i}@example.com") for i in range(ids)
    )
    return PrivacyUser(key=f"user-{n}", actions=actions, ids=identities)


def _build(**overrides):
    arguments = {
        "ims_org_id": ORG,
        "regulation": "gdpr",
        "users": [_user()],
        "include": ["analytics"],
    }
    arguments.update(overrides)
    return build_job_request(**arguments)


def test_a_valid_request_gets_the_org_context_added():
    body = _build()
    assert body["companyContexts"] == [{"namespace": "imsOrgID", "value": ORG}]
    assert body["users"][0]["action"] == ["access"]


def test_a_thousand_users_are_accepted_and_one_more_is_refused():
    assert len(_build(users=[_user(n) for n in range(MAX_USERS)])["users"]) == MAX_USERS
    with pytest.raises(AdobeInvalidRequest, match="at most 1000 users") as caught:
        _build(users=[_user(n) for n in range(MAX_USERS + 1)])
    assert caught.value.field == "users"


def test_nine_identities_per_user_are_accepted_and_ten_refused():
    assert len(_build(users=[_user(ids=9)])["users"][0]["userIDs"]) == 9
    with pytest.raises(AdobeInvalidRequest) as caught:
        _build(users=[_user(0), _user(1, ids=10)])
    assert caught.value.field == "users[1].userIDs"
    assert "u1-0@example.com" not in str(caught.value)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"users": []}, "users"),
        ({"include": []}, "include"),
        ({"include": ["analytics", ""]}, "include"),
        ({"regulation": "not a law"}, "regulation"),
        ({"priority": "urgent"}, "priority"),
        ({"expand_ids": "yes"}, "expandIds"),
        ({"merge_policy_id": True}, "mergePolicyId"),
        ({"analytics_delete_method": "shred"}, "analyticsDeleteMethod"),
        ({"users": [PrivacyUser(key="", actions=("access",), ids=(EMAIL,))]}, "users[0].key"),
        ({"users": [PrivacyUser(key="k", actions=(), ids=(EMAIL,))]}, "users[0].action"),
        (
            {"users": [PrivacyUser(key="k", actions=("opt-out-of-sale",), ids=(EMAIL,))]},
            "users[0].action",
        ),
        ({"users": [PrivacyUser(key="k", actions=("access",), ids=())]}, "users[0].userIDs"),
        (
            {
                "users": [
                    PrivacyUser(
                        key="k",
                        actions=("access",),
                        ids=(UserIdentity(namespace="email", value=""),),
                    )
                ]
            },
            "users[0].userIDs[0].value",
        ),
        (
            {
                "users": [
                    PrivacyUser(
                        key="k",
                        actions=("access",),
                        ids=(UserIdentity(namespace="email", value="x", type="odd"),),
                    )
                ]
            },
            "users[0].userIDs[0].type",
        ),
        (
            {"company_contexts": [CompanyContext("imsOrgId", "OTHER@AdobeOrg")]},
            "companyContexts[0].value",
        ),
    ],
)
def test_invalid_job_requests_name_the_field(overrides, field):
    with pytest.raises(AdobeInvalidRequest) as caught:
        _build(**overrides)
    assert caught.value.field == field
    assert caught.value.permanent


def test_regulation_codes_are_sent_as_given_in_adobes_spelling():
    # Mapping legacy codes is Lookout's (the Regulation table); knowing codes is Adobe's.
    assert _build(regulation="ucpa_usa")["regulation"] == "ucpa_usa"
    assert _build(regulation=" GDPR ")["regulation"] == "gdpr"
    assert _build(regulation="pdpd_vnm")["regulation"] == "pdpd_vnm"


def test_duplicate_products_and_actions_are_sent_once():
    body = _build(
        include=["Analytics", "analytics", "target"],
        users=[_user(actions=("access", "delete", "access"))],
    )
    assert body["include"] == ["Analytics", "target"]
    assert body["users"][0]["action"] == ["access", "delete"]


def test_consent_needs_entities_with_values():
    with pytest.raises(AdobeInvalidRequest) as caught:
        build_consent_request(entities={})
    assert caught.value.field == "entities"
    with pytest.raises(AdobeInvalidRequest) as caught:
        build_consent_request(entities={"email": []})
    assert caught.value.field == "entities[0].values"


@pytest.fixture
def offline_client():
    # Validation happens before any request, so the base URL is never reached.
    return PrivacyClient(
        base_url="http://127.0.0.1:9",
        client_id="cid",
        ims_org_id=ORG,
        token_provider=lambda force_refresh=False: "unused",
        clock=lambda: datetime(2025, 6, 30, 12, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from_date": date(2025, 6, 1)}, "fromDate"),
        ({"from_date": date(2025, 6, 1), "to_date": date(2025, 5, 1)}, "toDate"),
        ({"from_date": date(2025, 5, 20), "to_date": date(2025, 6, 20)}, "toDate"),
        ({"from_date": date(2025, 5, 1), "to_date": date(2025, 5, 20)}, "fromDate"),
        ({"filter_date": date(2025, 5, 1)}, "filterDate"),
        ({"size": 1001}, "size"),
        ({"size": 0}, "size"),
        ({"status": "done"}, "status"),
        ({"regulation": "ucpa-xx"}, "regulation"),
    ],
)
def test_list_queries_adobe_would_refuse_are_refused_locally(offline_client, query, field):
    arguments = {"regulation": "gdpr", "page": 1, **query}
    with pytest.raises(AdobeInvalidRequest) as caught:
        offline_client.list_jobs_page(**arguments)
    assert caught.value.field == field


def test_a_thirty_day_window_within_45_days_is_accepted_locally(offline_client):
    params = offline_client._list_params(
        "gdpr", 100, None, date(2025, 5, 20), date(2025, 6, 19), None
    )
    assert params["fromDate"] == "2025-05-20"
    assert params["toDate"] == "2025-06-19"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("04/29/2021 09:53 PM GMT", datetime(2021, 4, 29, 21, 53, tzinfo=UTC)),
        ("04/21/2021 12:22 AM GMT", datetime(2021, 4, 21, 0, 22, tzinfo=UTC)),
        ("04/21/2021 12:22 PM GMT", datetime(2021, 4, 21, 12, 22, tzinfo=UTC)),
        ("2025-06-01T10:00:00", datetime(2025, 6, 1, 10, 0, tzinfo=UTC)),
        ("2025-06-01T12:00:00+02:00", datetime(2025, 6, 1, 10, 0, tzinfo=UTC)),
        ("2025-06-01T10:00:00Z", datetime(2025, 6, 1, 10, 0, tzinfo=UTC)),
        (1748772000, datetime(2025, 6, 1, 10, 0, tzinfo=UTC)),
        (1748772000000, datetime(2025, 6, 1, 10, 0, tzinfo=UTC)),
        ("1748772000000", datetime(2025, 6, 1, 10, 0, tzinfo=UTC)),
    ],
)
def test_every_adobe_date_format_becomes_aware_utc(text, expected):
    parsed = parse_datetime(text)
    assert parsed == expected
    assert parsed.utcoffset().total_seconds() == 0


def test_outcome_codes_have_titles():
    assert outcome("PRVCY-6052-200").title == "User IDs not found"
    assert outcome("prvcy-1030-400").is_error
    assert outcome("PRVCY-9999-200") is None

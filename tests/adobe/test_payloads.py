"""Every Adobe example payload in adobe-api.md Part 2 parses into the typed objects."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from adobe.ims import parse_token_response
from adobe.models.events import parse_events, parse_incidents, parse_maintenances
from adobe.models.privacy import UserIdentity, parse_create_result, parse_job_detail, parse_job_page
from adobe.models.privacy_requests import (
    CompanyContext,
    PrivacyUser,
    build_consent_request,
    build_job_request,
)
from adobe.models.status import (
    parse_clouds,
    parse_event_types,
    parse_locales,
    parse_messages,
    parse_products,
    parse_regions,
)
from tests.adobe.helpers import PAYLOADS, payload

ISSUED = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def test_oauth_token_expires_in_is_read_as_seconds():
    token = parse_token_response(payload("ims_oauth_token"), issued_at=ISSUED, unit="s")
    assert token.value == "{ACCESS_TOKEN}"
    assert token.token_type == "bearer"
    assert token.expires_at == ISSUED + timedelta(seconds=86399)


def test_jwt_token_expires_in_is_read_as_milliseconds():
    token = parse_token_response(payload("ims_jwt_token"), issued_at=ISSUED, unit="ms")
    assert token.expires_at == ISSUED + timedelta(milliseconds=86399992)
    assert timedelta(hours=23) < token.remaining(ISSUED) < timedelta(hours=24)


def test_job_list_example_parses_with_gmt_dates():
    page = parse_job_page(payload("privacy_job_list"), regulation="ccpa")
    assert page.total_records == 4
    assert page.jobs_key == "jobDetails"
    assert [job.action for job in page.jobs] == ["delete", "access", "access", "access"]
    first = page.jobs[0]
    assert first.job_id == "3f9d2e11-4c7a-481f-8f58-f49a113fd158"
    assert first.request_id == "16197332222128898RX-318"
    assert first.status == "complete"
    assert first.created_at == datetime(2021, 4, 29, 21, 53, tzinfo=UTC)
    assert first.last_modified_at == datetime(2021, 4, 29, 23, 20, tzinfo=UTC)
    assert first.regulation == "ccpa"
    # 12:22 AM is just after midnight, not noon.
    assert page.jobs[2].created_at == datetime(2021, 4, 21, 0, 22, tzinfo=UTC)


def test_job_list_under_jobs_key_parses_the_same():
    data = payload("privacy_job_list")
    data["jobs"] = data.pop("jobDetails")
    page = parse_job_page(data)
    assert page.jobs_key == "jobs"
    assert page.jobs == parse_job_page(payload("privacy_job_list")).jobs


def test_job_detail_example_has_product_responses_and_download_url():
    job = parse_job_detail(payload("privacy_job_detail"))
    assert job.job_id == "6fc09b53-c24f-4a6c-9ca2-c6076b0842b6"
    assert job.regulation == "ccpa"
    assert job.download_url == "http://..."
    assert [ident.namespace for ident in job.user_ids] == ["email", "ECID"]
    assert job.user_ids[0].namespace_id == 6
    assert job.user_ids[0].is_deleted_client_side is False
    products = {response.product: response for response in job.product_responses}
    assert set(products) == {"Analytics", "Profile", "AudienceManager"}
    analytics = products["Analytics"]
    assert analytics.retry_count == 0
    assert analytics.processed_at == datetime(2019, 10, 2, 20, 25, tzinfo=UTC)
    assert analytics.status.code == "PRVCY-6000-200"
    assert analytics.status.outcome.title == "Success"
    audience = products["AudienceManager"].status
    assert audience.outcome.title == "Partially completed"
    assert audience.results.processed == ("1123A4D5690B32A",)
    assert audience.results.ignored == ("dsmith@acme.com",)


def test_content_doc_example_uses_download_url_lowercase_spelling():
    job = parse_job_detail(payload("privacy_job_detail_content_doc"))
    assert job.download_url == (
        "https://platform.adobe.io/data/core/privacy/jobs/"
        "dbe3a6a6-f8e6-11ee-a365-8d1d6df81cc5/content"
    )
    assert job.regulation == "gdpr"
    (identity,) = job.product_responses
    assert identity.product == "Identity"
    assert identity.status.status == "submitted"
    assert identity.status.outcome is None


@pytest.mark.parametrize("name", ["privacy_create_response_doc", "privacy_create_response_swagger"])
def test_both_create_response_examples_parse(name):
    result = parse_create_result(payload(name))
    assert result.total_records == 3
    assert len(result.jobs) == 3
    assert sorted(a for job in result.jobs for a in job.actions) == ["access", "access", "delete"]


def test_create_response_doc_example_details():
    doc = parse_create_result(payload("privacy_create_response_doc"))
    assert doc.request_status == 1
    assert doc.request_id is None
    assert doc.jobs[0].user_key == "DavidSmith"
    swagger = parse_create_result(payload("privacy_create_response_swagger"))
    assert swagger.request_id == "16203318964318668RX-054"
    assert swagger.jobs[1].user_ids[1].namespace_id == 4


def test_create_response_under_job_details_key_parses():
    data = payload("privacy_create_response_swagger")
    data["jobDetails"] = data.pop("jobs")
    assert len(parse_create_result(data).jobs) == 3


def test_create_request_body_matches_the_documented_example():
    expected = payload("privacy_create_request")
    users = []
    for user in expected["users"]:
        ids = tuple(
            UserIdentity(
                namespace=ident["namespace"],
                value=ident["value"],
                type=ident["type"],
                is_deleted_client_side=ident.get("isDeletedClientSide"),
            )
            for ident in user["userIDs"]
        )
        users.append(PrivacyUser(key=user["key"], actions=tuple(user["action"]), ids=ids))
    body = build_job_request(
        ims_org_id="{ORG_ID}",
        regulation="ccpa",
        users=users,
        include=expected["include"],
        company_contexts=[CompanyContext("imsOrgID", "{ORG_ID}")],
        expand_ids=False,
        priority="normal",
        merge_policy_id=124,
    )
    assert body == expected


def test_consent_request_body_matches_the_documented_example():
    body = build_consent_request(
        entities={
            "email": ["dsmith@acme.com", "ajones@acme.com"],
            "ECID": ["443636576799758681021090721276"],
        }
    )
    assert body == payload("privacy_consent_request")


def test_status_clouds_example_parses():
    (cloud,) = parse_clouds(payload("status_clouds"))
    assert cloud.id == "503457"
    assert cloud.name == "Adobe Experience Cloud"
    assert [(p.id, p.name) for p in cloud.products] == [("503462", "Adobe Analytics")]


def test_status_incident_example_parses_into_a_timeline():
    (incident,) = parse_incidents(payload("status_incidents"))
    assert incident.id == "INC-1001"
    assert incident.severity == "Minor"
    assert [region.name for region in incident.scope.regions] == ["North America"]
    assert [cloud.id for cloud in incident.scope.clouds] == ["503457"]
    (product,) = incident.products
    assert product.status == "Opened"
    assert product.started_at == datetime(2025, 6, 1, 10, 0, tzinfo=UTC)
    assert product.ended_at is None
    (update,) = incident.timeline
    assert update.message_time == datetime(2025, 6, 1, 10, 5, tzinfo=UTC)
    assert update.title_token == "title.CM0001001"
    assert update.location_impact.region_ids == ("reg-na",)
    assert update.service_impact.offering_ids == ("off-1",)
    assert update.show_environment is False


def test_status_registry_examples_parse():
    (product,) = parse_products(payload("status_products"))
    assert product.environments[0].region_ids == ("reg-na", "reg-emea")
    assert product.offerings[0].service_ids == ("svc-1",)
    assert product.services[0].environment_ids == ("env-prod",)
    assert [r.id for r in parse_regions(payload("status_regions"))] == ["reg-na", "reg-emea"]
    assert [loc.code for loc in parse_locales(payload("status_locales"))] == ["en", "es"]
    types = parse_event_types(payload("status_event_types"))
    assert ("maintenance", "Maintenance") in [(t.key, t.label) for t in types]


def test_status_messages_resolve_tokens():
    (catalog,) = parse_messages(payload("status_messages"))
    assert catalog.language_code == "en"
    assert catalog.text("title.CM0001001") == "Reporting delays"
    assert catalog.text("message.MM0001") == "Planned upgrade."
    assert catalog.text("message.unknown") is None


def test_status_maintenance_reads_epoch_milliseconds_and_iso_times():
    (maintenance,) = parse_maintenances(payload("status_maintenance"))
    assert maintenance.status == "Scheduled"
    assert maintenance.maintenance_type == "Scheduled"
    assert maintenance.scheduled_at == datetime(2025, 6, 10, 2, 0, tzinfo=UTC)
    assert maintenance.reminders == (datetime(2025, 6, 9, 2, 0, tzinfo=UTC),)
    (update,) = maintenance.products[0].history
    assert update.message_time == datetime(2025, 6, 1, 10, 0, tzinfo=UTC)


def test_status_events_holds_incidents_and_maintenances():
    events = parse_events(payload("status_events"))
    assert [i.id for i in events.incidents] == ["INC-1001"]
    assert [m.id for m in events.maintenances] == ["MNT-2001"]


def test_every_payload_file_is_covered_by_a_test():
    source = (PAYLOADS.parent / "test_payloads.py").read_text()
    source += (PAYLOADS.parent / "test_errors.py").read_text()
    for path in PAYLOADS.glob("*.json"):
        assert f'"{path.stem}"' in source, path.name


def test_parsed_objects_are_frozen():
    job = parse_job_page(payload("privacy_job_list")).jobs[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        job.status = "error"  # type: ignore[misc]

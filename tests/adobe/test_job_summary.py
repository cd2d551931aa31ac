"""JobSummary: checked where every job needs it, read lazily elsewhere, and still a value.

The listing parser checks ``jobId`` and ``status`` at once and reads every other field on first
access. What callers were promised does not change: a malformed field raises AdobeBadResponse
naming it (now when it is read), objects are frozen, compare and hash by their fields, and keep
personal data out of ``repr``.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adobe import AdobeBadResponse, JobSummary
from adobe.models.privacy import parse_job_page, parse_job_summary
from tests.adobe.helpers import payload
from tests.adobe.test_parsers_property import json_values, mutated

FIELDS = (
    "job_id",
    "status",
    "action",
    "request_id",
    "user_key",
    "submitted_by",
    "created_at",
    "last_modified_at",
    "regulation",
)


def _page_with(index: int, **changes: Any) -> dict[str, Any]:
    data = payload("privacy_job_list")
    data["jobDetails"][index].update(changes)
    return data


def test_a_malformed_date_raises_naming_the_field_when_it_is_read():
    page = parse_job_page(_page_with(1, createdDate="13/45/2021 99:99 PM GMT"))
    job = page.jobs[1]

    assert job.job_id == "8ce192aa-7ba7-4975-b82e-8db2faadf14d"
    assert job.last_modified_at == datetime(2021, 4, 21, 21, 52, tzinfo=UTC)
    with pytest.raises(AdobeBadResponse) as caught:
        job.created_at  # noqa: B018
    assert caught.value.field == "jobDetails[1].createdDate"
    with pytest.raises(AdobeBadResponse):
        job.created_at  # noqa: B018 - raised again, never a wrong value kept


@pytest.mark.parametrize(
    ("key", "value", "attribute"),
    [
        ("action", 7, "action"),
        ("requestId", ["x"], "request_id"),
        ("userKey", {"a": 1}, "user_key"),
        ("submittedBy", 3.5, "submitted_by"),
        ("lastModifiedDate", True, "last_modified_at"),
        ("regulation", 1, "regulation"),
    ],
)
def test_every_lazy_field_names_itself_when_malformed(key, value, attribute):
    job = parse_job_page(_page_with(2, **{key: value})).jobs[2]
    with pytest.raises(AdobeBadResponse) as caught:
        getattr(job, attribute)
    assert caught.value.field == f"jobDetails[2].{key}"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"jobId": None}, "jobDetails[3].jobId"),
        ({"jobId": 1.5}, "jobDetails[3].jobId"),
        ({"status": None}, "jobDetails[3].status"),
        ({"status": 200}, "jobDetails[3].status"),
    ],
)
def test_a_job_without_an_id_or_a_status_fails_the_page_at_once(changes, field):
    with pytest.raises(AdobeBadResponse) as caught:
        parse_job_page(_page_with(3, **changes))
    assert caught.value.field == field


def test_a_job_that_is_not_an_object_fails_the_page_at_once():
    data = payload("privacy_job_list")
    data["jobDetails"][0] = "3f9d2e11"
    with pytest.raises(AdobeBadResponse) as caught:
        parse_job_page(data)
    assert caught.value.field == "jobDetails[0]"


def test_numeric_ids_are_read_as_their_decimal_text():
    job = parse_job_page(_page_with(0, jobId=12345, requestId=678)).jobs[0]
    assert (job.job_id, job.request_id) == ("12345", "678")


def test_status_and_action_are_lower_cased_and_the_asked_regulation_fills_a_gap():
    data = _page_with(0, status="Complete", action="DELETE", regulation="gdpr")
    jobs = parse_job_page(data, regulation="ccpa").jobs
    assert (jobs[0].status, jobs[0].action, jobs[0].regulation) == ("complete", "delete", "gdpr")
    assert jobs[1].regulation == "ccpa"


@pytest.mark.parametrize("name", FIELDS)
def test_every_field_is_frozen(name):
    job = parse_job_page(payload("privacy_job_list")).jobs[0]
    before = getattr(job, name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(job, name, "changed")
    assert getattr(job, name) == before
    with pytest.raises(AttributeError):
        job.extra = 1  # type: ignore[attr-defined]


def test_a_job_built_by_hand_equals_the_parsed_one_and_hashes_the_same():
    parsed = parse_job_page(payload("privacy_job_list"), regulation="ccpa").jobs[0]
    by_hand = JobSummary(
        job_id="3f9d2e11-4c7a-481f-8f58-f49a113fd158",
        status="complete",
        action="delete",
        request_id="16197332222128898RX-318",
        user_key="{USER_ID}",
        submitted_by="{USER_ID}",
        created_at=datetime(2021, 4, 29, 21, 53, tzinfo=UTC),
        last_modified_at=datetime(2021, 4, 29, 23, 20, tzinfo=UTC),
        regulation="ccpa",
    )
    assert by_hand == parsed
    assert hash(by_hand) == hash(parsed)
    assert len({by_hand, parsed}) == 1
    assert parsed != JobSummary(job_id=parsed.job_id, status="error")
    assert JobSummary("a", "complete") == JobSummary(job_id="a", status="complete")


def test_repr_shows_the_job_but_no_personal_data_and_never_raises():
    job = parse_job_page(
        _page_with(0, userKey="jane@example.com", submittedBy="ops@example.com", createdDate="x")
    ).jobs[0]
    shown = repr(job)
    assert "3f9d2e11-4c7a-481f-8f58-f49a113fd158" in shown
    assert "created_at=<malformed>" in shown
    assert "example.com" not in shown


def test_jobs_copy_and_pickle_as_values():
    job = parse_job_page(payload("privacy_job_list")).jobs[0]
    assert copy.copy(job) == job
    assert copy.deepcopy(job) == job
    assert pickle.loads(pickle.dumps(job)) == job  # noqa: S301 - our own bytes


def _read_all(job: JobSummary) -> None:
    for name in FIELDS:
        try:
            getattr(job, name)
        except AdobeBadResponse as exc:
            assert exc.field
            assert exc.message.startswith("Adobe response field")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_reading_any_field_of_a_mutated_page_gives_values_or_bad_response(data):
    try:
        page = parse_job_page(data.draw(mutated("privacy_job_list")))
    except AdobeBadResponse:
        return
    for job in page.jobs:
        _read_all(job)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.dictionaries(st.sampled_from(["jobId", "status", "createdDate"]), json_values))
def test_reading_any_field_of_any_job_gives_values_or_bad_response(data):
    try:
        job = parse_job_summary(data)
    except AdobeBadResponse:
        return
    _read_all(job)

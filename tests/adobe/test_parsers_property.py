"""Whatever JSON Adobe sends, every parser returns typed objects or raises AdobeBadResponse."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adobe import _parse
from adobe.errors import AdobeBadResponse, AdobeError
from adobe.http import decode_json_bytes
from adobe.http_errors import error_for_status
from adobe.ims import parse_token_response
from adobe.models import events, privacy, status
from tests.adobe.helpers import payload

ISSUED = datetime(2025, 1, 1, tzinfo=UTC)

PARSERS: dict[str, Callable[[Any], Any]] = {
    "token_seconds": partial(parse_token_response, issued_at=ISSUED, unit="s"),
    "token_milliseconds": partial(parse_token_response, issued_at=ISSUED, unit="ms"),
    "job_page": privacy.parse_job_page,
    "job_summary": privacy.parse_job_summary,
    "job_detail": privacy.parse_job_detail,
    "create_result": privacy.parse_create_result,
    "clouds": status.parse_clouds,
    "products": status.parse_products,
    "regions": status.parse_regions,
    "locales": status.parse_locales,
    "event_types": status.parse_event_types,
    "messages": status.parse_messages,
    "incidents": events.parse_incidents,
    "maintenances": events.parse_maintenances,
    "events": events.parse_events,
}

# The valid example each parser is mutated from.
EXAMPLES = {
    "token_seconds": "ims_oauth_token",
    "token_milliseconds": "ims_jwt_token",
    "job_page": "privacy_job_list",
    "job_detail": "privacy_job_detail",
    "create_result": "privacy_create_response_swagger",
    "clouds": "status_clouds",
    "products": "status_products",
    "regions": "status_regions",
    "locales": "status_locales",
    "event_types": "status_event_types",
    "messages": "status_messages",
    "incidents": "status_incidents",
    "maintenances": "status_maintenance",
    "events": "status_events",
}

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()  # NaN and infinities too: json.loads accepts them
    | st.text(max_size=30)
    | st.sampled_from(
        [
            "04/29/2021 09:53 PM GMT",
            "13/45/2021 99:99 PM GMT",
            "2025-06-01T10:00:00",
            "1e400",
            "99999999999999999999",
            "-1",
            "",
            "²",
            "complete",
            "true",
        ]
    )
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)


def _assert_only_typed_errors(parser: Callable[[Any], Any], data: Any) -> None:
    try:
        parser(data)
    except AdobeBadResponse as exc:
        assert exc.field
        assert exc.message.startswith("Adobe response field")


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=json_values)
def test_arbitrary_json_gives_typed_objects_or_bad_response(name, data):
    _assert_only_typed_errors(PARSERS[name], data)


def _mutate(draw: st.DrawFn, value: Any) -> Any:
    """A copy of ``value`` with one subtree replaced or one key removed."""
    if isinstance(value, dict | list) and value and draw(st.booleans()):
        keys = list(value.keys()) if isinstance(value, dict) else list(range(len(value)))
        key = draw(st.sampled_from(keys))
        copy = dict(value) if isinstance(value, dict) else list(value)
        if isinstance(copy, dict) and draw(st.integers(0, 3)) == 0:
            del copy[key]
        else:
            copy[key] = _mutate(draw, value[key])
        return copy
    return draw(json_values)


@st.composite
def mutated(draw: st.DrawFn, example: str) -> Any:
    return _mutate(draw, payload(example))


@pytest.mark.parametrize("name", sorted(EXAMPLES))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_examples_give_typed_objects_or_bad_response(name, data):
    _assert_only_typed_errors(PARSERS[name], data.draw(mutated(EXAMPLES[name])))


@settings(max_examples=200, deadline=None)
@given(content=st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()))
def test_any_body_decodes_or_raises_bad_response(content):
    try:
        decode_json_bytes(content)
    except AdobeBadResponse as exc:
        assert exc.field == "<body>"


@settings(max_examples=200, deadline=None)
@given(
    status_code=st.integers(min_value=300, max_value=599),
    content=st.binary(max_size=100) | json_values.map(lambda v: json.dumps(v).encode()),
    retry_after=st.none() | st.text(max_size=40),
)
def test_any_error_answer_becomes_an_adobe_error(status_code, content, retry_after):
    error = error_for_status(
        "GET", "/jobs", status=status_code, content=content, retry_after=retry_after
    )
    assert isinstance(error, AdobeError)
    assert str(status_code) in str(error)


@settings(max_examples=300, deadline=None)
@given(value=json_values)
def test_any_date_value_parses_or_raises_bad_response(value):
    try:
        parsed = _parse.as_datetime(value, "when")
    except AdobeBadResponse as exc:
        assert exc.field == "when"
    else:
        assert parsed.tzinfo is not None

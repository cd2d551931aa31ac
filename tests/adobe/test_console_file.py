"""Whatever bytes an admin uploads as a Developer Console file: a ConsoleCredential or words.

The parser is shared by the onboarding page and ``manage.py onboard_credential``; its messages
name the field by its path in the file and never quote a value (the file holds secrets).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adobe.console import (
    MAX_BYTES,
    MAX_DEPTH,
    ConsoleCredential,
    ConsoleFileError,
    parse_console_credential,
)

SECRET = "p8e-console-secret-never-echoed"
ORG = "0123456789ABCDEF01234567@AdobeOrg"
FLAT: dict[str, Any] = {
    "CLIENT_ID": "client-1",
    "CLIENT_SECRETS": [SECRET],
    "ORG_ID": ORG,
    "SCOPES": ["openid", "AdobeID"],
    "TECHNICAL_ACCOUNT_ID": "tech@techacct.adobe.com",
    "TECHNICAL_ACCOUNT_EMAIL": "tech@techacct.adobe.com",
}
OAUTH = "project.workspace.details.credentials[0].oauth_server_to_server"


OAUTH_FIELDS = {
    "client_id": "client-1",
    "client_secrets": [SECRET],
    "technical_account_id": "tech@techacct.adobe.com",
    "technical_account_email": "tech@techacct.adobe.com",
    "scopes": ["openid", "AdobeID"],
}
_DEFAULT = object()


def _project(oauth: Any = _DEFAULT, *, org: Any = _DEFAULT) -> dict:
    return {
        "project": {
            "name": "Lookout",
            "org": {"ims_org_id": ORG} if org is _DEFAULT else org,
            "workspace": {
                "details": {
                    "credentials": [
                        {
                            "id": "1",
                            "name": "OAuth",
                            "oauth_server_to_server": OAUTH_FIELDS if oauth is _DEFAULT else oauth,
                        }
                    ]
                }
            },
        }
    }


def _refused(document: Any) -> str:
    raw = document if isinstance(document, bytes) else json.dumps(document).encode()
    with pytest.raises(ConsoleFileError) as caught:
        parse_console_credential(raw)
    message = str(caught.value)
    assert SECRET not in message
    return message


@pytest.mark.parametrize("document", [FLAT, _project()], ids=["flat", "project"])
def test_both_shapes_read_into_one_typed_credential(document):
    parsed = parse_console_credential(json.dumps(document).encode())
    assert parsed == ConsoleCredential(
        client_id="client-1",
        client_secrets=(SECRET,),
        scopes=("openid", "AdobeID"),
        technical_account_id="tech@techacct.adobe.com",
        technical_account_email="tech@techacct.adobe.com",
        ims_org_id=ORG,
    )
    assert SECRET not in repr(parsed)


def test_a_utf8_byte_order_mark_is_dropped_and_lone_strings_read_as_lists():
    document = {**FLAT, "CLIENT_SECRETS": SECRET, "SCOPES": "openid, AdobeID\nread_organizations"}
    parsed = parse_console_credential(b"\xef\xbb\xbf" + json.dumps(document).encode())
    assert parsed.client_secrets == (SECRET,)
    assert parsed.scopes == ("openid", "AdobeID", "read_organizations")


NOT_STRINGS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
# Every place in either shape where a string belongs, as (document builder, path in messages).
STRING_PLACES = [
    *(
        (lambda v, k=key: {**FLAT, k: v}, key)
        for key in ("CLIENT_ID", "ORG_ID", "TECHNICAL_ACCOUNT_ID", "TECHNICAL_ACCOUNT_EMAIL")
    ),
    (lambda v: {**FLAT, "CLIENT_SECRETS": [SECRET, v]}, "CLIENT_SECRETS[1]"),
    (lambda v: {**FLAT, "SCOPES": ["openid", v]}, "SCOPES[1]"),
    (lambda v: {**FLAT, "api_key": v}, "api_key"),
    (lambda v: _project(org={"ims_org_id": v}), "project.org.ims_org_id"),
    *(
        (lambda v, k=key: _project({**OAUTH_FIELDS, k: v}), f"{OAUTH}.{key}")
        for key in ("client_id", "technical_account_id", "technical_account_email")
    ),
    (
        lambda v: _project({"client_id": "c", "client_secrets": [v]}),
        f"{OAUTH}.client_secrets[0]",
    ),
    (
        lambda v: _project({"client_id": "c", "client_secrets": ["s"], "scopes": [v]}),
        f"{OAUTH}.scopes[0]",
    ),
]


@settings(max_examples=200, deadline=None)
@given(place=st.sampled_from(STRING_PLACES), value=NOT_STRINGS)
def test_any_other_json_type_where_a_string_belongs_is_named(place, value):
    build, path = place
    message = _refused(build(value))
    assert message.startswith(f"This file's {path} should be a string, not ")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({**FLAT, "CLIENT_SECRETS": {"a": SECRET}}, "CLIENT_SECRETS should be a list of strings"),
        ({**FLAT, "SCOPES": 3}, "This file's SCOPES should be a list of strings, not a number"),
        ({"project": []}, "This file's project should be an object, not a list"),
        ({"project": {"org": None}}, "This file's project.org should be an object, not null"),
        (
            {"project": {"workspace": {"details": {"credentials": {}}}}},
            "project.workspace.details.credentials should be a list, not an object",
        ),
        (
            {"project": {"workspace": {"details": {"credentials": ["x"]}}}},
            "project.workspace.details.credentials[0] should be an object, not a string",
        ),
        (_project([]), f"This file's {OAUTH} should be an object, not a list"),
        (_project(None), f"This file's {OAUTH} should be an object, not null"),
        ([FLAT], "it should be an object ({…}), not a list"),
        ("a string", "it should be an object ({…}), not a string"),
        ({}, "This JSON has no client ID and client secrets"),
        ({**FLAT, "CLIENT_SECRETS": ["", " "]}, "This JSON has no client ID and client secrets"),
        ({"project": {"workspace": {}}}, "holds no OAuth Server-to-Server credential"),
        ({**FLAT, "ORG_ID": "0123456789ABCDEF01234567"}, "does not end in @AdobeOrg"),
        ({**FLAT, "CLIENT_ID": "a\u0000b"}, "CLIENT_ID contains a control character"),
        ({**FLAT, "CLIENT_SECRETS": [SECRET + "\t"]}, "CLIENT_SECRETS[0] contains a control"),
        ({**FLAT, "CLIENT_SECRETS": [f"{SECRET}{i}" for i in range(6)]}, "lists 6 client secrets"),
    ],
)
def test_malformed_documents_are_explained(document, message):
    assert message in _refused(document)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"[" * 30_000 + b"]" * 30_000, f"nests brackets more than {MAX_DEPTH} levels deep"),
        (b'{"a":' * 1_000 + b"1" + b"}" * 1_000, "nests brackets more than"),
        (b'{"CLIENT_ID": "\xe9t\xe9"}', "This file is not UTF-8 text"),
        ('{"CLIENT_ID": "x"}'.encode("utf-16"), "This file is saved as UTF-16"),
        (b"{not json", "This file is not JSON"),
        (b'{"CLIENT_ID": NaN}', "This file is not JSON"),
        (b"", "This file is not JSON"),
        (b'{"CLIENT_ID": ' + b"9" * 5_000 + b"}", "CLIENT_ID should be a string, not a number"),
        (b" " * MAX_BYTES + b"{}", "This file is too large"),
    ],
)
def test_bytes_that_are_not_a_small_json_text_are_explained(raw, message):
    assert message in _refused(raw)


def test_brackets_inside_strings_do_not_count_as_nesting():
    document = {**FLAT, "TECHNICAL_ACCOUNT_EMAIL": "[" * 100 + '\\"{' * 100}
    assert parse_console_credential(json.dumps(document).encode()).client_id == "client-1"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=10,
)
KEYS = ["CLIENT_ID", "api_key", "client_secrets", "CLIENT_SECRET", "SCOPES", "scope", "ORG_ID"]
FLAT_DOCUMENTS = st.dictionaries(st.sampled_from([*KEYS, "project"]), JSON, max_size=6)
PROJECT_DOCUMENTS = st.builds(
    lambda oauth, org, credentials: {
        "project": {
            "org": org,
            "workspace": {
                "details": {"credentials": [*credentials, {"oauth_server_to_server": oauth}]}
            },
        }
    },
    oauth=st.dictionaries(st.sampled_from(list(OAUTH_FIELDS)), JSON, max_size=5) | JSON,
    org=st.fixed_dictionaries({"ims_org_id": JSON}) | JSON,
    credentials=st.lists(JSON, max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(
    raw=st.binary(max_size=200)
    | (FLAT_DOCUMENTS | PROJECT_DOCUMENTS | JSON).map(lambda d: json.dumps(d).encode())
)
def test_any_bytes_give_a_credential_or_a_console_file_error(raw):
    try:
        result = parse_console_credential(raw)
    except ConsoleFileError as exc:  # anything else (TypeError, RecursionError...) fails
        result = exc
    assert isinstance(result, ConsoleCredential | ConsoleFileError)

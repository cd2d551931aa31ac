"""The credential file Developer Console downloads, read into a typed object or a typed error.

Two shapes exist: the credential's flat JSON (``CLIENT_ID``/``API_KEY``, ``CLIENT_SECRETS``,
``ORG_ID``, ``SCOPES``, ``TECHNICAL_ACCOUNT_ID``/``_EMAIL``, any letter case) and the project JSON
(``project.workspace.details.credentials[].oauth_server_to_server`` plus
``project.org.ims_org_id``).

Whatever the bytes, :func:`parse_console_credential` returns a :class:`ConsoleCredential` or raises
:class:`ConsoleFileError`, whose message says what is wrong in words a person can act on. It names
fields by their path in the file and the kind of value found there, never the value itself (the
file holds client secrets).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from adobe._parse import kind_of
from adobe.errors import AdobeError

#: Larger than any credential file Developer Console writes (they are about 1 KB).
MAX_BYTES = 64 * 1024
#: Developer Console's files nest five levels deep; a deeper file is not one of them.
MAX_DEPTH = 32
#: Developer Console keeps two secrets during a rotation; a file with many more is not its own.
MAX_SECRETS = 5

_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DOWNLOAD_AGAIN = "download it again from Developer Console"


class ConsoleFileError(AdobeError):
    """The file is not a usable Developer Console credential file; the message says why."""

    permanent = True

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        #: The path of the offending field in the file, when one field is to blame.
        self.field = field


@dataclass(frozen=True)
class ConsoleCredential:
    """An OAuth Server-to-Server credential as Developer Console describes it."""

    client_id: str
    client_secrets: tuple[str, ...] = field(repr=False)
    scopes: tuple[str, ...] = ()
    technical_account_id: str = ""
    technical_account_email: str = ""
    #: Empty when the file does not say; otherwise ends in ``@AdobeOrg``.
    ims_org_id: str = ""


def parse_console_credential(raw: bytes | str) -> ConsoleCredential:
    """Read a Developer Console credential file (bytes as uploaded, a UTF-8 BOM allowed)."""
    text = _decode(raw)
    if _nesting_depth(text) > MAX_DEPTH:
        raise ConsoleFileError(
            f"This file nests brackets more than {MAX_DEPTH} levels deep: it is not a Developer "
            f"Console credential file; {_DOWNLOAD_AGAIN}."
        )
    try:
        # Numbers are never valid here; reading them as floats keeps a 5,000-digit one from
        # failing Python's integer-size limit with a confusing message.
        data = json.loads(text, parse_int=float, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError
        raise ConsoleFileError(f"This file is not JSON: {_DOWNLOAD_AGAIN}.") from None
    if not isinstance(data, dict):
        raise ConsoleFileError(
            "This JSON is not a Developer Console credential file: it should be an object "
            f"({{…}}), not {kind_of(data)}."
        )
    if "project" in data:
        fields, project_org_id = _project_fields(data)
    else:
        fields, project_org_id = _flat_fields(data, ""), None

    client_id = _first_str(fields, "client_id", "api_key")
    secrets = _str_list(fields, "client_secrets", "client_secret")
    if not client_id or not secrets:
        raise ConsoleFileError(
            "This JSON has no client ID and client secrets: is it the OAuth Server-to-Server "
            "credential file?"
        )
    if len(secrets) > MAX_SECRETS:
        raise ConsoleFileError(
            f"This file lists {len(secrets)} client secrets; Developer Console gives at most a "
            f"few: {_DOWNLOAD_AGAIN}.",
            field="client_secrets",
        )
    if project_org_id is None:
        ims_org_id = _first_str(fields, "ims_org_id", "org_id")
    else:
        ims_org_id = project_org_id
    if ims_org_id and not ims_org_id.endswith("@AdobeOrg"):
        raise ConsoleFileError(
            f"The organization ID in this file does not end in @AdobeOrg: {_DOWNLOAD_AGAIN}."
        )
    return ConsoleCredential(
        client_id=client_id,
        client_secrets=tuple(secrets),
        scopes=tuple(_str_list(fields, "scopes", "scope", split=True)),
        technical_account_id=_first_str(fields, "technical_account_id"),
        technical_account_email=_first_str(fields, "technical_account_email"),
        ims_org_id=ims_org_id,
    )


def _decode(raw: bytes | str) -> str:
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    if len(raw) > MAX_BYTES:
        raise ConsoleFileError(
            f"This file is too large to be a Developer Console credential file (over "
            f"{MAX_BYTES // 1024} KB)."
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ConsoleFileError(
            "This file is saved as UTF-16: save it as UTF-8, or download it again from "
            "Developer Console."
        )
    try:
        return raw.decode("utf-8-sig")  # a byte-order mark is harmless: drop it
    except UnicodeDecodeError:
        raise ConsoleFileError(
            f"This file is not UTF-8 text, so it is not JSON: {_DOWNLOAD_AGAIN}."
        ) from None


def _nesting_depth(text: str) -> int:
    """The deepest bracket nesting outside strings, counted without parsing (which recurses)."""
    depth = deepest = 0
    for char in _STRINGS.sub("", text):
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)  # NaN and Infinity are not JSON


# Fields are kept with the path they were found at, so an error can name it as the file spells it.
_Fields = dict[str, tuple[str, Any]]


def _flat_fields(data: Mapping[str, Any], path: str) -> _Fields:
    return {key.lower(): (_join(path, key), value) for key, value in data.items()}


def _project_fields(data: Mapping[str, Any]) -> tuple[_Fields, str]:
    project = _object(data["project"], "project")
    org = _object(project.get("org", {}), "project.org")
    org_id = _string(org.get("ims_org_id", ""), "project.org.ims_org_id")
    workspace = _object(project.get("workspace", {}), "project.workspace")
    details = _object(workspace.get("details", {}), "project.workspace.details")
    credentials_path = "project.workspace.details.credentials"
    credentials = details.get("credentials", [])
    if not isinstance(credentials, list):
        raise _wrong_type(credentials_path, "a list", credentials)
    for position, credential in enumerate(credentials):
        credential_path = f"{credentials_path}[{position}]"
        credential = _object(credential, credential_path)
        if "oauth_server_to_server" in credential:
            oauth_path = f"{credential_path}.oauth_server_to_server"
            oauth = _object(credential["oauth_server_to_server"], oauth_path)
            return _flat_fields(oauth, oauth_path), org_id
    raise ConsoleFileError("This project file holds no OAuth Server-to-Server credential.")


def _first_str(fields: _Fields, *names: str) -> str:
    """The first of the names present with text; every one present must be a string."""
    found = ""
    for name in names:
        if name in fields:
            path, value = fields[name]
            value = _string(value, path)
            found = found or value
    return found


def _str_list(fields: _Fields, *names: str, split: bool = False) -> list[str]:
    """A list of strings (or one string: comma-separated when ``split``) under any of the names."""
    for name in names:
        if name not in fields:
            continue
        path, value = fields[name]
        if isinstance(value, str):
            items = value.replace("\n", ",").split(",") if split else [value]
            items = [_string(item, path) for item in items]
        elif isinstance(value, list):
            items = [_string(item, f"{path}[{i}]") for i, item in enumerate(value)]
        else:
            raise _wrong_type(path, "a list of strings", value)
        items = [item.strip() for item in items if item.strip()]
        if items:
            return items
    return []


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise _wrong_type(path, "a string", value)
    if _CONTROL.search(value):
        raise ConsoleFileError(
            f"This file's {path} contains a control character (such as a line break): "
            f"{_DOWNLOAD_AGAIN}.",
            field=path,
        )
    return value.strip()


def _object(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _wrong_type(path, "an object", value)
    return value


def _wrong_type(path: str, expected: str, value: Any) -> ConsoleFileError:
    return ConsoleFileError(
        f"This file's {path} should be {expected}, not {kind_of(value)}: {_DOWNLOAD_AGAIN}.",
        field=path,
    )


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key

"""Small readers that turn decoded JSON into typed values or raise AdobeBadResponse.

Every reader takes the field's path, so the error names exactly what was missing or ill-typed
(``jobDetails[3].createdDate``) without quoting the value (which may be personal data).
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from adobe.dates import parse_datetime
from adobe.errors import AdobeBadResponse

logger = logging.getLogger(__name__)

_MISSING = object()
_INT_TEXT = re.compile(r"^-?[0-9]{1,18}$")


def bad(path: str, problem: str) -> AdobeBadResponse:
    return AdobeBadResponse(f"Adobe response field {path!r} {problem}", field=path)


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    if not key:
        return f'{path}[""]'  # an empty key still needs a visible name in the error
    return f"{path}.{key}" if path else key


def obj(value: Any, path: str) -> Mapping[str, Any]:
    if type(value) is dict:  # the common case, without the slower ABC check
        return value
    if not isinstance(value, Mapping):
        raise bad(path or "<body>", f"should be an object, got {kind_of(value)}")
    return value


def array(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise bad(path or "<body>", f"should be a list, got {kind_of(value)}")
    return value


def _get(data: Mapping[str, Any], key: str, path: str, required: bool) -> Any:
    value = data.get(key, _MISSING)
    if value is _MISSING or value is None:
        if required:
            raise bad(join(path, key), "is missing")
        return None
    return value


# The readers below return at once in the common case and build the field's path only when
# they raise: listing 100,000 jobs reads 900,000 fields.


def req_str(data: Mapping[str, Any], key: str, path: str) -> str:
    value = data.get(key)
    if type(value) is str:
        return value
    return _as_str(_get(data, key, path, True), join(path, key))


def opt_str(data: Mapping[str, Any], key: str, path: str) -> str | None:
    value = data.get(key)
    if value is None or type(value) is str:
        return value
    return _as_str(value, join(path, key))


def _as_str(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise bad(path, f"should be a string, got {kind_of(value)}")
    return value


def req_id(data: Mapping[str, Any], key: str, path: str) -> str:
    """An identifier: Adobe documents strings, but numeric ids are read as their decimal text."""
    value = data.get(key)
    if type(value) is str:
        return value
    return _as_id(_get(data, key, path, True), join(path, key))


def opt_id(data: Mapping[str, Any], key: str, path: str) -> str | None:
    value = data.get(key)
    if value is None or type(value) is str:
        return value
    return _as_id(value, join(path, key))


def _as_id(value: Any, path: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise bad(path, f"should be an identifier, got {kind_of(value)}")


def req_int(data: Mapping[str, Any], key: str, path: str) -> int:
    return as_int(_get(data, key, path, True), join(path, key))


def opt_int(data: Mapping[str, Any], key: str, path: str) -> int | None:
    value = data.get(key)
    if value is None or type(value) is int:
        return value
    return as_int(value, join(path, key))


def as_int(value: Any, path: str) -> int:
    if isinstance(value, bool):
        raise bad(path, "should be an integer, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INT_TEXT.match(value):
        # IMS writes some numbers as strings (created_at / expires_in inside its tokens).
        return int(value)
    raise bad(path, f"should be an integer, got {kind_of(value)}")


def opt_bool(data: Mapping[str, Any], key: str, path: str) -> bool | None:
    value = _get(data, key, path, False)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    # The Privacy swagger types some flags as the strings "true"/"false".
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise bad(join(path, key), f"should be a boolean, got {kind_of(value)}")


def opt_datetime(data: Mapping[str, Any], key: str, path: str) -> datetime | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    try:
        return parse_datetime(value)
    except (ValueError, OverflowError, OSError):
        raise _bad_date(join(path, key)) from None


def as_datetime(value: Any, path: str) -> datetime:
    try:
        return parse_datetime(value)
    except (ValueError, OverflowError, OSError):
        raise _bad_date(path) from None


def _bad_date(path: str) -> AdobeBadResponse:
    return bad(path, "is not a date Adobe uses (MM/DD/YYYY hh:mm AM GMT, ISO 8601, epoch)")


def opt_list(data: Mapping[str, Any], key: str, path: str) -> list[Any]:
    value = _get(data, key, path, False)
    return [] if value is None else array(value, join(path, key))


def opt_obj(data: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any] | None:
    value = _get(data, key, path, False)
    return None if value is None else obj(value, join(path, key))


def str_tuple(data: Mapping[str, Any], key: str, path: str) -> tuple[str, ...]:
    """A list of strings (numbers read as ids). A lone string is read as a one-item list."""
    value = _get(data, key, path, False)
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    items = array(value, join(path, key))
    return tuple(_as_id(item, join(join(path, key), i)) for i, item in enumerate(items))


def kind_of(value: Any) -> str:
    """A JSON value's type in words, for messages that must not quote the value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__

"""Adobe's date formats, read into aware UTC datetimes.

Privacy Service writes ``04/29/2021 09:53 PM GMT``; its swagger says ISO 8601; Adobe Status sends
ISO strings (often without a zone, meaning UTC) or epoch numbers whose unit is undocumented
(seconds or milliseconds). :func:`parse_datetime` accepts all of them and returns an aware UTC
datetime, or raises ``ValueError`` (callers turn that into
:class:`~adobe.errors.AdobeBadResponse` naming the field).
"""

from __future__ import annotations

import logging
import math
import re
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

logger = logging.getLogger(__name__)

_ADOBE_FORMAT = re.compile(
    r"^\s*([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})\s+([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?\s*([AaPp][Mm])\s*(?:GMT|UTC|Z)?\s*$"
)
_EPOCH_TEXT = re.compile(r"^[0-9]{1,20}(?:\.[0-9]{1,9})?$")
# An epoch above this many seconds would be after the year 5138, so the number must be
# milliseconds. Every millisecond epoch since March 1973 is above it.
_MS_THRESHOLD = 100_000_000_000
# datetime covers years 1..9999; anything outside is garbage rather than a date.
_MAX_EPOCH_SECONDS = 253_402_300_799


def parse_datetime(value: object) -> datetime:
    """Return ``value`` as an aware UTC datetime; raise ``ValueError`` if it is not a date."""
    if type(value) is str:
        # Listing 100,000 jobs parses 200,000 dates: Adobe's own fixed-width form is read by
        # position, which is several times faster than the general path below.
        if len(value) == 23 and value[2] == "/" and value[5] == "/" and value[13] == ":":
            fast = _adobe_fixed_width(value)
            if fast is not None:
                return fast
        return _parse_text(value)
    if isinstance(value, bool):
        raise ValueError("a boolean is not a date")
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    if isinstance(value, str):
        return _parse_text(str(value))
    raise ValueError("not a date")


def _adobe_fixed_width(text: str) -> datetime | None:
    """``04/29/2021 09:53 PM GMT`` read as day + time of day, each looked up in a small cache
    (45 days of jobs hold few distinct days and at most 1,440 distinct minutes); None sends the
    text to the general parser."""
    if text[19:] != " GMT":
        return None
    day = _DAYS.get(text[:10])
    if day is None:
        day = _remember(_DAYS, text[:10], _midnight(text[:10]))
    clock = _CLOCKS.get(text[11:19])
    if clock is None:
        clock = _remember(_CLOCKS, text[11:19], _time_of_day(text[11:19]))
    if day is _INVALID or clock is _INVALID:
        return None
    return day + clock  # type: ignore[operator]


_INVALID: object = object()
_DAYS: dict[str, object] = {}
_CLOCKS: dict[str, object] = {}
_CACHE_LIMIT = 4096


def _remember(cache: dict[str, object], key: str, value: object) -> object:
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()  # bounded, whatever the input
    cache[key] = value
    return value


def _midnight(text: str) -> object:
    """``MM/DD/YYYY`` as midnight UTC, or _INVALID."""
    if not text.isascii() or text[2] != "/" or text[5] != "/":
        return _INVALID
    try:
        return datetime(int(text[6:10]), int(text[0:2]), int(text[3:5]), tzinfo=UTC)
    except ValueError:
        return _INVALID


def _time_of_day(text: str) -> object:
    """``hh:mm AM`` as the time since midnight, or _INVALID."""
    half = text[6:]
    if not text.isascii() or text[2] != ":" or text[5] != " " or half not in ("AM", "PM"):
        return _INVALID
    try:
        hour, minute = int(text[0:2]), int(text[3:5])
    except ValueError:
        return _INVALID
    if not (1 <= hour <= 12 and 0 <= minute <= 59):
        return _INVALID
    return timedelta(hours=hour % 12 + (12 if half == "PM" else 0), minutes=minute)


@lru_cache(maxsize=1024)
def _parse_text(text: str) -> datetime:
    match = _ADOBE_FORMAT.match(text)
    if match:
        month, day, year, hour, minute, second, half = match.groups()
        hour_12 = int(hour)
        if not 1 <= hour_12 <= 12:
            raise ValueError("hour out of range")
        hour_24 = hour_12 % 12 + (12 if half.lower() == "pm" else 0)
        return datetime(
            int(year), int(month), int(day), hour_24, int(minute), int(second or 0), tzinfo=UTC
        )
    stripped = text.strip()
    if _EPOCH_TEXT.match(stripped):
        return _from_epoch(float(stripped))
    if stripped.endswith(("Z", "z")):
        stripped = stripped[:-1] + "+00:00"
    if stripped.endswith(" GMT"):
        stripped = stripped[:-4]
    parsed = datetime.fromisoformat(stripped)
    if parsed.tzinfo is None:
        # Adobe's zone-less ISO strings are GMT (the Privacy docs say dates are interpreted in GMT).
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _from_epoch(number: float) -> datetime:
    if not math.isfinite(number) or number < 0:
        raise ValueError("epoch out of range")
    seconds = number / 1000 if number >= _MS_THRESHOLD else number
    if seconds > _MAX_EPOCH_SECONDS:
        raise ValueError("epoch out of range")
    return datetime.fromtimestamp(seconds, tz=UTC)


def format_query_date(day: date) -> str:
    """Return the ``YYYY-MM-DD`` form the Privacy and Status query parameters take."""
    return day.strftime("%Y-%m-%d")

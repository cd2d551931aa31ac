"""The user key Lookout sends Adobe with each data subject, and reading it back.

Lookout sends ``LK<its submission's code, first 10 hex digits>-<line>-<the team's reference>``
(just ``LK<code>-<line>`` without a reference). Adobe echoes it on every job, so it ties a job to
the submission and the person it came from: reconciliation finds a lost submission's jobs by it,
the job pages show who sent a job, and search finds a job by the team's own reference.

The format is read in two places that must agree: :func:`user_key_parse` in Python and
``LOOKOUT_CODE``/``TEAM_REFERENCE`` in SQL (the search column and the job pages, alike on
PostgreSQL and SQLite). Both take any key with ``LK``, ten characters and a ``-`` at its start for
Lookout's; any other key is the team's reference as it is. ``tests/privacy/test_user_keys.py``
checks that the two readings agree.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import StrIndex, Substr
from django.db.models.lookups import Exact, GreaterThan

from adobe.models.privacy_requests import MAX_USERS

PREFIX = "LK"
CODE_LENGTH = 10
#: The longest prefix Lookout adds to a team's reference: ``LK`` + 10 + ``-1000-`` (18).
PREFIX_MAX = len(f"{PREFIX}{'0' * CODE_LENGTH}-{MAX_USERS}-")


def user_key_make(code: uuid.UUID, line: int, reference: str) -> str:
    """The key of the ``line``-th data subject of the submission with ``code``."""
    return f"{PREFIX}{code.hex[:CODE_LENGTH]}-{line}" + (f"-{reference}" if reference else "")


@dataclass(frozen=True)
class LookoutKey:
    code: str  # the first 10 hex digits of the submission's code, as sent
    line: str  # the data subject's line in the submission, as sent
    reference: str  # the team's reference; "" when none was given


def user_key_parse(key: str) -> LookoutKey | None:
    """The parts of a key Lookout made; None for any other key."""
    head = len(PREFIX) + CODE_LENGTH
    if not key.startswith(PREFIX) or key[head : head + 1] != "-":
        return None
    line, _, reference = key[head + 1 :].partition("-")
    return LookoutKey(code=key[len(PREFIX) : head], line=line, reference=reference)


def code_range(code: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    """The submission codes that start with a key's 10 characters, as a range (an index range on
    the unique code, on every database: UUIDs order as their hex digits); None when they are not
    hex digits, so no submission made the key."""
    try:
        return uuid.UUID(code + "0" * 22), uuid.UUID(code + "f" * 22)
    except ValueError:
        return None


def line_number(parsed: LookoutKey) -> int | None:
    return int(parsed.line) if parsed.line.isdigit() else None


def team_reference(key: str) -> str:
    """What the team typed for this data subject: the key without Lookout's prefix."""
    parsed = user_key_parse(key)
    return key if parsed is None else parsed.reference


# The same reading in SQL (1-based Substr, as both databases count).
_AFTER_CODE = Substr("user_key", len(PREFIX) + CODE_LENGTH + 2)  # "<line>-<reference>"
_LINE_END = StrIndex(_AFTER_CODE, Value("-"))
_IS_LOOKOUT_KEY = Q(
    Exact(Substr("user_key", 1, len(PREFIX)), Value(PREFIX)),
    Exact(Substr("user_key", len(PREFIX) + CODE_LENGTH + 1, 1), Value("-")),
)
LOOKOUT_CODE = Case(
    When(_IS_LOOKOUT_KEY, then=Substr("user_key", len(PREFIX) + 1, CODE_LENGTH)),
    default=Value(""),
)
TEAM_REFERENCE = Case(
    When(_IS_LOOKOUT_KEY & Q(GreaterThan(_LINE_END, 0)), then=Substr(_AFTER_CODE, _LINE_END + 1)),
    When(_IS_LOOKOUT_KEY, then=Value("")),
    default=F("user_key"),
)

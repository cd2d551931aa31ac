"""The Regulation table: the one answer, at run time, to which regulation codes Lookout uses.

Which codes exist, which legacy code means which current one, and how many days a request may
take are all read from ``privacy.Regulation``, which admins edit. ``adobe.regulations`` only
supplies the default rows. Codes the table does not know are passed on unchanged: Adobe is the
judge of what it accepts, and its refusal is what gets recorded and shown.
"""

from __future__ import annotations

import logging

from django.db import transaction

from adobe.regulations import REGULATIONS
from privacy.models import Regulation

logger = logging.getLogger(__name__)


@transaction.atomic
def regulation_defaults_ensure() -> int:
    """Add each default regulation the table lacks; never overwrite an admin's edits.

    A default counts as present when its code or any of its aliases is anywhere in the table, as
    a current or a legacy code: an admin who renamed ``ucpa_ut_usa`` (keeping it as a legacy code)
    does not get the old row back beside the new one, and no code ends up naming two regulations.
    Returns how many rows were added.
    """
    present = set(regulation_code_map())
    missing = [
        Regulation(
            code=default.code,
            name=default.name,
            legacy_codes=",".join(default.aliases),
            days_to_respond=default.days_to_respond,
        )
        for default in REGULATIONS
        if present.isdisjoint((default.code, *default.aliases))
    ]
    for regulation in missing:
        # Field checks only: the defaults are disjoint from the table (above) and from each other
        # (tests/adobe/test_regulation_codes.py), which is what Regulation.clean() would query for.
        regulation.clean_fields()
    Regulation.objects.bulk_create(missing)
    if missing:
        logger.info("Added default regulations: %s", ", ".join(r.code for r in missing))
    return len(missing)


def _codes_and_days() -> tuple[dict[str, str], dict[str, int]]:
    """One read of the table: every code (current and legacy) to its current code, and each
    current code's days to respond. A current code wins over the same code listed as another
    row's legacy code."""
    mapping: dict[str, str] = {}
    current: dict[str, str] = {}
    days: dict[str, int] = {}
    rows = Regulation.objects.values_list("code", "legacy_codes", "days_to_respond")
    for code, legacy_codes, days_to_respond in rows:
        code = code.strip().lower()
        current[code], days[code] = code, days_to_respond
        for legacy in legacy_codes.split(","):
            if legacy.strip():
                mapping[legacy.strip().lower()] = code
    return mapping | current, days


def regulation_code_map() -> dict[str, str]:
    """Every code in the table, current and legacy, mapped to its regulation's current code."""
    return _codes_and_days()[0]


def regulation_days_to_respond() -> dict[str, int]:
    """Days to respond per code, a legacy code counting as the regulation it was renamed to."""
    mapping, days = _codes_and_days()
    return {code: days[current] for code, current in mapping.items()}


def regulation_current_code(code: str) -> str:
    """The code to send to Adobe for ``code``: a legacy code becomes its current code.

    A code the table does not know is returned as given (stripped, lower-cased): Adobe decides.
    """
    wanted = code.strip().lower()
    return regulation_code_map().get(wanted, wanted)


def regulation_codes() -> set[str]:
    """The current code of every regulation in the table."""
    return {code.strip().lower() for code in Regulation.objects.values_list("code", flat=True)}

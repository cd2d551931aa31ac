"""Helpers shared by the Adobe client tests (no simulator imports: style B.22)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PAYLOADS = Path(__file__).parent / "payloads"


def payload(name: str) -> Any:
    """A copy of one of Adobe's example payloads (tests/adobe/payloads/<name>.json)."""
    return json.loads((PAYLOADS / f"{name}.json").read_text())

"""Where a test needs a real service: skip with a reason on a laptop, fail in CI (CI is set)."""

from __future__ import annotations

import os

import pytest


def require(condition: bool, reason: str) -> None:
    """Skip (locally) or fail (in CI) when a service the test needs is missing."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: services are required, nothing is skipped)")
    pytest.skip(reason)

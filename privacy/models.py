"""Privacy Service jobs per organization (filled by the Privacy Service issue)."""

from __future__ import annotations

"""Adobe Status incidents and maintenance (filled by the Adobe Status issue)."""

from __future__ import annotations

"""Status pages: current status, incident detail, history, watched products."""

from __future__ import annotations

"""Writes for Adobe Status: the polls (registry, events), storing, watching products."""

from __future__ import annotations

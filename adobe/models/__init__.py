"""Typed, immutable objects for every Adobe response, with the parsers that build them."""

from __future__ import annotations

"""How the access matrix (tests/dashboard/test_access_matrix.py) reaches each app's views.

Every app with organization-scoped views keeps a ``tests/<app>/access_rules.py`` defining
``RULES = AccessRules(...)``: how to fill its URL keywords with objects of Acme's (created by
``populate``), and which views write, for whom. A view missing from these sets is taken as a
read page, and must answer GET only.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class AccessRules:
    url_kwargs: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    admin_writes: frozenset[str] = frozenset()  # POST only; admins only
    member_writes: frozenset[str] = frozenset()  # POST only; admins and members
    admin_forms: frozenset[str] = frozenset()  # GET shows a form, POST submits; admins only
    member_forms: frozenset[str] = frozenset()  # the same, admins and members
    member_pages: frozenset[str] = frozenset()  # GET only; admins and members, not viewers
    populate: Callable[[Any], None] | None = None  # make objects of Acme's for url_kwargs


def all_rules() -> list[AccessRules]:
    tests_dir = Path(__file__).parent
    rules = []
    for package in pkgutil.iter_modules([str(tests_dir)]):
        if package.ispkg and (tests_dir / package.name / "access_rules.py").exists():
            rules.append(importlib.import_module(f"tests.{package.name}.access_rules").RULES)
    return rules


def merged() -> AccessRules:
    rules = all_rules()
    populators = [r.populate for r in rules if r.populate]

    def populate(acme) -> None:
        for fill in populators:
            fill(acme)

    return AccessRules(
        url_kwargs={k: v for r in rules for k, v in r.url_kwargs.items()},
        admin_writes=frozenset().union(*(r.admin_writes for r in rules)),
        member_writes=frozenset().union(*(r.member_writes for r in rules)),
        admin_forms=frozenset().union(*(r.admin_forms for r in rules)),
        member_forms=frozenset().union(*(r.member_forms for r in rules)),
        member_pages=frozenset().union(*(r.member_pages for r in rules)),
        populate=populate,
    )

"""How the access matrix (tests/dashboard/test_access_matrix.py) reaches each app's views.

Every app with views keeps a ``tests/<app>/access_rules.py`` defining ``RULES = AccessRules(...)``:
how to fill its URL keywords with objects of an organization's (made by ``populate``), and what
kind of view each URL name is, for whom. Every URL name the resolver finds must be in exactly one
of the sets below (the Django admin aside): a new view nobody classified fails the matrix.

``populate(organization)`` makes the app's objects of that organization — distinctive values
derived from its name — and returns the values only that organization's pages may show (job ids,
request ids, user keys, identities, credential names and client ids, codes...). The matrix
populates two organizations and looks for the other one's values on every page of the first.
A value wrapped in ``Personal`` is personal data of the people a request is about: the matrix also
checks that the organization's viewers read it on none of its pages, and its members on some.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class Personal(str):
    """A populated value that is personal data: for members and admins, never viewers."""

    __slots__ = ()


@dataclass(frozen=True)
class AccessRules:
    url_kwargs: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    pages: frozenset[str] = frozenset()  # GET only; every member, viewers included
    partials: frozenset[str] = frozenset()  # pages that also answer ?partial=1 (live refresh)
    admin_writes: frozenset[str] = frozenset()  # POST only; admins only
    member_writes: frozenset[str] = frozenset()  # POST only; admins and members
    admin_forms: frozenset[str] = frozenset()  # GET shows a form, POST submits; admins only
    member_forms: frozenset[str] = frozenset()  # the same, admins and members
    # The same, every member, viewers included: each person's own settings (notifications).
    own_forms: frozenset[str] = frozenset()
    member_pages: frozenset[str] = frozenset()  # GET only; admins and members, not viewers
    redirects: frozenset[str] = frozenset()  # GET only; every member, sent on to a page
    account_writes: frozenset[str] = frozenset()  # POST only; anyone signed in (sign out)
    public: frozenset[str] = frozenset()  # anonymous visitors too (sign in, health)
    staff_pages: frozenset[str] = frozenset()  # GET only; staff only, a 404 for everyone else
    # Make the organization's objects; return the values only its own pages may show.
    populate: Callable[[Any], list[str]] | None = None

    @property
    def kinds(self) -> dict[str, frozenset[str]]:
        """Every classification set by name (``partials`` qualifies pages and is not one)."""
        return {
            "pages": self.pages,
            "admin_writes": self.admin_writes,
            "member_writes": self.member_writes,
            "admin_forms": self.admin_forms,
            "member_forms": self.member_forms,
            "own_forms": self.own_forms,
            "member_pages": self.member_pages,
            "redirects": self.redirects,
            "account_writes": self.account_writes,
            "public": self.public,
            "staff_pages": self.staff_pages,
        }


def all_rules() -> list[AccessRules]:
    tests_dir = Path(__file__).parent
    rules = []
    for package in pkgutil.iter_modules([str(tests_dir)]):  # sorted: dashboard first
        if package.ispkg and (tests_dir / package.name / "access_rules.py").exists():
            rules.append(importlib.import_module(f"tests.{package.name}.access_rules").RULES)
    return rules


def merged() -> AccessRules:
    rules = all_rules()
    populators = [r.populate for r in rules if r.populate]

    def populate(organization) -> list[str]:
        return [value for fill in populators for value in fill(organization)]

    def union(name: str) -> frozenset[str]:
        return frozenset().union(*(getattr(r, name) for r in rules))

    return AccessRules(
        url_kwargs={k: v for r in rules for k, v in r.url_kwargs.items()},
        pages=union("pages"),
        partials=union("partials"),
        admin_writes=union("admin_writes"),
        member_writes=union("member_writes"),
        admin_forms=union("admin_forms"),
        member_forms=union("member_forms"),
        own_forms=union("own_forms"),
        member_pages=union("member_pages"),
        redirects=union("redirects"),
        account_writes=union("account_writes"),
        public=union("public"),
        staff_pages=union("staff_pages"),
        populate=populate,
    )

"""Two ways to page a list, neither of which counts the whole list.

* Offset pages (``page_of``): page ``n`` read with LIMIT n+1 OFFSET; plain Python over anything
  sliceable (a QuerySet, a list). Right for short lists (the audit log, Status history); the
  database still walks every row before the offset, so a deep page of a long list is slow.
* Keyset pages (``keyset_page``): a page starts right after (or ends right before) the row named
  in the link (``?after=<code>``, ``?before=<code>``), and ``?last=1`` reads the list in reverse,
  so the first, a following and the last page cost the same at any size when an index matches the
  order. The order is a ``Keyset``: segments of the list, one after the other, each a filter and
  the non-null terms ordering it (the last one unique, the id), so a row's place is a plain
  comparison an index range can start from.

The pager partial (``templates/_pager.html``) renders either kind and keeps every filter with
``{% querystring %}``. Imports Django, no app.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import Case, Expression, F, IntegerField, Q, QuerySet, Value, When

T = TypeVar("T")

PAGE_PARAM = "page"
AFTER_PARAM = "after"
BEFORE_PARAM = "before"
LAST_PARAM = "last"


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    has_next: bool

    is_keyset = False

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


def page_number(params: Mapping[str, Any], *, name: str = PAGE_PARAM) -> int:
    """The page asked for in the query string; anything that is not a positive number is page 1."""
    try:
        number = int(params.get(name) or 1)
    except (TypeError, ValueError):
        return 1
    return max(number, 1)


def page_of(rows: Sequence[T], *, number: int, per_page: int) -> Page[T]:
    """Page ``number`` (1-based) of ``rows``, reading one row more to learn whether another follows.

    A page past the end is empty (with a link back), never an error: a list shrinks between a
    person's clicks.
    """
    offset = (number - 1) * per_page
    items = list(rows[offset : offset + per_page + 1])
    return Page(items=items[:per_page], number=number, has_next=len(items) > per_page)


# Keyset pages.


@dataclass(frozen=True)
class Segment:
    """A part of a list (``where``) and the terms that order it: (expression, descending), none of
    them null inside the part, the last one unique."""

    where: Q
    terms: tuple[tuple[Expression | F, bool], ...]


@dataclass(frozen=True)
class Keyset:
    """A list's order as segments that follow one another and, together, hold every row."""

    segments: tuple[Segment, ...]
    # The same order for one ORDER BY, when it has a plainer form than ``flat_order``'s.
    flat: tuple = ()

    @classmethod
    def of(cls, *order: str, nullable: str = "", where: Q | None = None) -> Keyset:
        """The order ``order`` ("status", "-adobe_created_at", "-id") as segments: the rows where
        ``nullable`` is set, then those where it is null (ordered by the other terms)."""
        where = where if where is not None else Q()
        terms = tuple((F(name.lstrip("-")), name.startswith("-")) for name in order)
        if not nullable:
            return cls((Segment(where, terms),))
        rest = tuple(
            term for term, name in zip(terms, order, strict=True) if name.lstrip("-") != nullable
        )
        # Led by the nullable term, the same order is that term with its nulls last.
        flat = ()
        if order[0].lstrip("-") == nullable:
            flat = tuple(
                (term.desc if desc else term.asc)(nulls_last=True if i == 0 else None)
                for i, (term, desc) in enumerate(terms)
            )
        return cls(
            (
                Segment(where & Q(**{f"{nullable}__isnull": False}), terms),
                Segment(where & Q(**{f"{nullable}__isnull": True}), rest),
            ),
            flat=flat,
        )

    def __add__(self, other: Keyset) -> Keyset:
        return Keyset(self.segments + other.segments)  # its flat order: flat_order's

    def flat_order(self) -> list:
        """The same order for one ORDER BY (the CSV export): the segment, then each segment's terms
        where the row is in it (null elsewhere, so they only order that segment's rows)."""
        if self.flat:
            return list(self.flat)
        if len(self.segments) == 1:
            return [term.desc() if desc else term.asc() for term, desc in self.segments[0].terms]
        order: list = [self._rank().asc()]
        for segment in self.segments:
            for term, desc in segment.terms:
                inside = Case(When(segment.where or Q(pk__isnull=False), then=term), default=None)
                order.append(inside.desc() if desc else inside.asc())
        return order

    def _rank(self) -> Case:
        whens = [
            When(s.where or Q(pk__isnull=False), then=Value(i))  # When() takes no empty Q
            for i, s in enumerate(self.segments)
        ]
        return Case(*whens, default=Value(len(self.segments)), output_field=IntegerField())


@dataclass(frozen=True)
class KeysetPage(Generic[T]):
    """A page of a keyset-paged list: its rows, whether others come before and after it, and the
    rows its Previous and Next links start from. ``number`` is the page's place when the person
    got there by Next and Previous from the first page (carried in the links); None otherwise."""

    items: list[T]
    has_previous: bool
    has_next: bool
    number: int | None = None
    cursor_attr: str = field(default="code", repr=False)

    is_keyset = True

    @property
    def previous_cursor(self) -> str:
        return str(getattr(self.items[0], self.cursor_attr)) if self.items else ""

    @property
    def next_cursor(self) -> str:
        return str(getattr(self.items[-1], self.cursor_attr)) if self.items else ""

    @property
    def previous_page_number(self) -> int | None:
        return self.number - 1 if self.number and self.number > 1 else None

    @property
    def next_page_number(self) -> int | None:
        return self.number + 1 if self.number else None

    @property
    def label(self) -> str:
        if not self.has_previous:
            return "Page 1"
        if self.number:
            return f"Page {self.number}"
        return "" if self.has_next else "Last page"

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


@dataclass(frozen=True)
class PageRequest:
    """Which keyset page a query string asks for: after a row, before a row, the last, or the first
    (when none of them, or when the row's code is not a code)."""

    after: str = ""
    before: str = ""
    last: bool = False
    number: int | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> PageRequest:
        def code(name: str) -> str:
            try:
                return str(uuid.UUID(str(params.get(name) or "")))
            except ValueError:
                return ""

        after, before = code(AFTER_PARAM), code(BEFORE_PARAM)
        number = page_number(params) if params.get(PAGE_PARAM) else None
        if after:
            return cls(after=after, number=number)
        if before:
            return cls(before=before, number=number)
        if params.get(LAST_PARAM):
            return cls(last=True)
        return cls(number=number)

    @property
    def is_offset(self) -> bool:
        """A bare ``?page=n`` (a link from before keyset pages): read as an offset page."""
        return not (self.after or self.before or self.last) and (self.number or 1) > 1


def keyset_page(
    rows: QuerySet,
    *,
    order: Keyset,
    asked: PageRequest,
    per_page: int,
    lookup: QuerySet | None = None,
    cursor_field: str = "code",
) -> KeysetPage:
    """The page of ``rows`` (in ``order``) that ``asked`` names, reading ``per_page`` + 1 rows.

    The row a link names is looked up in ``lookup`` (``rows`` unless given: pass the unfiltered
    list, so that a row that left the filter since still marks its place). One query for it, then
    one for the page (``_read``). A link past either end (the list shrank since) shows the first
    or the last page instead, with one query more.
    """
    lookup = rows if lookup is None else lookup
    if asked.is_offset:  # an old ?page=n link: an offset page (slower deep in a long list)
        offset = (asked.number - 1) * per_page
        read = list(rows.order_by(*order.flat_order())[offset : offset + per_page + 1])
        if not read:
            return keyset_page(rows, order=order, asked=PageRequest(last=True), per_page=per_page)
        return KeysetPage(read[:per_page], True, len(read) > per_page, asked.number, cursor_field)
    if asked.after or asked.before:
        found = _cursor_find(lookup, order, cursor_field, asked.after or asked.before)
        if found is None:  # gone, or not a row of this list: start again
            return keyset_page(rows, order=order, asked=PageRequest(), per_page=per_page)
        segment, values = found
        forward = bool(asked.after)
        read = _read(rows, order, per_page, forward=forward, start=(segment, values))
        if not read:  # nothing beyond it any more
            end = PageRequest() if not forward else PageRequest(last=True)
            return keyset_page(rows, order=order, asked=end, per_page=per_page)
        more = len(read) > per_page
        if forward:
            return KeysetPage(read[:per_page], True, more, asked.number, cursor_field)
        items = read[:per_page][::-1]
        return KeysetPage(items, more, True, asked.number if more else 1, cursor_field)
    if asked.last:
        read = _read(rows, order, per_page, forward=False)
        more = len(read) > per_page
        return KeysetPage(read[:per_page][::-1], more, False, None if more else 1, cursor_field)
    read = _read(rows, order, per_page, forward=True)
    return KeysetPage(read[:per_page], False, len(read) > per_page, 1, cursor_field)


def _cursor_find(
    lookup: QuerySet, order: Keyset, cursor_field: str, cursor: str
) -> tuple[int, tuple] | None:
    """The segment the row ``cursor`` is in and its values of that segment's terms: one query."""
    names = {
        f"_k{i}_{j}": term
        for i, segment in enumerate(order.segments)
        for j, (term, _desc) in enumerate(segment.terms)
    }
    row = (
        lookup.filter(**{cursor_field: cursor})
        .annotate(_segment=order._rank(), **names)
        .values("_segment", *names)
        .order_by()
        .first()
    )
    if row is None or row["_segment"] >= len(order.segments):
        return None
    segment = row["_segment"]
    terms = order.segments[segment].terms
    return segment, tuple(row[f"_k{segment}_{j}"] for j in range(len(terms)))


def _read(
    rows: QuerySet,
    order: Keyset,
    per_page: int,
    *,
    forward: bool,
    start: tuple[int, tuple] | None = None,
) -> list:
    """Up to ``per_page`` + 1 rows in ``order`` (reversed when not ``forward``), beyond ``start``
    (a segment and a row's values in it) or from the list's first (last) row.

    One query, whatever the page: the ids of up to ``per_page`` + 1 rows of each segment from
    there on, each found by its own index range (UNION ALL), from an index alone where one holds
    the order's and the filter's columns (the open jobs' one does, for the deadline); then only
    those rows, put in order. A database that cannot slice the parts of a UNION (SQLite) reads
    segment after segment instead, until enough are read.
    """
    indexes = list(range(len(order.segments)))
    if not forward:
        indexes.reverse()
    if start is not None:
        indexes = indexes[indexes.index(start[0]) :]
    parts = []
    for i in indexes:
        segment = order.segments[i]
        names = [f"_k{j}" for j in range(len(segment.terms))]
        aliases = {name: term for name, (term, _) in zip(names, segment.terms, strict=True)}
        part = rows.filter(segment.where).alias(**aliases)
        # Read forward, a term goes its own way; read backward, the other way.
        downward = [desc == forward for _term, desc in segment.terms]
        if start is not None and i == start[0]:
            part = part.filter(_beyond(names, downward, start[1]))
        ordering = [
            F(name).desc() if down else F(name).asc()
            for name, down in zip(names, downward, strict=True)
        ]
        parts.append((part.order_by(*ordering), aliases, ordering))
    if len(parts) > 1 and connections[rows.db].features.supports_slicing_ordering_in_compound:
        ids = [part.values("pk")[: per_page + 1] for part, _aliases, _ordering in parts]
        flat = [term.copy() for term in order.flat_order()]
        if not forward:
            flat = [term.reverse_ordering() for term in flat]
        chosen = rows.filter(pk__in=ids[0].union(*ids[1:], all=True))
        return list(chosen.order_by(*flat)[: per_page + 1])
    found: list = []
    for part, aliases, ordering in parts:
        ids = part.values("pk")[: per_page + 1 - len(found)]
        found += list(rows.filter(pk__in=ids).alias(**aliases).order_by(*ordering))
        if len(found) > per_page:
            break
    return found


def _beyond(names: list[str], downward: list[bool], values: tuple) -> Q:
    """The rows after ``values`` in the order (name, downward)...: the first term at or past its
    value (a range an index can start at), then past it on the first term that differs."""

    def past(name: str, down: bool, value: Any, *, or_equal: bool = False) -> Q:
        return Q(**{f"{name}__{'l' if down else 'g'}t{'e' if or_equal else ''}": value})

    after = Q()
    for i, (name, down, value) in enumerate(zip(names, downward, values, strict=True)):
        same = Q(**{f"{names[j]}": values[j] for j in range(i)})
        after |= same & past(name, down, value)
    return past(names[0], downward[0], values[0], or_equal=True) & after

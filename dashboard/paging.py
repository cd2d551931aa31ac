"""One way to page a list: offset pages read with LIMIT n+1, so no page counts the whole list.

Plain Python over anything sliceable (a QuerySet, a list); it imports no app. The pager partial
(``templates/_pager.html``) renders a ``Page`` and keeps every filter with ``{% querystring %}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")

PAGE_PARAM = "page"


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    has_next: bool

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

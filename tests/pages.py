"""Reading pages as a person does: follow the links a page renders."""

from __future__ import annotations

import html
import re


def follow_pager(
    client, path: str, query: str, *, link: re.Pattern, items: re.Pattern, most: int = 20
) -> tuple[list[list[str]], str]:
    """Every page's ``items``, following the rendered ``link`` (Next, Older) until there is none;
    and the last page's HTML. Fails if the link never stops or a page is not 200."""
    pages, url = [], path + query
    while True:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        pages.append(items.findall(page))
        found = link.search(page)
        if found is None:
            return pages, page
        assert len(pages) < most, f"the link does not move: {url}"
        url = path + html.unescape(found.group(1))

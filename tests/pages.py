"""Reading pages as a person does: follow the links a page renders."""

from __future__ import annotations

import html
import re
import uuid


def text_of(fragment: str) -> str:
    """A fragment of HTML as a person reads it: no tags, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def text_by_testid(page: str, name: str) -> str:
    """The text of the first element with ``data-testid=name`` (up to its closing tag)."""
    match = re.search(rf'<(\w+)[^>]*data-testid="{name}"[^>]*>(.*?)</\1>', page, re.S)
    return text_of(match.group(2)) if match else ""


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


def request_submit(client, organization, subjects: str, **fields):
    """Post the access/delete request form as a member who just opened it (a fresh one-time
    key); gdpr, access, analytics unless ``fields`` say otherwise. Returns the response."""
    from django.urls import reverse

    form = {
        "submission_key": str(uuid.uuid4()),
        "regulation": "gdpr",
        "actions": ["access"],
        "products": ["analytics"],
        "subjects": subjects,
        **fields,
    }
    return client.post(reverse("privacy:request_new", args=[organization.code]), form)

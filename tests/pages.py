"""Reading pages as a person does: follow the links a page renders."""

from __future__ import annotations

import html
import re
import uuid


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

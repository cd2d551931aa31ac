"""Reading Lookout's pages as a member does, and a member's browser: a signed-in session."""

from __future__ import annotations

import html
import re
from typing import Any

import requests

from tests.pages import text_of

# A page a member waits longer than this for counts as an error (they would give up).
PAGE_PATIENCE_S = 15.0


def messages(page: str) -> str:
    """The messages Django's message framework showed at the top of the page."""
    return " / ".join(
        text_of(m) for m in re.findall(r'<li class="message[^"]*"[^>]*>(.*?)</li>', page, re.S)
    )


def hidden_fields(page: str) -> dict[str, str]:
    """The hidden inputs of the page's forms (name -> value)."""
    fields = {}
    for tag in re.findall(r"<input\b[^>]*>", page):
        if not re.search(r'type="hidden"', tag):
            continue
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = html.unescape(value.group(1)) if value else ""
    return fields


# ---------------------------------------------------------------------------------------------
# Signed-in members


class Member:
    """One person in a browser: a requests.Session signed in through /login/."""

    def __init__(self, base_url: str, username: str, password: str, *, timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.username, self.password, self.timeout = username, password, timeout
        self.session = requests.Session()

    def __repr__(self) -> str:
        return f"Member({self.username})"

    def url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.base_url}{path}"

    def sign_in(self) -> Member:
        self.session.get(self.url("/login/"), timeout=self.timeout).raise_for_status()
        response = self.session.post(
            self.url("/login/"),
            data={
                "username": self.username,
                "password": self.password,
                "csrfmiddlewaretoken": self.session.cookies.get("csrftoken", ""),
                "next": "/",
            },
            headers={"Referer": self.url("/login/")},
            timeout=self.timeout,
            allow_redirects=False,
        )
        if response.status_code != 302 or "sessionid" not in self.session.cookies:
            raise AssertionError(
                f"{self.username} could not sign in: HTTP {response.status_code}\n"
                f"{response.text[:500]}"
            )
        return self

    def clone(self) -> Member:
        """Another browser tab of the same signed-in person (its own connection pool)."""
        other = Member(self.base_url, self.username, self.password, timeout=self.timeout)
        other.session.cookies.update(self.session.cookies)
        return other

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        return self.session.get(self.url(path), **kwargs)

    def post_form(self, path: str, data: dict[str, Any]) -> requests.Response:
        """Open the form page, fill in ``data`` and send it as a browser would: with the form's
        hidden fields (the CSRF token, a one-time submission key), then follow the redirect."""
        page = self.get(path)
        page.raise_for_status()
        hidden = hidden_fields(page.text)
        return self.session.post(
            self.url(path),
            data={**hidden, **data},
            headers={"Referer": self.url(path)},
            timeout=self.timeout,
        )

"""Webhook URLs: which ones Lookout will post to, and posting to them.

A webhook URL is typed by a person and posted to by a worker inside the network, so it could
aim the worker at the network itself (the cloud's metadata address, an internal admin page).
Outside development Lookout posts only over https to public addresses, checked when the URL is
saved and again just before each post (a host whose DNS answer changed meanwhile is refused).
Redirects are never followed, and each post has a short timeout. In development
(``allow_local``) plain http and loopback or private addresses are accepted, so a receiver on the
developer's machine works.

Slack-compatible: the body is JSON with a ``text`` field, which Slack, Mattermost, Rocket.Chat
and Microsoft Teams' Slack-compatible connectors all show.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

USER_AGENT = "Lookout-Notifications/1.0"


class WebhookRefused(ValueError):
    """The URL is not one Lookout posts to; the message says why, without the URL."""


class WebhookFailed(Exception):
    """A post that did not succeed; ``retry_after`` is the receiver's, when it sent one."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def url_hint(url: str) -> str:
    """What pages show of a webhook: its scheme and host, never its path (Slack's holds the
    secret)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}/…"


def _address_allowed(address: str, *, allow_local: bool) -> bool:
    ip = ipaddress.ip_address(address)
    if allow_local:
        return True
    return ip.is_global and not ip.is_multicast


def _addresses(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise WebhookRefused(f"The host {host} could not be found.") from exc
    return sorted({info[4][0] for info in infos})


def webhook_url_check(url: str, *, allow_local: bool) -> str:
    """The URL, cleaned, if Lookout will post to it; else :class:`WebhookRefused` in words."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise WebhookRefused("That is not a URL.") from exc
    host = parts.hostname
    if parts.scheme not in {"https", "http"} or not host:
        raise WebhookRefused("Enter a full URL starting with https://.")
    if parts.username or parts.password:
        raise WebhookRefused("A webhook URL cannot carry a user name or password.")
    addresses = _addresses(host, port or (443 if parts.scheme == "https" else 80))
    local = all(ipaddress.ip_address(a).is_loopback for a in addresses)
    if parts.scheme == "http" and not (allow_local and local):
        raise WebhookRefused(
            "Webhook URLs must use https:// (plain http is accepted only for this machine, "
            "in development)."
        )
    if not all(_address_allowed(a, allow_local=allow_local) for a in addresses):
        raise WebhookRefused(
            f"{host} is a private, loopback or link-local address: Lookout posts only to public "
            "addresses."
        )
    return url


@dataclass(frozen=True)
class WebhookPost:
    text: str
    delivery_id: str  # lets a receiver drop a message it already has (see X-Lookout-Delivery)


def webhook_post(url: str, post: WebhookPost, *, timeout: float, allow_local: bool) -> None:
    """Post ``post`` as Slack-compatible JSON; :class:`WebhookFailed` in words unless 2xx."""
    # Checked again at send time: the host's addresses may have changed since it was saved.
    url = webhook_url_check(url, allow_local=allow_local)
    host = urlsplit(url).hostname
    try:
        response = requests.post(
            url,
            data=json.dumps({"text": post.text}),
            headers={
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "X-Lookout-Delivery": post.delivery_id,
            },
            timeout=timeout,
            allow_redirects=False,
        )
    except requests.Timeout as exc:
        raise WebhookFailed(f"{host} did not answer within {timeout:g} s.") from exc
    except requests.RequestException as exc:
        raise WebhookFailed(f"Could not reach {host} ({type(exc).__name__}).") from exc
    if 200 <= response.status_code < 300:
        return
    retry_after = None
    if response.status_code == 429:
        try:
            retry_after = float(response.headers.get("Retry-After", ""))
        except ValueError:
            retry_after = None
    if 300 <= response.status_code < 400:
        status = response.status_code
        raise WebhookFailed(f"{host} answered with a redirect ({status}), which is not followed.")
    raise WebhookFailed(f"{host} answered {response.status_code}.", retry_after=retry_after)

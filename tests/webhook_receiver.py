"""A webhook receiver on a real socket (127.0.0.1), recording what Lookout posts to it.

``answers`` is a queue of status codes to answer with, one per post (then 200): a test makes the
receiver fail a few times and then take the message, as a flaky Slack would.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    body: dict
    delivery: str  # X-Lookout-Delivery
    at: float  # time.time() when it arrived


@dataclass
class WebhookReceiver:
    url: str
    posts: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def texts(self, path: str | None = None) -> list[str]:
        with self.lock:
            return [p.body.get("text", "") for p in self.posts if path is None or p.path == path]

    def wait_for(self, count: int, *, timeout: float = 30.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.posts) >= count:
                    return list(self.posts)
            time.sleep(0.05)
        raise AssertionError(f"the receiver got {len(self.posts)} posts, not {count}")


def start_receiver() -> tuple[WebhookReceiver, ThreadingHTTPServer]:
    receiver = WebhookReceiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            with receiver.lock:
                status = receiver.answers.pop(0) if receiver.answers else 200
                if status == 200:
                    receiver.posts.append(
                        Received(
                            self.path, body, self.headers.get("X-Lookout-Delivery", ""), time.time()
                        )
                    )
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args) -> None:  # keep the test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    return receiver, server


@pytest.fixture
def webhook_receiver(settings) -> Iterator[WebhookReceiver]:
    """A local receiver; local webhooks are allowed, as in development."""
    settings.LOOKOUT_WEBHOOK_ALLOW_LOCAL = True
    receiver, server = start_receiver()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()

"""The simulator's HTTP server: one port, Adobe's three surfaces and the control API.

`start()` runs it on a background thread (for fixtures and benchmarks); `python -m simulator`
runs it in the foreground. Each request goes through: routing, faults (preempting, then
delay), authentication, the endpoint, a lost answer or response-shaping faults, counting.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from simulator.faults import AFTER_PROCESSING, BODY_FAULTS, PREEMPTING, PREEMPTING_IMS, Fault
from simulator.gateway import throttled
from simulator.routes import Route, match
from simulator.state import Config, SimulatorState
from simulator.tokens import TokenRecord
from simulator.web import Request, Response, gateway_error, ims_error, json_response

logger = logging.getLogger(__name__)

_5XX_MESSAGES = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def _fault_response(fault: Fault, request: Request) -> Response | None:
    """What a preempting fault answers; None means: drop the connection without answering."""
    kind, params = fault.kind, fault.params
    if kind == "drop_connection":
        return None
    if kind == "rate_limit":
        if request.surface == "ims":
            response = ims_error(429, "too_many_requests", "Too many requests")
        else:
            response = gateway_error(429, "429001", "Too many requests")
        if params.get("retry_after") is not None:
            response.headers["Retry-After"] = str(params["retry_after"])
        return response
    if kind == "server_error":
        code = int(params.get("status", 503))
        if params.get("body_format") == "html":
            html = f"<html><body><h1>{code} {_5XX_MESSAGES[code]}</h1></body></html>"
            return Response(code, html.encode(), {"Content-Type": "text/html"})
        if request.surface == "ims":
            return ims_error(code, "internal_error", "Please try again later")
        return gateway_error(code, f"{code}000", _5XX_MESSAGES[code])
    if kind == "revoked_token":
        return gateway_error(401, "401013", "Oauth token is not valid")
    body = params.get("body", {"error": "simulated"})
    response = (
        json_response(int(params["status"]), body)
        if not isinstance(body, str)
        else Response(int(params["status"]), body.encode(), {"Content-Type": "text/plain"})
    )
    response.headers.update({str(k): str(v) for k, v in dict(params.get("headers") or {}).items()})
    return response


class App:
    def __init__(self, state: SimulatorState) -> None:
        self.state = state

    def org_hint(self, request: Request) -> str | None:
        """The organization a request acts for, for fault scopes and per-org counters."""
        if request.surface == "privacy":
            return request.header("x-gw-ims-org-id")
        if request.surface == "ims":
            client_id = request.arg("client_id") or request.form().get("client_id")
            org = self.state.org_by_client_id(client_id or "")
            return org.ims_org_id if org else None
        if request.surface == "status":
            _scheme, _, token = (request.header("authorization") or "").partition(" ")
            record = self.state.tokens.lookup(token.strip())
            return record.ims_org_id if record else None
        return None

    def handle(self, request: Request) -> Response | None:
        route, params, path_known = match(request.method, request.path)
        if route is None:
            if path_known:
                return gateway_error(405, "405000", "Method Not Allowed")
            return gateway_error(404, "404000", "Not Found")
        request.params, request.route, request.surface = params, route.name, route.surface
        if route.surface == "control":
            return route.handler(request, self.state)
        org = self.org_hint(request)
        generation = self.state.generation
        self.state.counters.count_request(route.name, org)
        slow = self.state.faults.take(request, org, ("slow",))
        if slow is not None:
            time.sleep(float(slow.params["seconds"]))
            if self.state.generation != generation:
                # Reset while it slept: it belongs to an earlier test, whose client has gone.
                return None
        response = self._serve(route, request, org)
        self.state.counters.count_status(route.name, response.status if response else "dropped")
        return response

    def _serve(self, route: Route, request: Request, org: str | None) -> Response | None:
        faults = self.state.faults
        kinds = PREEMPTING_IMS if request.surface == "ims" else PREEMPTING
        preempt = faults.take(request, org, kinds)
        if preempt is not None:
            return _fault_response(preempt, request)
        if route.auth is None:
            response = route.handler(request, self.state)
        else:
            token = route.auth(request, self.state)
            if isinstance(token, Response):
                return token
            response = self._throttle(request, token, org) or route.handler(
                request, self.state, token
            )
        if 200 <= response.status < 300 and faults.take(request, org, AFTER_PROCESSING) is not None:
            return None  # the work is done; its answer is lost on the way back
        if response.is_json and 200 <= response.status < 300:
            spoil = faults.take(request, org, BODY_FAULTS)
            if spoil is not None and spoil.kind == "malformed_json":
                response.body = response.body[: max(1, len(response.body) // 2)]
            elif spoil is not None:  # truncated_page: see _Handler._send
                response.truncate_at = int(len(response.body) * spoil.params.get("fraction", 0.5))
        return response

    def _throttle(self, request: Request, token: TokenRecord, org: str | None) -> Response | None:
        if request.surface != "status":
            return None
        limit = self.state.faults.switch(request, org, "status_throttle")
        if not limit:
            return None
        key = (request.header("authorization") or "").strip()
        wait = self.state.throttle.check(key, int(limit))
        return throttled(wait) if wait is not None else None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so clients can reuse connections
    # Headers and body go out in two writes; with Nagle on, the second waits for the client's
    # delayed ACK (about 40 ms a request on a kept-alive connection).
    disable_nagle_algorithm = True
    server: SimulatorHTTPServer

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            body = self._read_chunked()
        else:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
        host = self.headers.get("Host") or f"{self.server.host}:{self.server.server_port}"
        request = Request(
            method=self.command,
            path=unquote(parts.path),
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            base_url=f"http://{host}",
        )
        try:
            response = self.server.app.handle(request)
        except Exception:
            logger.exception("simulator error on %s %s", self.command, parts.path)
            response = gateway_error(500, "500000", "Internal Server Error")
        try:
            if response is None:
                self._drop()
            else:
                self._send(response)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a `slow` fault past its timeout): nothing to answer.
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    def _read_chunked(self) -> bytes:
        # Streaming clients (a FormData body, a generator) send chunked bodies.
        body = bytearray()
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return bytes(body)
            body += self.rfile.read(size)
            self.rfile.readline()  # the CRLF after each chunk

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        if response.truncate_at is not None:
            self.send_header("Connection", "close")
        self.end_headers()
        if response.truncate_at is None:
            self.wfile.write(response.body)
            return
        # A truncated page: the headers promise the whole body, the connection ends early.
        self.wfile.write(response.body[: response.truncate_at])
        self.wfile.flush()
        self._drop()

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s - " + format, self.address_string(), *args)


class SimulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], state: SimulatorState) -> None:
        super().__init__(address, _Handler)
        self.host = address[0]
        self.app = App(state)
        self.url = f"http://{self.host}:{self.server_port}"
        state.public_urls.add(self.url)
        if self.host in ("127.0.0.1", "0.0.0.0", "localhost"):  # noqa: S104 (only names, no bind)
            state.public_urls.add(f"http://localhost:{self.server_port}")
            state.public_urls.add(f"http://127.0.0.1:{self.server_port}")


@dataclass
class RunningSimulator:
    url: str
    server: SimulatorHTTPServer
    thread: threading.Thread
    state: SimulatorState

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> RunningSimulator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def build(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    seed: int = 1,
    orgs: int = 3,
    jobs_per_org: int = 2000,
    incidents: int = 12,
    clock_start: float | None = None,
    frozen_clock: bool = False,
    future_days: float = 0,
    demo: bool = False,
) -> SimulatorHTTPServer:
    state = SimulatorState(
        Config(
            seed=seed,
            orgs=orgs,
            jobs_per_org=jobs_per_org,
            incidents=incidents,
            start=clock_start,
            frozen=frozen_clock,
            future_days=future_days,
            demo=demo,
        )
    )
    return SimulatorHTTPServer((host, port), state)


def start(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    seed: int = 1,
    orgs: int = 3,
    jobs_per_org: int = 2000,
    incidents: int = 12,
    clock_start: float | None = None,
    frozen_clock: bool = False,
    future_days: float = 0,
    demo: bool = False,
) -> RunningSimulator:
    """Start a simulator on a background thread (see `build`); `.stop()` ends it."""
    server = build(
        host=host,
        port=port,
        seed=seed,
        orgs=orgs,
        jobs_per_org=jobs_per_org,
        incidents=incidents,
        clock_start=clock_start,
        frozen_clock=frozen_clock,
        future_days=future_days,
        demo=demo,
    )
    thread = threading.Thread(target=server.serve_forever, name="simulator", daemon=True)
    thread.start()
    return RunningSimulator(url=server.url, server=server, thread=thread, state=server.app.state)

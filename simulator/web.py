"""Plain HTTP plumbing shared by every surface: the request and response types and body parsing.

Only the standard library: the simulator must run anywhere Python does, with no framework whose
behaviour could mask how Adobe's endpoints actually answer.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qs

logger = logging.getLogger(__name__)

JSON_TYPE = "application/json"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    base_url: str  # how the client reached us, e.g. http://127.0.0.1:8765
    params: dict[str, str] = field(default_factory=dict)  # path parameters
    route: str = ""  # "METHOD template", for counters and faults
    surface: str = ""  # "ims", "privacy", "status", "control"

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def args(self, name: str) -> list[str]:
        """Array query parameters: repeated keys and comma lists both count."""
        out: list[str] = []
        for value in self.query.get(name, []):
            out.extend(part.strip() for part in value.split(",") if part.strip())
        return out

    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";", 1)[0].strip().lower()

    def json(self) -> Any:
        """The body as JSON; raises ValueError when it is not."""
        return json.loads(self.body.decode("utf-8"))

    def form(self) -> dict[str, str]:
        """Form fields from a urlencoded or multipart body (first value of each)."""
        kind = self.content_type()
        if kind == "multipart/form-data":
            return _parse_multipart(self.header("content-type") or "", self.body)
        if kind in ("application/x-www-form-urlencoded", ""):
            parsed = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
            return {key: values[0] for key, values in parsed.items()}
        return {}


def _parse_multipart(content_type: str, body: bytes) -> dict[str, str]:
    # The email package parses MIME multipart correctly; the cgi module is gone in 3.13.
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    fields: dict[str, str] = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name and name not in fields:
            payload = part.get_payload(decode=True) or b""
            fields[str(name)] = payload.decode("utf-8", "replace")
    return fields


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    is_json: bool = False
    # Set by the fault layer: send only this many body bytes, then drop the connection.
    truncate_at: int | None = None


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, separators=(",", ":")).encode()
    return Response(
        status=status,
        body=body,
        headers={"Content-Type": JSON_TYPE, **(headers or {})},
        is_json=True,
    )


def empty_response(status: int) -> Response:
    return Response(status=status)


# Error bodies, one builder per family Adobe uses (adobe-api.md 1.2, 2.10).


def ims_error(status: int, error: str, description: str) -> Response:
    return json_response(status, {"error": error, "error_description": description})


def gateway_error(status: int, code: str, message: str) -> Response:
    """Adobe I/O gateway errors: `{"error_code": "403010", "message": "Oauth token ..."}`."""
    return json_response(status, {"error_code": code, "message": message})


def problem(status: int, title: str, detail: str) -> Response:
    """The problem-detail shape Platform uses for request errors (AEP troubleshooting guide)."""
    return json_response(
        status,
        {"type": "/placeholder/type/uri", "status": status, "title": title, "detail": detail},
    )


def bad_request(detail: str) -> Response:
    return problem(400, "BadRequestError", detail)


def not_found(detail: str) -> Response:
    return problem(404, "NotFoundError", detail)

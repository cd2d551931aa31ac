"""Refused requests are logged as one line, not as a traceback.

Django logs a ``PermissionDenied`` (the 403 of our access helper, ``dashboard.access``) on
``django.request`` with the exception's traceback: a screenful for something that is not an error
in Lookout, burying the real ones. This filter, installed on that logger by ``LOGGING`` in the
settings, keeps every 4xx record but makes it one line: status, path, user id and reason.
Server errors (5xx) keep their traceback.

This module imports no model: the logging configuration loads it before the apps are ready.
"""

from __future__ import annotations

import logging

_PHRASES = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed"}


def _escaped(value: str) -> str:
    # A path is the client's text: no newline of theirs may start a fake log line (as Django does).
    return value.encode("unicode_escape").decode("ascii")


def _user_id(request: object) -> str:
    try:
        pk = request.user.pk  # type: ignore[attr-defined]
    except Exception:  # no user on the request (or it cannot be loaded): still log the line
        pk = None
    return "anonymous" if pk is None else str(pk)


class OneLineClientErrors(logging.Filter):
    """Turn a 4xx record of ``django.request`` into one line: status, path, user id, reason."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if not isinstance(status, int) or not 400 <= status < 500:
            return True
        if getattr(record, "one_line", False):
            return True  # already made one line (by the logger's filter, then the handler's)
        record.one_line = True
        request = getattr(record, "request", None)
        exc = record.exc_info[1] if record.exc_info else None
        reason = str(exc) if exc is not None else ""
        if not reason and status == 403:
            reason = "permission denied"
        record.msg = "%s %s: %s user=%s reason=%s"
        record.args = (
            status,
            _PHRASES.get(status, "Client Error"),
            _escaped(getattr(request, "path", "?")),
            _user_id(request),
            _escaped(reason) or "-",
        )
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        return True

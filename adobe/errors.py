"""Typed errors raised by the Adobe clients.

Every error that leaves ``adobe/`` is an :class:`AdobeError`. Callers decide what to do from the
class alone: :class:`AdobeAuthError` and :class:`AdobeInvalidRequest` are permanent (record them,
do not retry on a timer), :class:`AdobeRateLimited` and :class:`AdobeUnavailable` are transient
(retry later; ``retry_after`` says when), :class:`AdobeBadResponse` means Adobe answered with
something we could not read.

Messages are built from status codes, Adobe's error codes and field paths only. They never carry
a request body, a token, a client secret or a response value (response values can be personal
data such as e-mail addresses).
"""

from __future__ import annotations

import logging
from typing import ClassVar

logger = logging.getLogger(__name__)


class AdobeError(Exception):
    """Base class of every error raised by the Adobe clients."""

    #: True when repeating the same call cannot succeed until a person changes something.
    permanent: ClassVar[bool] = False

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        #: HTTP status of the response that caused the error, if there was one.
        self.status = status
        #: Adobe's own error code (``invalid_client``, ``403003``...), if it sent one.
        self.code = code

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, status={self.status!r}, code={self.code!r})"
        )


class AdobeAuthError(AdobeError):
    """Adobe refused the credential or token (400 invalid_client & co., 401, 403). Permanent."""

    permanent = True


class AdobeRateLimited(AdobeError):
    """Adobe answered 429. ``retry_after`` is the server's Retry-After, or our backoff if absent."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float,
        from_server: bool,
        status: int | None = 429,
        code: str | None = None,
    ):
        super().__init__(message, status=status, code=code)
        #: Seconds to wait before the next attempt.
        self.retry_after = retry_after
        #: True when ``retry_after`` came from the server's ``Retry-After`` header.
        self.from_server = from_server


class AdobeUnavailable(AdobeError):
    """5xx, timeout or connection failure. Transient.

    ``maybe_processed`` is True when the request may have reached Adobe (a read timeout or a 5xx
    after the body was sent), which matters for ``POST /jobs``: the caller must reconcile by
    listing jobs instead of submitting again.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        maybe_processed: bool = False,
        retry_after: float | None = None,
    ):
        super().__init__(message, status=status, code=code)
        self.maybe_processed = maybe_processed
        #: The server's ``Retry-After`` (a 503 may carry one), else None.
        self.retry_after = retry_after


class AdobeBadResponse(AdobeError):
    """Adobe's answer could not be read: malformed JSON, or a field missing or of the wrong type.

    ``field`` is the path of the offending field (``jobDetails[3].createdDate``), or ``<body>``
    when the body itself was unreadable.
    """

    def __init__(self, message: str, *, field: str, status: int | None = None):
        super().__init__(message, status=status)
        self.field = field


class AdobeInvalidRequest(AdobeError):
    """The request breaks one of Adobe's rules (checked before sending, or a 4xx). Permanent.

    ``field`` names the offending argument when we caught it before sending.
    """

    permanent = True

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        status: int | None = None,
        code: str | None = None,
    ):
        super().__init__(message, status=status, code=code)
        self.field = field


class AdobeNotFound(AdobeInvalidRequest):
    """404: for a privacy job, Adobe no longer returns it (30 days after completion)."""


class AdobeIncompleteListing(AdobeError):
    """``GET /jobs`` ended with fewer jobs than its own ``totalRecords`` counted. Transient.

    Raised after every job that was read has been yielded: the caller keeps them, but must not
    conclude from this listing that a job it did not return is gone. ``listed`` is how many
    jobs came, ``total`` how many Adobe counted; ``regulation`` is the code listed, when known.
    """

    def __init__(self, *, listed: int, total: int, regulation: str | None = None):
        what = f"GET /jobs for {regulation}" if regulation else "GET /jobs"
        super().__init__(f"{what} ended after {listed} of {total} jobs (totalRecords)")
        self.listed = listed
        self.total = total
        self.regulation = regulation

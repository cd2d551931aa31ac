"""Every failure put into words a team member understands: one describer per Adobe service.

Pages, the audit log and the sync states show these sentences. Each service names itself (a 429
from Privacy Service is never called an IMS error), says what happened, and — for a refusal —
what an admin can do. None promises a retry: when the next attempt happens is the run's business
(``next_attempt_at``), and the page says it from there. Nothing here contains a token, a secret,
a request body or another organization's name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded

from adobe import errors as adobe
from dashboard.crypto import SecretUnreadable
from dashboard.runs import LeaseLost, retry_after

CONFIGURATION_ERROR = (
    "Lookout configuration error: a stored secret cannot be decrypted with Lookout's encryption "
    "keys (LOOKOUT_ENCRYPTION_KEYS or its key file). Nothing was sent to Adobe."
)


def sentence(text: str) -> str:
    """``text`` ending in one full stop: Adobe's own messages sometimes bring theirs."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


class LookoutError(Exception):
    """A failure on Lookout's side, already in words (no credential, no token): shown as is."""

    permanent = True


class TokenUnavailable(adobe.AdobeUnavailable):
    """No usable IMS token right now; the message says why in plain words. Nothing was sent to
    the service that needed the token."""


@dataclass(frozen=True)
class ErrorDescriber:
    """How one Adobe service's failures read. ``refused`` explains a 401/403 to an admin;
    ``codes`` gives Adobe's own error codes their meaning."""

    service: str
    refused: str
    codes: dict[str, str] = field(default_factory=dict)

    def __call__(self, error: BaseException) -> str:
        return sentence(self._words(error))

    def _words(self, error: BaseException) -> str:
        name = self.service
        if isinstance(error, LookoutError):
            return str(error)
        if isinstance(error, SecretUnreadable):
            return CONFIGURATION_ERROR
        if isinstance(error, adobe.AdobeAuthError):
            explained = self.codes.get(error.code or "")
            if explained:
                return f"{explained} ({error.code})."
            return f"{name} refused the credential ({error.status or error.code}): {self.refused}"
        if isinstance(error, TokenUnavailable):
            # Already a sentence about IMS: it is not this service that failed to answer.
            return f"Lookout has no access token for {name}: {error.message}"
        if isinstance(error, adobe.AdobeRateLimited):
            wait = retry_after(error)
            asked = f" and asked Lookout to wait {wait:.0f} s" if wait is not None else ""
            return f"{name} is rate limiting requests (429){asked}."
        if isinstance(error, adobe.AdobeUnavailable):
            return f"{name} did not answer properly: {error.message}"
        if isinstance(error, adobe.AdobeBadResponse):
            return f"{name} sent an answer Lookout could not read ({error.field})."
        if isinstance(error, adobe.AdobeIncompleteListing):
            of = f" for {error.regulation}" if error.regulation else ""
            return (
                f"{name}'s job listing{of} ended after {error.listed:,} of {error.total:,} jobs; "
                "nothing was marked gone; the next attempt lists again."
            )
        if isinstance(error, adobe.AdobeInvalidRequest) and error.status is None:
            return f"Not sent: {name} would refuse it ({error.message})."
        if isinstance(error, adobe.AdobeNotFound):
            return f"{name} does not know it (404): {error.message}"
        if isinstance(error, adobe.AdobeInvalidRequest):
            return f"{name} refused the request: {error.message}"
        if isinstance(error, adobe.AdobeError):
            return f"{name}: {error.message}"
        if isinstance(error, SoftTimeLimitExceeded):
            return "The run ran out of time and was stopped; the next run carries on from there."
        if isinstance(error, LeaseLost):
            return "The run took too long and another run took over."
        return f"Unexpected error ({type(error).__name__}); see the worker log."


# The failures a background run records in words and carries on from; anything else is a bug,
# recorded as unexpected and raised.
EXPECTED_FAILURES = (
    adobe.AdobeError,
    LookoutError,
    SecretUnreadable,
    LeaseLost,
    SoftTimeLimitExceeded,
)

describe_ims_error = ErrorDescriber(
    service="IMS",
    refused="compare the client ID, secrets and scopes with the credential in Developer Console.",
    codes={
        "invalid_client": "IMS rejected the client ID or client secret",
        "invalid_scope": "IMS refused the scopes: compare them with the credential in "
        "Developer Console",
        "invalid_signature": "IMS could not verify the JWT signature: the private key does not "
        "match a certificate on the credential",
        "invalid_token": "IMS refused the JWT assertion (expired, wrong audience or metascopes)",
    },
)

# No "Lookout keeps trying" here: a refused submission or download is not tried again. A sync is,
# and its page says when from ``next_attempt_at``.
describe_privacy_error = ErrorDescriber(
    service="Adobe Privacy Service",
    refused="check that the credential's project in Developer Console has the Privacy Service "
    "API and a product profile for this organization.",
)

describe_status_error = ErrorDescriber(
    service="Adobe Status",
    refused="check that a credential with Adobe Status usage has the Status API in Developer "
    "Console. Lookout keeps trying.",
)

"""Plain-Python clients for Adobe IMS, Privacy Service and Adobe Status. No Django here.

Everything a client needs comes in as arguments (base URLs, ids, decrypted secrets, timeouts), so
the same code talks to Adobe, to the simulator (``python -m simulator``) or runs in ``bench/``.

Building the clients::

    from adobe import IMSClient, PrivacyClient, StatusClient, CachedTokenProvider, RetryPolicy

    ims = IMSClient(base_url=settings.ADOBE_IMS_URL, timeout=10.0)
    token = ims.exchange_oauth(client_id=cid, client_secret=[primary, secondary], scopes=scopes)
    token.value, token.expires_at, token.secret_index   # value never shows in repr/str

    provider = CachedTokenProvider(lambda: ims.exchange_oauth(...))   # or Lookout's DB-backed one
    privacy = PrivacyClient(base_url=settings.ADOBE_PRIVACY_API_URL, client_id=cid,
                            ims_org_id=org_id, token_provider=provider, timeout=30.0)
    status = StatusClient(base_url=settings.ADOBE_STATUS_API_URL, token_provider=provider)

Every constructor also takes ``session`` (a shared ``requests.Session``; TLS verification must stay
on) and ``retry`` (a :class:`RetryPolicy`: ``max_retries``, ``backoff_base``, ``backoff_cap``,
``max_retry_after``, for ``GET`` retries; ``POST`` is never retried). ``PrivacyClient`` also takes
``clock`` (for the 45-day look-back check) and ``page_base`` (0 or 1 if known; by default it is
discovered, see :mod:`adobe.paging`).

Main calls: ``IMSClient.exchange_oauth / exchange_jwt``; ``PrivacyClient.list_jobs_page /
iter_jobs / list_jobs / iter_jobs_since / get_job / create_jobs / download_content / opt_out``;
``StatusClient.clouds / products / event_types / regions / locales / messages / events /
incidents / maintenance / scheduled`` (event filters as keywords or an :class:`EventFilters`).

The token provider contract: any callable ``provider(*, force_refresh: bool = False) -> str``
returning the current access token. The Privacy and Status clients call it before each request and,
when Adobe answers 401, call it once with ``force_refresh=True`` and retry once; a second 401 is
raised as :class:`AdobeAuthError`, never looped on.

Errors (``adobe.errors``): :class:`AdobeAuthError` (permanent), :class:`AdobeRateLimited`
(``retry_after``), :class:`AdobeUnavailable` (5xx, timeouts, connection errors; ``maybe_processed``
for POSTs), :class:`AdobeBadResponse` (``field`` names what was missing or ill-typed),
:class:`AdobeInvalidRequest` (caught before sending, or a 4xx; ``AdobeNotFound`` for 404).
Responses are immutable typed objects (``adobe.models``; a listed ``JobSummary`` checks its
fields when first read); raw JSON never leaves this package.
"""

from __future__ import annotations

from adobe.errors import (
    AdobeAuthError,
    AdobeBadResponse,
    AdobeError,
    AdobeInvalidRequest,
    AdobeNotFound,
    AdobeRateLimited,
    AdobeUnavailable,
)
from adobe.http import RetryPolicy, TokenProvider
from adobe.ims import AccessToken, IMSClient
from adobe.models.privacy import JobDetail, JobSummary, UserIdentity
from adobe.models.privacy_requests import CompanyContext, PrivacyUser
from adobe.privacy import PrivacyClient
from adobe.status import EventFilters, StatusClient
from adobe.tokens import CachedTokenProvider

__all__ = [
    "AccessToken",
    "AdobeAuthError",
    "AdobeBadResponse",
    "AdobeError",
    "AdobeInvalidRequest",
    "AdobeNotFound",
    "AdobeRateLimited",
    "AdobeUnavailable",
    "CachedTokenProvider",
    "CompanyContext",
    "EventFilters",
    "IMSClient",
    "JobDetail",
    "JobSummary",
    "PrivacyClient",
    "PrivacyUser",
    "RetryPolicy",
    "StatusClient",
    "TokenProvider",
    "UserIdentity",
]

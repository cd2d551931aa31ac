"""The one place Lookout builds Adobe clients and chooses the credential they use.

Every Adobe call of the installation — token refreshes, privacy syncs, submissions, downloads,
Status polls — goes through one pooled ``requests.Session`` that announces Lookout in its
User-Agent, with the base URLs and timeout from settings, and the one read-retry policy below.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import requests
from django.conf import settings
from django.db.models import F

from adobe import IMSClient, PrivacyClient, RetryPolicy, StatusClient
from adobe.http import USER_AGENT as ADOBE_CLIENT_AGENT
from adobe.http import new_session
from dashboard.describe import LookoutError
from dashboard.models import Credential, Organization

USER_AGENT = f"Lookout/1.0 {ADOBE_CLIENT_AGENT}"
# Reads retry a passing failure a few times within one run; a longer Retry-After is not slept
# through but handed to the run, which records it as its next attempt (dashboard.runs).
READ_RETRY = RetryPolicy(max_retries=3, backoff_base=0.5, backoff_cap=8.0, max_retry_after=10.0)

OnResponse = Callable[[requests.Response], None]


class NoCredential(LookoutError):
    """No credential can call this Adobe service (for this organization)."""


@functools.cache
def adobe_session() -> requests.Session:
    """The installation's connection pool to Adobe, shared by every client of this process."""
    session = new_session()
    session.headers["User-Agent"] = USER_AGENT
    return session


def credential_for(*, usage: str, organization_id: int | None = None) -> Credential:
    """The credential to call ``usage`` (``privacy`` or ``status``) with.

    For an organization, one of its own; for the installation-wide Status polls (Status data is
    Adobe-wide), any organization's. Healthy credentials come first, then the one holding the
    longest-valid token; a credential flagged by IMS is still chosen when it is the only one, so
    that it keeps being probed and recovers by itself.
    """
    credentials = Credential.objects.filter(
        usage__in=[usage, Credential.Usage.BOTH]
    ).select_related("organization")
    if organization_id is not None:
        credentials = credentials.filter(organization_id=organization_id)
    credential = credentials.order_by(
        "needs_attention", F("token_expires_at").desc(nulls_last=True), "pk"
    ).first()
    if credential is None:
        service = "Privacy Service" if usage == Credential.Usage.PRIVACY else "Adobe Status"
        where = "this organization has" if organization_id is not None else "Lookout has"
        raise NoCredential(
            f"No credential for {service}: {where} none with that usage. An organization admin "
            "adds one under Credentials & tokens."
        )
    return credential


def _options(on_response: OnResponse | None = None) -> dict:
    """The transport every client of the installation shares."""
    return {
        "session": adobe_session(),
        "timeout": settings.ADOBE_HTTP_TIMEOUT,
        "retry": READ_RETRY,
        "on_response": on_response,
    }


def ims_client() -> IMSClient:
    return IMSClient(base_url=settings.ADOBE_IMS_URL, **_options())


def privacy_client(
    *,
    organization: Organization,
    credential: Credential | None = None,
    on_response: OnResponse | None = None,
) -> PrivacyClient:
    """Privacy Service for ``organization``, with its own credential (NoCredential if none)."""
    from dashboard.services.tokens import CredentialTokenProvider

    credential = credential or credential_for(
        usage=Credential.Usage.PRIVACY, organization_id=organization.pk
    )
    return PrivacyClient(
        base_url=settings.ADOBE_PRIVACY_API_URL,
        client_id=credential.client_id,
        ims_org_id=organization.ims_org_id,
        token_provider=CredentialTokenProvider(credential.pk),
        **_options(on_response),
    )


def status_client(*, credential: Credential, on_response: OnResponse | None = None) -> StatusClient:
    from dashboard.services.tokens import CredentialTokenProvider

    return StatusClient(
        base_url=settings.ADOBE_STATUS_API_URL,
        token_provider=CredentialTokenProvider(credential.pk),
        **_options(on_response),
    )

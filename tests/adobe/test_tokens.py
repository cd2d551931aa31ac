"""CachedTokenProvider: refresh ahead of expiry, one fetch per refresh, never a stale token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adobe import AccessToken, AdobeAuthError, AdobeUnavailable, CachedTokenProvider

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


class Issuer:
    """Hands out numbered tokens valid for `lifetime`, or raises the queued errors first."""

    def __init__(self, clock, lifetime=timedelta(hours=24)):
        self.clock, self.lifetime, self.errors, self.issued = clock, lifetime, [], 0

    def __call__(self) -> AccessToken:
        if self.errors:
            raise self.errors.pop(0)
        self.issued += 1
        return AccessToken(value=f"token-{self.issued}", expires_at=self.clock() + self.lifetime)


@pytest.fixture
def clock():
    state = {"now": NOW}

    def now():
        return state["now"]

    now.advance = lambda delta: state.update(now=state["now"] + delta)
    return now


def test_the_token_is_reused_until_an_hour_is_left(clock):
    issuer = Issuer(clock)
    provider = CachedTokenProvider(issuer, clock=clock)
    assert provider() == "token-1"
    clock.advance(timedelta(hours=22, minutes=59))
    assert provider() == "token-1"
    clock.advance(timedelta(minutes=2))
    assert provider() == "token-2"
    assert issuer.issued == provider.fetch_count == 2


def test_force_refresh_fetches_a_new_token(clock):
    provider = CachedTokenProvider(Issuer(clock), clock=clock)
    provider()
    assert provider(force_refresh=True) == "token-2"


def test_a_failed_early_refresh_keeps_a_token_with_time_left(clock):
    issuer = Issuer(clock)
    provider = CachedTokenProvider(issuer, clock=clock)
    provider()
    clock.advance(timedelta(hours=23, minutes=30))
    issuer.errors.append(AdobeUnavailable("IMS down"))
    assert provider() == "token-1"


def test_a_token_with_under_ten_minutes_is_never_handed_out(clock):
    issuer = Issuer(clock)
    provider = CachedTokenProvider(issuer, clock=clock)
    provider()
    clock.advance(timedelta(hours=23, minutes=55))
    issuer.errors.append(AdobeUnavailable("IMS down"))
    with pytest.raises(AdobeUnavailable):
        provider()


def test_a_permanent_refresh_failure_is_raised_even_with_time_left(clock):
    issuer = Issuer(clock)
    provider = CachedTokenProvider(issuer, clock=clock)
    provider()
    clock.advance(timedelta(hours=23, minutes=30))
    issuer.errors.append(AdobeAuthError("secret revoked", status=401, code="invalid_client"))
    with pytest.raises(AdobeAuthError):
        provider()


def test_the_provider_repr_shows_expiry_not_the_token(clock):
    provider = CachedTokenProvider(Issuer(clock), clock=clock)
    provider()
    assert "token-1" not in repr(provider)
    assert "2025-06-02" in repr(provider)

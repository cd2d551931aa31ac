from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from dashboard.selectors import membership_list_for_user


def organizations(request: HttpRequest) -> dict:
    """The signed-in user's organizations, for the switcher in the base template."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"switcher_memberships": []}
    # Lazy: evaluated only when a template renders the switcher.
    return {"switcher_memberships": membership_list_for_user(user=user)}


def live_refresh(request: HttpRequest) -> dict:
    """How often pages with live data refresh it in place (static/live.js)."""
    return {"live_refresh_seconds": settings.LOOKOUT_LIVE_REFRESH_SECONDS}

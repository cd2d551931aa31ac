from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from dashboard.background import paused_since, queue_name
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


def background_pause(request: HttpRequest) -> dict:
    """Since when background work is paused (the task queue is unreachable), for the banner of the
    base template. Read from the database, lazily: one query by primary key on the pages that show
    the banner, and never a call to the broker, which could hang."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"background_paused_since": None}
    return {
        "background_paused_since": SimpleLazyObject(paused_since),
        "background_queue_name": queue_name(),
    }

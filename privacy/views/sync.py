"""Sync now: a member or admin asks for the organization's job sync at once (viewers may not)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from dashboard.access import get_membership
from dashboard.background import enqueue, not_queued_notice, queued_notice
from privacy.selectors import privacy_sync_state
from privacy.tasks import privacy_sync_task


@require_POST
def sync_now(request: HttpRequest, org_code: UUID) -> HttpResponse:
    """Queue the organization's sync, unless one is running or a failure's wait is not over (the
    run's claim would skip it: Adobe's Retry-After, or the backoff): then say so instead."""
    membership = get_membership(request, org_code, write=True)
    state = privacy_sync_state(organization_id=membership.organization_id)
    now = timezone.now()
    if state is not None and state.is_running(now):
        messages.info(
            request,
            f"A sync with Adobe is already running (for {state.running_for(now)}): its progress "
            "shows below. None was queued.",
        )
    elif state is not None and state.is_failing and (state.next_attempt_at or now) > now:
        messages.info(
            request,
            f"The last sync failed; Lookout asks Adobe again at {state.next_attempt_at:%H:%M:%S} "
            "UTC, not sooner. None was queued.",
        )
    elif enqueue(privacy_sync_task, organization_id=membership.organization_id):
        messages.add_message(
            request, *queued_notice("Sync with Adobe queued: its progress shows below.")
        )
    else:
        messages.warning(request, not_queued_notice())
    return redirect("privacy:job_list", org_code)

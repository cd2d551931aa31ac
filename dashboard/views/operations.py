"""The operations page, for staff: is the background running, and is it keeping up?

Every periodic task's last run and next run, the workers' and beat's heartbeats, the queue's depth,
every background run's lag and the calls made to Adobe in the last 24 hours. Staff only: anyone
else gets a 404 (the page does not exist for them). It reads the database and, with a short
timeout, Redis; a broker that does not answer is shown as "unknown", never an error.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dashboard.operations_selectors import adobe_request_hours
from dashboard.selectors import (
    heartbeat_list,
    periodic_task_rows,
    process_health,
    queue_depth,
    sync_lag_list,
)


@require_GET
def operations(request: HttpRequest) -> HttpResponse:
    if not request.user.is_staff:
        raise Http404
    now = timezone.now()
    return render(
        request,
        "dashboard/operations.html",
        {
            "now": now,
            "processes": process_health(now=now),
            "heartbeats": heartbeat_list(now=now),
            "tasks": periodic_task_rows(now=now),
            "queue_depth": queue_depth(),
            "sync_lags": sync_lag_list(now=now),
            "adobe_requests": adobe_request_hours(now=now),
            "stale_after": settings.LOOKOUT_HEARTBEAT_STALE_AFTER,
        },
    )

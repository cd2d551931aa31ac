"""GET /metrics: Lookout's state for Prometheus, behind a bearer token.

``LOOKOUT_METRICS_TOKEN`` unset: the URL does not exist (404). Set: a scrape must send
``Authorization: Bearer <token>`` (else 401). The token is compared in constant time and never
logged.

The web process, the workers and beat are separate processes, so in-process counters would each
see a part: every value is read from the database at scrape time instead, by a collector on a
registry of this module's own (never the library's global one, which would add this process's
Python and GC metrics). The core's families are built here; each app adds its own through
``dashboard.hooks.register_metrics`` (Status its open incidents). Labels name organizations and
credentials by their codes only: never a credential's name, client id or secret.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric as PrometheusMetric
from prometheus_client.registry import Collector

from dashboard import hooks
from dashboard.operations_selectors import (
    adobe_request_totals,
    credential_health_list,
    run_lag_list,
)


def core_metrics() -> list[hooks.Metric]:
    """The core's families: tokens, credentials, background runs and calls to Adobe."""
    credentials = credential_health_list()
    by_credential = ("organization", "credential")
    lags = run_lag_list()
    totals = adobe_request_totals()
    outcomes = []
    for service, counts in totals.items():
        answered = counts["requests"] - counts["throttled"] - counts["errors"]
        outcomes += [
            ((service, "answered"), float(answered)),
            ((service, "throttled"), float(counts["throttled"])),
            ((service, "error"), float(counts["errors"])),
        ]
    return [
        hooks.Metric(
            "lookout_token_seconds_left",
            "Seconds until the credential's IMS access token expires (negative: expired).",
            labels=by_credential,
            samples=tuple(
                ((c.organization_code, c.credential_code), c.token_seconds_left)
                for c in credentials
                if c.token_seconds_left is not None
            ),
        ),
        hooks.Metric(
            "lookout_token_refresh_failures",
            "Token refreshes of the credential that failed in a row (0: the last one worked).",
            labels=by_credential,
            samples=tuple(
                ((c.organization_code, c.credential_code), float(c.failures_in_a_row))
                for c in credentials
            ),
        ),
        hooks.Metric(
            "lookout_credential_needs_attention",
            "1 when IMS refused the credential and an admin must fix it, else 0.",
            labels=by_credential,
            samples=tuple(
                ((c.organization_code, c.credential_code), float(c.needs_attention))
                for c in credentials
            ),
        ),
        hooks.Metric(
            "lookout_sync_lag_seconds",
            "Seconds since the background run last succeeded (privacy: per organization).",
            labels=("run", "organization"),
            samples=tuple(
                ((lag.run, lag.organization_code), lag.lag_seconds)
                for lag in lags
                if lag.lag_seconds is not None
            ),
        ),
        hooks.Metric(
            "lookout_sync_failures",
            "Attempts of the background run that failed in a row.",
            labels=("run", "organization"),
            samples=tuple(
                ((lag.run, lag.organization_code), float(lag.failures_in_a_row)) for lag in lags
            ),
        ),
        hooks.Metric(
            "lookout_adobe_requests",
            "HTTP attempts Lookout made to Adobe, by service and outcome: answered (any other "
            "status), throttled (429) or error (5xx, timeout, connection failure).",
            kind="counter",
            labels=("service", "outcome"),
            samples=tuple(outcomes),
        ),
    ]


def _family(metric: hooks.Metric) -> PrometheusMetric:
    family_class = CounterMetricFamily if metric.kind == "counter" else GaugeMetricFamily
    family = family_class(metric.name, metric.help, labels=list(metric.labels))
    for label_values, value in metric.samples:
        family.add_metric(list(label_values), value)
    return family


class LookoutCollector(Collector):
    """Reads every family from the database when Prometheus scrapes."""

    def collect(self) -> Iterator[PrometheusMetric]:
        for metric in [*core_metrics(), *hooks.metrics_collect()]:
            yield _family(metric)


def _authorized(request: HttpRequest, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


@login_not_required
@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    token = settings.LOOKOUT_METRICS_TOKEN
    if not token:
        raise Http404  # not configured: the endpoint does not exist
    if not _authorized(request, token):
        response = HttpResponse(
            "A bearer token is required.\n", status=401, content_type="text/plain"
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    registry = CollectorRegistry(auto_describe=False)
    registry.register(LookoutCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)

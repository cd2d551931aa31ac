from __future__ import annotations

from django.urls import path

from status.views import pages, watching

app_name = "status"

urlpatterns = [
    path("orgs/<uuid:org_code>/status/", pages.status_page, name="status_page"),
    path(
        "orgs/<uuid:org_code>/status/incidents/<uuid:incident_code>/",
        pages.incident_detail,
        name="incident_detail",
    ),
    path("orgs/<uuid:org_code>/status/history/", pages.history, name="history"),
    path(
        "orgs/<uuid:org_code>/status/products/", watching.watched_products, name="watched_products"
    ),
    path("orgs/<uuid:org_code>/status/sync/", watching.sync_now, name="sync_now"),
]

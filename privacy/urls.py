from __future__ import annotations

from django.urls import path

from privacy.views import jobs, submissions, sync

app_name = "privacy"

urlpatterns = [
    path("orgs/<uuid:org_code>/privacy/", jobs.job_list, name="job_list"),
    path("orgs/<uuid:org_code>/privacy/export.csv", jobs.job_export, name="job_export"),
    path(
        "orgs/<uuid:org_code>/privacy/jobs/<str:adobe_job_id>/",
        jobs.job_by_adobe_id,
        name="job_by_adobe_id",
    ),
    path("orgs/<uuid:org_code>/privacy/sync/", sync.sync_now, name="sync_now"),
    path("orgs/<uuid:org_code>/privacy/request/", submissions.request_new, name="request_new"),
    path("orgs/<uuid:org_code>/privacy/opt-out/", submissions.consent_new, name="consent_new"),
    path("privacy/jobs/<uuid:job_code>/", jobs.job_detail, name="job_detail"),
    path("privacy/jobs/<uuid:job_code>/download/", jobs.job_download, name="job_download"),
]

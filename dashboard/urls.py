from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dashboard.views import credentials, health, home, team

dashboard_patterns = [
    path("", home.home, name="home"),
    path("orgs/<uuid:org_code>/", home.organization, name="organization"),
    path("orgs/<uuid:org_code>/team/", team.team, name="team"),
    path("orgs/<uuid:org_code>/team/add/", team.member_add, name="member_add"),
    path("members/<uuid:membership_code>/role/", team.member_role, name="member_role"),
    path("members/<uuid:membership_code>/remove/", team.member_remove, name="member_remove"),
    path("orgs/<uuid:org_code>/credentials/", credentials.credential_list, name="credential_list"),
    path(
        "orgs/<uuid:org_code>/credentials/add/oauth/",
        credentials.credential_add_oauth,
        name="credential_add_oauth",
    ),
    path(
        "orgs/<uuid:org_code>/credentials/add/jwt/",
        credentials.credential_add_jwt,
        name="credential_add_jwt",
    ),
    path("orgs/<uuid:org_code>/audit/", credentials.audit_log, name="audit_log"),
    path(
        "credentials/<uuid:credential_code>/",
        credentials.credential_detail,
        name="credential_detail",
    ),
    path(
        "credentials/<uuid:credential_code>/test/",
        credentials.credential_test_connection,
        name="credential_test",
    ),
    path(
        "credentials/<uuid:credential_code>/delete/",
        credentials.credential_remove,
        name="credential_delete",
    ),
    path(
        "credentials/<uuid:credential_code>/secrets/add/",
        credentials.secret_add_view,
        name="secret_add",
    ),
    path(
        "secrets/<uuid:secret_code>/promote/",
        credentials.secret_promote_view,
        name="secret_promote",
    ),
    path(
        "secrets/<uuid:secret_code>/retire/", credentials.secret_retire_view, name="secret_retire"
    ),
]

urlpatterns = [
    path("", include((dashboard_patterns, "dashboard"))),
    path("", include("privacy.urls")),
    path("", include("status.urls")),
    path("healthz", health.healthz, name="healthz"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]

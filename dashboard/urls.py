from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dashboard.views import (
    credentials,
    health,
    home,
    invitations,
    metrics,
    notifications,
    operations,
    team,
)

dashboard_patterns = [
    path("", home.home, name="home"),
    path("orgs/<uuid:org_code>/", home.organization, name="organization"),
    path("orgs/<uuid:org_code>/team/", team.team, name="team"),
    # Adds a person by invitation (the name is kept from when it added accounts directly).
    path("orgs/<uuid:org_code>/team/invite/", team.member_invite, name="member_add"),
    path(
        "invitations/<uuid:invitation_code>/revoke/",
        team.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path("join/", invitations.invitation_join, name="invitation_join"),
    path("join/<str:token>/", invitations.invitation_accept_link, name="invitation_accept"),
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
    path("orgs/<uuid:org_code>/notifications/", notifications.notifications, name="notifications"),
    path(
        "orgs/<uuid:org_code>/notifications/team-webhooks/",
        notifications.team_webhook_create,
        name="team_webhook_add",
    ),
    path(
        "team-webhooks/<uuid:webhook_code>/remove/",
        notifications.team_webhook_delete,
        name="team_webhook_remove",
    ),
    path("orgs/<uuid:org_code>/audit/", credentials.audit_log, name="audit_log"),
    path("orgs/<uuid:org_code>/audit/export/", credentials.audit_export, name="audit_export"),
    path("operations/", operations.operations, name="operations"),
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
    path("livez", health.livez, name="livez"),
    path("metrics", metrics.metrics, name="metrics"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Password reset by e-mail: the same answer whether or not the address has an account.
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("admin/", admin.site.urls),
]

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dashboard.views import health, home, team

dashboard_patterns = [
    path("", home.home, name="home"),
    path("orgs/<uuid:org_code>/", home.organization, name="organization"),
    path("orgs/<uuid:org_code>/team/", team.team, name="team"),
    path("orgs/<uuid:org_code>/team/add/", team.member_add, name="member_add"),
    path("members/<uuid:membership_code>/role/", team.member_role, name="member_role"),
    path("members/<uuid:membership_code>/remove/", team.member_remove, name="member_remove"),
]

urlpatterns = [
    path("", include((dashboard_patterns, "dashboard"))),
    path("healthz", health.healthz, name="healthz"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]

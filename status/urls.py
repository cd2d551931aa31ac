from __future__ import annotations

app_name = "status"

urlpatterns: list = []

"""Settings come from the environment, with defaults that run and production that refuses them.

Each case starts a fresh Python process, as a deployment would, with only the given variables.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
OURS = (
    "DEBUG",
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "ALLOWED_HOSTS",
    "LOOKOUT_ENCRYPTION_KEYS",
    "LOOKOUT_ENCRYPTION_KEYS_FILE",
    "ADOBE_IMS_URL",
    "ADOBE_PRIVACY_API_URL",
    "ADOBE_STATUS_API_URL",
)
PROBE = """
import json, django
django.setup()
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "debug": s.DEBUG, "engine": db["ENGINE"], "db_options": db.get("OPTIONS", {}),
    "broker": s.CELERY_BROKER_URL, "secret_is_dev": s.SECRET_KEY == s.INSECURE_DEV_SECRET_KEY,
    "adobe": [s.ADOBE_IMS_URL, s.ADOBE_PRIVACY_API_URL, s.ADOBE_STATUS_API_URL],
}))
"""


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in OURS}
    clean.update(DJANGO_SETTINGS_MODULE="dashboard.settings", **env)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def _settings(**env: str) -> dict:
    result = _run(["-c", PROBE], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_with_no_environment_lookout_runs_on_embedded_parts():
    s = _settings()
    assert s["debug"] is False
    assert s["engine"] == "django.db.backends.sqlite3"
    assert "busy_timeout" in s["db_options"]["init_command"]
    assert s["db_options"]["transaction_mode"] == "IMMEDIATE"
    assert s["broker"] == "filesystem://"
    assert s["adobe"] == [
        "https://ims-na1.adobelogin.com",
        "https://platform.adobe.io/data/core/privacy",
        "https://status.adobe.io/api/v1",
    ]


def test_environment_switches_to_postgres_and_redis():
    s = _settings(
        DATABASE_URL="postgres://u:p@db.internal:5432/lookout", REDIS_URL="redis://cache:6379/0"
    )
    assert s["engine"] == "django.db.backends.postgresql"
    assert s["broker"] == "redis://cache:6379/0"
    s = _settings(REDIS_URL="redis://cache:6379/0", CELERY_BROKER_URL="redis://other:6379/1")
    assert s["broker"] == "redis://other:6379/1"


def test_adobe_base_urls_point_anywhere(tmp_path):
    s = _settings(
        ADOBE_IMS_URL="http://127.0.0.1:8765",
        ADOBE_PRIVACY_API_URL="http://127.0.0.1:8765/data/core/privacy",
        ADOBE_STATUS_API_URL="http://127.0.0.1:8765/api/v1",
    )
    assert s["adobe"][0] == "http://127.0.0.1:8765"


def test_secret_key_is_read_from_a_file(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("a-file-secret-" + "x" * 50 + "\n")
    assert _settings(SECRET_KEY_FILE=str(key_file))["secret_is_dev"] is False


def test_production_refuses_to_start_with_the_development_secret_key():
    result = _run(["manage.py", "check"], DEBUG="false")
    assert result.returncode != 0
    assert "dashboard.E001" in result.stderr
    assert "SECRET_KEY is the development key while DEBUG is off." in result.stderr


def test_production_refuses_the_development_encryption_key_and_malformed_keys():
    result = _run(["manage.py", "check"], SECRET_KEY="k" * 60)
    assert result.returncode != 0
    assert "dashboard.E002" in result.stderr
    result = _run(["manage.py", "check"], SECRET_KEY="k" * 60, LOOKOUT_ENCRYPTION_KEYS="short")
    assert "Key number 1 in LOOKOUT_ENCRYPTION_KEYS is not a Fernet key." in result.stderr


def test_production_starts_with_real_keys_and_debug_stays_off_by_default():
    result = _run(
        ["manage.py", "check"],
        SECRET_KEY="k" * 60,
        LOOKOUT_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )
    assert result.returncode == 0, result.stderr
    assert _run(["manage.py", "check"], DEBUG="true").returncode == 0  # development may


def _env_example(name: str) -> str:
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.startswith(f"{name}="):
            return line.split("=", 1)[1]
    raise AssertionError(f"{name} is not in .env.example")


PLACEHOLDER_MESSAGE = "SECRET_KEY is the placeholder from .env.example while DEBUG is off."


def test_production_refuses_to_import_settings_with_the_env_example_secret_key(tmp_path):
    placeholder = _env_example("SECRET_KEY")
    real_keys = {"LOOKOUT_ENCRYPTION_KEYS": Fernet.generate_key().decode()}
    for args in (["-c", "import django; django.setup()"], ["manage.py", "check"]):
        result = _run(args, DEBUG="false", SECRET_KEY=placeholder, **real_keys)
        assert result.returncode != 0
        assert f"ImproperlyConfigured: {PLACEHOLDER_MESSAGE}" in result.stderr
    key_file = tmp_path / "secret_key"
    key_file.write_text(placeholder + "\n")
    result = _run(["-c", PROBE], SECRET_KEY_FILE=str(key_file), **real_keys)
    assert result.returncode != 0
    assert PLACEHOLDER_MESSAGE in result.stderr


def test_development_may_use_the_env_example_secret_key():
    assert _settings(DEBUG="true", SECRET_KEY=_env_example("SECRET_KEY"))["debug"] is True


def test_the_start_up_check_refuses_the_placeholder_set_after_import(settings):
    from django.core.checks import run_checks

    settings.DEBUG = False
    settings.SECRET_KEY = settings.PLACEHOLDER_SECRET_KEY
    errors = [m for m in run_checks() if m.id == "dashboard.E001"]
    assert [m.msg for m in errors] == [PLACEHOLDER_MESSAGE]

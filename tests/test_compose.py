"""The production stack, checked by reading docker-compose.yml (no Docker engine here)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _command(service: dict) -> str:
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


def test_the_stack_has_its_five_services(compose):
    assert set(compose["services"]) == {"web", "worker", "beat", "postgres", "redis"}


def test_web_migrates_before_gunicorn_starts(compose):
    command = _command(compose["services"]["web"])
    assert command.index("manage.py migrate") < command.index("gunicorn dashboard.wsgi")
    assert "&&" in command  # a failed migration (or system check) stops the start


def test_worker_and_exactly_one_beat_run_celery(compose):
    assert "celery -A dashboard worker" in _command(compose["services"]["worker"])
    beat = compose["services"]["beat"]
    assert "celery -A dashboard beat" in _command(beat)
    assert beat.get("deploy", {}).get("replicas", 1) == 1
    assert "beat" not in _command(compose["services"]["worker"])  # no embedded beat (-B)


def test_app_services_share_one_image_and_configuration(compose):
    services = compose["services"]
    images = {services[name]["image"] for name in APP_SERVICES}
    assert len(images) == 1
    for name in APP_SERVICES:
        env = services[name]["environment"]
        for required in (
            "SECRET_KEY",
            "LOOKOUT_ENCRYPTION_KEYS",
            "ALLOWED_HOSTS",
            "DATABASE_URL",
            "CELERY_BROKER_URL",
        ):
            assert required in env, f"{name} lacks {required}"
        assert env["DEBUG"] == "false"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:")


def test_production_refuses_to_start_without_its_secrets(compose):
    env = compose["services"]["web"]["environment"]
    # ${VAR:?message} makes `docker compose up` stop with the message when VAR is unset.
    assert re.fullmatch(r"\$\{SECRET_KEY:\?.+\}", env["SECRET_KEY"])
    assert re.fullmatch(r"\$\{LOOKOUT_ENCRYPTION_KEYS:\?.+\}", env["LOOKOUT_ENCRYPTION_KEYS"])
    assert "${POSTGRES_PASSWORD:?" in env["DATABASE_URL"]
    assert "${ALLOWED_HOSTS:?" in env["ALLOWED_HOSTS"]


def test_databases_are_health_checked_and_waited_for(compose):
    services = compose["services"]
    assert "pg_isready" in str(services["postgres"]["healthcheck"]["test"])
    assert "ping" in str(services["redis"]["healthcheck"]["test"])
    assert "/healthz" in str(services["web"]["healthcheck"]["test"])
    web_deps = services["web"]["depends_on"]
    assert (
        web_deps["postgres"]["condition"] == web_deps["redis"]["condition"] == ("service_healthy")
    )
    for name in ("worker", "beat"):
        # Background processes start once web has migrated the database.
        assert services[name]["depends_on"]["web"]["condition"] == "service_healthy"


def test_every_variable_compose_reads_is_documented_in_env_example(compose):
    text = (ROOT / "docker-compose.yml").read_text()
    used = set(re.findall(r"\$\{([A-Z_]+)", text))
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert used <= documented, used - documented


def test_the_image_installs_the_runtime_requirements():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install -r requirements.txt" in dockerfile
    assert "collectstatic" in dockerfile
    assert re.search(r"^USER (?!root)", dockerfile, re.M)

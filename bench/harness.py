"""What every Lookout benchmark needs: its own simulator and Django pointed at it.

A benchmark never touches the demo's or the tests' data: Django runs on
LOOKOUT_BENCH_DATABASE_URL (its tables are emptied: never point it at real data) or on a SQLite
file under var/<name>/, with the simulator it started as Adobe.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READY = "Simulator listening on "


def start_simulator(*args: str) -> tuple[subprocess.Popen, str]:
    """``python -m simulator --port 0 --frozen-clock ARGS``; its process and base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--port", "0", "--frozen-clock", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = process.stdout.readline()
    if not line.startswith(READY):
        process.kill()
        sys.exit(f"the simulator did not start: {line!r}")
    return process, line[len(READY) :].strip()


def configure_django(simulator_url: str, *, name: str, **env: str) -> str:
    """Set up Django for a benchmark; returns the database vendor ("postgres", "sqlite")."""
    bench_dir = ROOT / "var" / name
    if bench_dir.exists():
        shutil.rmtree(bench_dir)
    bench_dir.mkdir(parents=True)
    database = os.environ.get("LOOKOUT_BENCH_DATABASE_URL") or (
        f"sqlite:///{bench_dir / 'bench.sqlite3'}"
    )
    os.environ.update(
        DJANGO_SETTINGS_MODULE="dashboard.settings",
        LOOKOUT_VAR_DIR=str(bench_dir),
        DATABASE_URL=database,
        ADOBE_IMS_URL=simulator_url,
        ADOBE_PRIVACY_API_URL=f"{simulator_url}/data/core/privacy",
        ADOBE_STATUS_API_URL=f"{simulator_url}/api/v1",
        ALLOWED_HOSTS="testserver,localhost",
        LOG_LEVEL="WARNING",
        **env,
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return database.split(":", 1)[0]


def configure_django_pages(name: str) -> str:
    """Set up Django for a benchmark of pages that never call Adobe: no simulator (Adobe's URLs
    lead nowhere) and an in-memory broker, so nothing reaches a real one. Returns the database
    vendor, as ``configure_django``."""
    if not os.environ.get("LOOKOUT_BENCH_DATABASE_URL"):
        print(f"LOOKOUT_BENCH_DATABASE_URL is not set: SQLite under var/{name} (the figures "
              "asked for are PostgreSQL's)")  # fmt: skip
    # WhiteNoise's note about an uncollected static root, once per client: not a figure.
    warnings.filterwarnings("ignore", message="No directory at")
    return configure_django("http://127.0.0.1:9", name=name, CELERY_BROKER_URL="memory://")


def onboard_simulated_orgs(control) -> list:
    """One Lookout organization per simulated one, each with its OAuth credential (as a page would
    onboard it). Call after ``configure_django``; empties the Lookout organizations first."""
    from dashboard.models import Credential, Organization
    from dashboard.services.credentials import CredentialInput, credential_create
    from dashboard.services.organizations import organization_create

    Organization.objects.all().delete()
    credentials = []
    for generated in control.orgs():
        organization = organization_create(name=generated.name, ims_org_id=generated.ims_org_id)
        credentials.append(
            credential_create(
                organization=organization,
                created_by=None,
                data=CredentialInput(
                    kind=Credential.Kind.OAUTH,
                    name=generated.name,
                    client_id=generated.client_id,
                    client_secrets=list(generated.client_secrets),
                    scopes=list(generated.scopes),
                ),
            )
        )
    return credentials

"""The same seed gives the same data; the command line starts a separate server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests

from simulator.server import start

START = 1_780_000_000.0  # a fixed clock start, so dates match byte for byte
ROOT = Path(__file__).resolve().parents[2]


def _snapshot(seed: int) -> tuple[list[dict], dict, str]:
    sim = start(seed=seed, orgs=2, jobs_per_org=200, clock_start=START, frozen_clock=True)
    try:
        orgs = requests.get(f"{sim.url}/_simulator/orgs", timeout=10).json()
        org = orgs[0]
        token = requests.post(
            f"{sim.url}/ims/token/v3",
            data={"grant_type": "client_credentials", "client_id": org["client_id"],
                  "client_secret": org["client_secrets"][0], "scope": "openid"},
            timeout=10,
        ).json()["access_token"]  # fmt: skip
        headers = {
            "Authorization": f"Bearer {token}",
            "x-api-key": org["client_id"],
            "x-gw-ims-org-id": org["ims_org_id"],
        }
        jobs = requests.get(
            f"{sim.url}/data/core/privacy/jobs",
            params={
                "regulation": "gdpr",
                "size": 1000,
                "fromDate": "2026-05-01",
                "toDate": "2026-05-28",
            },
            headers=headers,
            timeout=10,
        ).json()
        job = requests.get(
            f"{sim.url}/data/core/privacy/jobs/{jobs['jobDetails'][0]['jobId']}",
            headers=headers,
            timeout=10,
        ).json()
        incidents = requests.get(
            f"{sim.url}/api/v1/events/incidents",
            params={"api_key": "StatusAdobeIOClient"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        ).text
    finally:
        sim.stop()
    for o in orgs:  # key pairs are fresh on every start by design
        del o["private_key_pem"], o["public_key_pem"], o["certificate_pem"]
    job.pop("downloadUrl", None)  # names the port
    return orgs, {"list": jobs, "job": job}, incidents


def test_the_same_seed_gives_the_same_organizations_jobs_and_incidents():
    first, second = _snapshot(7), _snapshot(7)

    assert first == second
    assert first[1]["list"]["totalRecords"] > 0


def test_another_seed_gives_other_data():
    first, other = _snapshot(7), _snapshot(8)

    assert first[0][0]["ims_org_id"] != other[0][0]["ims_org_id"]
    assert first[1]["list"] != other[1]["list"]


def test_the_command_line_prints_its_url_once_it_answers():
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--port", "0", "--orgs", "1", "--jobs-per-org", "10"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("Simulator listening on http://127.0.0.1:")
        url = line.split()[-1]
        assert requests.get(f"{url}/_simulator/health", timeout=10).json() == {"ok": True}
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0

"""Helpers for testing the simulator itself over real HTTP with plain `requests`.

The `simulator` fixture comes from the `tests.fixtures.simulator` plugin.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
import requests

from simulator.control import SimulatedOrg, SimulatorControl

PRIVACY_SCOPES = "openid,AdobeID,read_organizations,additional_info.projectedProductContext"
TIMEOUT = 10


def oauth_token(sim: SimulatorControl, org: SimulatedOrg, scope: str = PRIVACY_SCOPES) -> str:
    response = requests.post(
        f"{sim.ims_url}/ims/token/v3",
        data={
            "grant_type": "client_credentials",
            "client_id": org.client_id,
            "client_secret": org.client_secret,
            "scope": scope,
        },
        timeout=TIMEOUT,
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def jwt_assertion(
    org: SimulatedOrg,
    *,
    ims: str,
    metascopes: tuple[str, ...] = ("ent_gdpr_sdk",),
    key_pem: str | None = None,
    **overrides: Any,
) -> str:
    claims: dict[str, Any] = {
        "exp": int(time.time()) + 300,
        "iss": org.ims_org_id,
        "sub": org.technical_account_id,
        "aud": f"{ims}/c/{org.client_id}",
    }
    claims.update({f"{ims}/s/{name}": True for name in metascopes})
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key_pem or org.private_key_pem, algorithm="RS256")


class Api:
    """A requests session with one surface's base URL and headers."""

    def __init__(
        self, base_url: str, headers: dict[str, str], params: dict[str, str] | None = None
    ):
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers.update(headers)
        self.params = params or {}

    def get(self, path: str = "", **kwargs: Any) -> requests.Response:
        kwargs["params"] = {**self.params, **kwargs.get("params", {})}
        kwargs.setdefault("timeout", TIMEOUT)
        return self.session.get(self.base_url + path, **kwargs)

    def post(self, path: str = "", **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", TIMEOUT)
        return self.session.post(self.base_url + path, **kwargs)


@pytest.fixture
def org(simulator: SimulatorControl) -> SimulatedOrg:
    return simulator.orgs()[0]


@pytest.fixture
def other_org(simulator: SimulatorControl) -> SimulatedOrg:
    return simulator.orgs()[1]


@pytest.fixture
def token(simulator: SimulatorControl, org: SimulatedOrg) -> str:
    return oauth_token(simulator, org)


def privacy_api(sim: SimulatorControl, org: SimulatedOrg, token: str) -> Api:
    return Api(
        sim.privacy_url,
        {
            "Authorization": f"Bearer {token}",
            "x-api-key": org.client_id,
            "x-gw-ims-org-id": org.ims_org_id,
        },
    )


@pytest.fixture
def privacy(simulator: SimulatorControl, org: SimulatedOrg, token: str) -> Iterator[Api]:
    api = privacy_api(simulator, org, token)
    yield api
    api.session.close()


@pytest.fixture
def status_api(simulator: SimulatorControl, token: str) -> Iterator[Api]:
    api = Api(
        simulator.status_url,
        {"Authorization": f"Bearer {token}"},
        params={"api_key": "StatusAdobeIOClient"},
    )
    yield api
    api.session.close()


def all_job_ids(api: Api, regulation: str, *, size: int = 100, **params: Any) -> list[str]:
    """Every job id of a regulation, walking 1-based pages until a short one."""
    ids: list[str] = []
    page = 1
    while True:
        query = {"regulation": regulation, "page": page, "size": size, **params}
        body = api.get("/jobs", params=query).json()
        ids += [job["jobId"] for job in body["jobDetails"]]
        if len(body["jobDetails"]) < size:
            return ids
        page += 1

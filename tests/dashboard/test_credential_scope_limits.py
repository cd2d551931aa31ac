"""Scopes and metascopes that fit are kept; longer ones are refused in words, and nothing saved."""

from __future__ import annotations

import pytest

from dashboard.models import Credential
from dashboard.services.credentials import SCOPES_MAX_LENGTH
from tests.dashboard.test_credential_onboarding import _add, _assert_refused, _jwt_form, _oauth_form


def _scopes(given, length: int) -> str:
    """The credential's own scopes, then one more to make the comma-separated text ``length``."""
    text = ",".join(given)
    return f"{text},{'s' * (length - len(text) - 1)}"


@pytest.mark.parametrize(
    ("kind", "form", "field", "given"),
    [
        ("oauth", _oauth_form, "scopes", lambda g: g.scopes),
        ("jwt", _jwt_form, "metascopes", lambda g: g.metascopes),
    ],
)
def test_the_longest_scopes_are_kept_and_one_character_more_is_refused(
    client, alice, sim_org, adobe, kind, form, field, given
):
    generated = adobe.org(0)
    client.force_login(alice)
    over = _scopes(given(generated), SCOPES_MAX_LENGTH + 1)
    response = _add(client, sim_org, kind, form(generated, **{field: over}))
    _assert_refused(
        response,
        f"The {field} are 1,001 characters long, comma-separated; Lookout keeps at most 1,000.",
    )

    longest = _scopes(given(generated), SCOPES_MAX_LENGTH)
    page = _add(client, sim_org, kind, form(generated, **{field: longest})).content.decode()
    assert "Credential saved." in page
    assert getattr(Credential.objects.get(organization=sim_org), field) == longest

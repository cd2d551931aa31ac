"""Sentences people read: counted nouns agree with their number, articles with their noun, and no
sentence ends twice. The templates are searched for the mistakes once found in them; the
sentences built in Python are rendered and read."""

from __future__ import annotations

import io
import re
import tokenize
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from adobe.errors import AdobeInvalidRequest, AdobeNotFound, AdobeUnavailable
from dashboard.describe import describe_privacy_error, describe_status_error
from privacy.models import PrivacySubmission
from status.models import Incident, Maintenance

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
PYTHON = sorted(
    path
    for app in ("dashboard", "privacy", "status")
    for path in (ROOT / app).rglob("*.py")
    if "migrations" not in path.parts
)

# A count followed by a plural noun, with no |pluralize or ngettext to make "1 days" "1 day".
COUNTED = re.compile(
    r"\{\{\s*(?P<count>[\w.|]+)\s*\}\}\s+"
    r"(?:days|hours|minutes|jobs|people|products|requests|times|members|attempts|incidents"
    r"|credentials|secrets)\b"
)
WRONG = {
    "never yet": re.compile(r"never yet"),
    "a before a vowel": re.compile(r"\ba (?:OAuth|\{\{)"),
    "Affected us (the pages say Affects us)": re.compile(r"Affected us"),
    # Two full stops in a row, not an ellipsis and not a relative path.
    "..": re.compile(r"(?<!\.)\.\.(?![./])"),
    # A full stop after a message or error, which is already a sentence with its own.
    ". after a sentence": re.compile(
        r"\{\{\s*[\w.]*(?:error|message|explanation|note)\s*\}\}(?:</\w+>|\{%[^%]*%\})*\.(?!\.)"
    ),
}

PYTHON_WRONG = [WRONG[name] for name in ("never yet", "a before a vowel", "..")]


def _counted_in_words(source: str, count: str) -> bool:
    """Pluralized, only shown for more than one ("The last {{ n }} attempts failed"), or not a
    number at all ("{{ organization.name }} credentials")."""
    return (
        "pluralize" in count
        or count.endswith(("name", "title"))
        or f"{{% if {count} > 1 %}}" in source
    )


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_says_1_days_a_oauth_never_yet_or_two_full_stops(path):
    source = path.read_text()
    found = [name for name, pattern in WRONG.items() if pattern.search(source)]
    found += [
        match.group(0)
        for match in COUNTED.finditer(source)
        if not _counted_in_words(source, match.group("count"))
    ]
    assert not found


def _strings(path: Path) -> list[str]:
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text()).readline)
    return [token.string for token in tokens if token.type == tokenize.STRING]


@pytest.mark.parametrize("path", PYTHON, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_python_message_says_never_yet_a_oauth_or_two_full_stops(path):
    strings = [s for s in _strings(path) if not s.startswith(('"""', "'''"))]  # not docstrings
    assert not [s for s in strings for pattern in PYTHON_WRONG if pattern.search(s)]


@pytest.mark.parametrize(
    "error",
    [
        AdobeInvalidRequest(
            "POST /jobs failed: HTTP 400: The regulation is not valid.", status=400
        ),
        AdobeNotFound("GET /jobs/1 failed: HTTP 404: Job not found.", status=404),
        AdobeUnavailable("GET /jobs failed: HTTP 503: Please try again later."),
        AdobeUnavailable("GET /jobs failed: HTTP 503"),
    ],
)
def test_a_failure_in_words_ends_with_one_full_stop(error):
    for describe in (describe_privacy_error, describe_status_error):
        words = describe(error)
        assert words.endswith(".") and not words.endswith("..")


def test_a_submission_in_a_few_words_counts_people_and_jobs():
    one = PrivacySubmission(
        actions=["access"], regulation="gdpr", users=[{"key": "a"}], job_ids=["j1"]
    )
    two = PrivacySubmission(
        actions=["access", "delete"], regulation="gdpr", users=[{}, {}], job_ids=["j1", "j2"]
    )
    assert one.in_a_few_words == "access under gdpr, 1 person, 1 job"
    assert two.in_a_few_words == "access+delete under gdpr, 2 people, 2 jobs"


def test_the_incident_page_says_each_state_once(client, bob, acme):
    client.force_login(bob)
    started = timezone.now() - timedelta(hours=1)
    said = {}
    for n, (state, status) in enumerate(
        [("open", "Opened"), ("closed", "Closed"), ("open", "Discovery"), ("closed", "Dismissed")]
    ):
        incident = Incident.objects.create(
            adobe_id=f"INC{n}", state=state, status=status, started_at=started, title="Slow"
        )
        page = client.get(
            reverse("status:incident_detail", args=[acme.code, incident.code])
        ).content.decode()
        said[status] = re.search(r'data-testid="incident-state">([^<]*)<', page).group(1)
    assert said == {
        "Opened": "Open",
        "Closed": "Closed",
        "Discovery": "Open (Discovery)",
        "Dismissed": "Closed (Dismissed)",
    }


@pytest.mark.parametrize(
    ("phase", "kind", "shown"),
    [
        ("scheduled", "Scheduled", ""),
        ("scheduled", "Empty", ""),
        ("scheduled", "Urgent", "urgent maintenance"),
        ("in_progress", "Scheduled", "scheduled maintenance"),
        ("done", "Normal", "normal maintenance"),
    ],
)
def test_a_maintenance_type_is_shown_only_when_it_adds_something(phase, kind, shown):
    assert Maintenance(phase=phase, maintenance_type=kind).type_note == shown


def test_the_status_page_never_says_scheduled_twice(client, bob, acme):
    Maintenance.objects.create(
        adobe_id="M1",
        phase="scheduled",
        maintenance_type="Scheduled",
        scheduled_at=timezone.now() + timedelta(days=1),
        title="Database upgrade",
    )
    client.force_login(bob)
    page = client.get(reverse("status:status_page", args=[acme.code])).content.decode()
    assert "Database upgrade" in page
    assert "<td>Scheduled</td>" in page and "(Scheduled)" not in page

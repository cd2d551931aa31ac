"""What a member reads when Adobe fails, word for word: on the job list during a sync, and as a
submission's outcome.

Each service names itself for its own failures (dashboard.describe): a 400, 429 or 503 from
Privacy Service is never called an IMS error, and IMS failing is said as Lookout having no token
for Privacy Service, because IMS did what it did. A sync is tried again, and the page says when;
a submission is never sent again by itself, so its outcome promises no retry. Every fault is
injected through the simulator, over real HTTP.
"""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

import pytest
from django.urls import reverse

from privacy.models import PrivacySubmission, PrivacySyncState
from privacy.services.sync import privacy_sync
from simulator.control import CREATE_JOBS, IMS_TOKEN, JOB, JOBS

MISSING_HEADER = {"error_code": "400003", "message": "Missing header"}
INVALID_CLIENT = {"error": "invalid_client", "error_description": "invalid client_secret parameter"}
PRIVACY = "Adobe Privacy Service"
NO_TOKEN = f"Lookout has no access token for {PRIVACY}: "
# Words that would promise another try of a submission, which never happens by itself.
RETRY_PROMISE = re.compile(r"retr|try again|tries again|trying|next attempt|wait", re.IGNORECASE)


@dataclass(frozen=True)
class Fault:
    kind: str
    endpoint: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def is_ims(self) -> bool:
        return self.endpoint == IMS_TOKEN

    def inject(self, adobe) -> None:
        scope = {"surface": "ims"} if self.is_ims else {}
        adobe.add_fault(self.kind, endpoint=self.endpoint, **scope, **self.params)


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def _sync_state(page: str) -> str:
    found = re.search(r'<p class="muted" data-testid="sync-state"[^>]*>(.*?)</p>', page, re.S)
    return _text(found.group(1))


def _messages(page: str) -> list[str]:
    return [
        _text(m) for m in re.findall(r'<li class="message[^"]*" role="status">(.*?)</li>', page)
    ]


def _pattern(sentence: str) -> re.Pattern:
    """The sentence, word for word, except a job id Adobe chose (``{job_id}``)."""
    escaped = re.escape(sentence).replace(re.escape("{job_id}"), "(?P<job_id>[0-9a-f-]{36})")
    return re.compile(escaped)


# ---------------------------------------------------------------------------------------------
# During a sync: the job list's sync state


SYNC_CASES = {
    # A job's detail refused (a 400 while listing is Adobe refusing that regulation, which the
    # sync skips: tests/privacy/test_regulations.py).
    "privacy-400": (
        Fault("error", JOB, {"status": 400, "body": MISSING_HEADER}),
        f"{PRIVACY} refused the request: GET /data/core/privacy/jobs/{{job_id}} failed: "
        "HTTP 400 400003: Missing header.",
    ),
    "privacy-429-retry-after": (
        Fault("rate_limit", JOBS, {"retry_after": "120"}),
        f"{PRIVACY} is rate limiting requests (429) and asked Lookout to wait 120 s.",
    ),
    "privacy-429": (
        Fault("rate_limit", JOBS),
        f"{PRIVACY} is rate limiting requests (429).",
    ),
    "privacy-503": (
        Fault("server_error", JOBS, {"status": 503}),
        f"{PRIVACY} did not answer properly: GET /data/core/privacy/jobs failed: HTTP 503 "
        "503000: Service Unavailable.",
    ),
    "privacy-500": (
        Fault("server_error", JOBS, {"status": 500}),
        f"{PRIVACY} did not answer properly: GET /data/core/privacy/jobs failed: HTTP 500 "
        "500000: Internal Server Error.",
    ),
    "privacy-dropped-connection": (
        Fault("drop_connection", JOBS),
        f"{PRIVACY} did not answer properly: GET /data/core/privacy/jobs failed: the connection "
        "broke before an answer came.",
    ),
    "ims-401-invalid-client": (
        Fault("error", IMS_TOKEN, {"status": 401, "body": INVALID_CLIENT}),
        f"{NO_TOKEN}IMS rejected the client ID or client secret (invalid_client).",
    ),
    "ims-429": (
        Fault("rate_limit", IMS_TOKEN, {"retry_after": "60"}),
        f"{NO_TOKEN}IMS is rate limiting requests (429) and asked Lookout to wait 60 s.",
    ),
    "ims-503": (
        Fault("server_error", IMS_TOKEN, {"status": 503}),
        f"{NO_TOKEN}IMS did not answer properly: POST /ims/token/v3 failed: HTTP 503 "
        "internal_error: Please try again later.",
    ),
}


@pytest.mark.parametrize(("fault", "words"), SYNC_CASES.values(), ids=SYNC_CASES.keys())
def test_a_sync_failure_reads_in_the_failing_services_words_on_the_job_list(
    client, member, sim_org, adobe, fault, words
):
    fault.inject(adobe)

    result = privacy_sync(organization_id=sim_org.pk)

    client.force_login(member)
    page = client.get(reverse("privacy:job_list", args=[sim_org.code])).content.decode()
    state = PrivacySyncState.objects.get(organization=sim_org)
    seen = state.jobs_seen
    shown = _sync_state(page)
    found = _pattern(
        f"Not synced with Adobe yet. Last attempt failed: {words} Next attempt at "
        f"{state.next_attempt_at.astimezone(UTC):%H:%M:%S} UTC. {seen} job"
        f"{'' if seen == 1 else 's'} seen."
    ).fullmatch(shown)
    assert found, shown
    assert result.error == state.last_error and _pattern(words).fullmatch(result.error)
    if "job_id" in found.groupdict():
        assert adobe.job(found["job_id"])["job_id"] == found["job_id"]  # a job of Adobe's
    if not fault.is_ims:
        assert "IMS" not in shown


# ---------------------------------------------------------------------------------------------
# A submission: its outcome


def _lost(words: str) -> str:
    """The outcome of a send that may have reached Adobe: never sent again, looked for."""
    return (
        f"Sent, but Adobe's answer was lost ({words}). It will not be sent again: Lookout looks "
        "for the jobs Adobe made from it and says below, by {decide_by} UTC, whether Adobe "
        "received it."
    )


SUBMISSION_CASES = {
    "privacy-400": (
        Fault("error", CREATE_JOBS, {"status": 400, "body": MISSING_HEADER}),
        "failed",
        f"{PRIVACY} refused the request: POST /data/core/privacy/jobs failed: HTTP 400 400003: "
        "Missing header. Nothing was created at Adobe.",
    ),
    "privacy-429-retry-after": (
        Fault("rate_limit", CREATE_JOBS, {"retry_after": "120"}),
        "failed",
        f"{PRIVACY} is rate limiting requests (429): nothing was created. Submit it again in "
        "120 s.",
    ),
    "privacy-429": (
        Fault("rate_limit", CREATE_JOBS),
        "failed",
        f"{PRIVACY} is rate limiting requests (429): nothing was created. Submit it again in "
        "a minute.",
    ),
    "privacy-503": (
        Fault("server_error", CREATE_JOBS, {"status": 503}),
        "uncertain",
        _lost(
            f"{PRIVACY} did not answer properly: POST /data/core/privacy/jobs failed: HTTP 503 "
            "503000: Service Unavailable"
        ),
    ),
    "privacy-503-retry-after": (
        Fault(
            "error",
            CREATE_JOBS,
            {
                "status": 503,
                "body": {"error_code": "503000", "message": "Service Unavailable"},
                "headers": {"Retry-After": "30"},
            },
        ),
        "uncertain",
        _lost(
            f"{PRIVACY} did not answer properly: POST /data/core/privacy/jobs failed: HTTP 503 "
            "503000: Service Unavailable"
        ),
    ),
    "privacy-500": (
        Fault("server_error", CREATE_JOBS, {"status": 500}),
        "uncertain",
        _lost(
            f"{PRIVACY} did not answer properly: POST /data/core/privacy/jobs failed: HTTP 500 "
            "500000: Internal Server Error"
        ),
    ),
    "privacy-dropped-connection": (
        Fault("drop_connection", CREATE_JOBS),
        "uncertain",
        _lost(
            f"{PRIVACY} did not answer properly: POST /data/core/privacy/jobs failed: "
            "the connection broke before an answer came"
        ),
    ),
    "ims-401-invalid-client": (
        Fault("error", IMS_TOKEN, {"status": 401, "body": INVALID_CLIENT}),
        "failed",
        f"Not sent. {NO_TOKEN}IMS rejected the client ID or client secret (invalid_client).",
    ),
    "ims-429": (
        Fault("rate_limit", IMS_TOKEN, {"retry_after": "60"}),
        "failed",
        f"Not sent. {NO_TOKEN}IMS is rate limiting requests (429) and asked Lookout to wait 60 s.",
    ),
    "ims-503": (
        Fault("server_error", IMS_TOKEN, {"status": 503}),
        "failed",
        f"Not sent. {NO_TOKEN}IMS did not answer properly: POST /ims/token/v3 failed: HTTP 503 "
        "internal_error: Please try again later.",
    ),
}


@pytest.mark.parametrize(
    ("fault", "state", "outcome"), SUBMISSION_CASES.values(), ids=SUBMISSION_CASES.keys()
)
def test_a_submissions_outcome_reads_in_the_failing_services_words(
    client, member, sim_org, adobe, fault, state, outcome
):
    fault.inject(adobe)
    client.force_login(member)

    response = client.post(
        reverse("privacy:request_new", args=[sim_org.code]),
        {
            "regulation": "gdpr",
            "actions": ["access"],
            "products": ["analytics"],
            "subjects": "ticket-7 | Email:jane@example.com",
            "submission_key": str(uuid.uuid4()),
        },
        follow=True,
    )

    submission = PrivacySubmission.objects.get()
    assert submission.state == state
    decide_by = f"{submission.decide_by.astimezone(UTC):%H:%M}"
    said = _messages(response.content.decode())
    assert said == [outcome.replace("{decide_by}", decide_by)]
    assert adobe.request_count(CREATE_JOBS) == (0 if fault.is_ims else 1)  # sent once at most
    if not fault.is_ims:
        assert "IMS" not in said[0]
    if state == "uncertain":  # Adobe may have it: it is looked for, never sent again
        assert not RETRY_PROMISE.search(said[0].replace("will not be sent again", ""))

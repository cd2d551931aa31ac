"""One submission per form, "Submit again" for what Adobe has nothing from, and data that fits.

Through the pages as members and viewers, against the simulator over real HTTP: each rendered
form carries a one-time key, and whatever the browser does with it, Adobe gets one request.
"""

from __future__ import annotations

import threading
import uuid
from html.parser import HTMLParser

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from privacy.models import PrivacyJob, PrivacySubmission, ProductResponse
from privacy.services.submissions import (
    IDENTITY_VALUE_MAX,
    NAMESPACE_MAX,
    REFERENCE_MAX,
    USER_KEY_MAX,
    AlreadySubmitted,
    SubmissionRefused,
    submission_record,
)
from privacy.user_keys import PREFIX_MAX, user_key_make
from tests.factories import OrganizationFactory

CREATE = "POST /data/core/privacy/jobs"
CONSENT = "POST /data/core/privacy/consent"
REQUEST = {
    "regulation": "gdpr",
    "actions": ["access"],
    "products": ["analytics"],
    "subjects": "ticket-1 | Email:jane@example.com",
}


class _Form(HTMLParser):
    """A page's request form as a browser would send it: selected, checked and typed values."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self.options: dict[str, list[str]] = {}  # every option of each select, in order
        self._in_form = self._done = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "data-submit-once" in attrs and not self._done:
            self._in_form = True
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.values.setdefault(name, []).append(attrs.get("value", ""))
        elif tag == "select":
            self._select = name
            self.options[name] = []
        elif tag == "option" and self._select:
            self.options[self._select].append(attrs.get("value", ""))
            if "selected" in attrs:
                self.values.setdefault(self._select, []).append(attrs.get("value", ""))
        elif tag == "textarea":
            self._textarea = name
            self.values[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self._in_form:
            self._in_form, self._done = False, True


def _form(page: str) -> _Form:
    parser = _Form()
    parser.feed(page)
    return parser


def _post_data(form: _Form) -> dict:
    data = {name: values for name, values in form.values.items()}
    data["subjects"] = data["subjects"][0].lstrip("\n")  # the newline after <textarea> is markup
    return data


def _url(org, name="privacy:request_new") -> str:
    return reverse(name, args=[org.code])


def _key_of(page: str) -> str:
    return _form(page).values["submission_key"][0]


def _jobs_at_adobe(adobe) -> list[dict]:
    """The simulator's jobs for the organization besides the ones it generated (its control API)."""
    return [job for job in adobe.jobs(0, limit=1000)["jobs"] if not job["generated"]]


# -- one submission per form --------------------------------------------------------------------


def test_the_form_carries_a_new_key_each_time_and_no_regulation(client, member, sim_org, adobe):
    client.force_login(member)
    first = client.get(_url(sim_org)).content.decode()
    second = client.get(_url(sim_org)).content.decode()
    assert uuid.UUID(_key_of(first)) != uuid.UUID(_key_of(second))
    form = _form(first)
    assert form.options["regulation"][0] == ""  # the empty first choice...
    assert "Choose a regulation</option>" in first
    assert form.values["regulation"] == [""]  # ...and none chosen for the member
    assert "submit_once.js" in first and "data-submit-once" in first


def test_the_same_form_sent_twice_reaches_adobe_once(client, member, sim_org, adobe):
    client.force_login(member)
    key = _key_of(client.get(_url(sim_org)).content.decode())
    form = {**REQUEST, "actions": ["access", "delete"], "submission_key": key}

    first = client.post(_url(sim_org), form, follow=True).content.decode()
    assert "Adobe accepted the request: 2 jobs created." in first
    second = client.post(_url(sim_org), form, follow=True)  # a reload, a second click
    page = second.content.decode()
    assert second.status_code == 200
    assert "This form was already submitted at" in page
    assert "it was not submitted again. Adobe accepted the request: 2 jobs created." in page

    assert adobe.request_count(CREATE) == 1
    assert len(_jobs_at_adobe(adobe)) == 2  # one set of jobs: one person, two actions
    submission = PrivacySubmission.objects.get()
    assert submission.idempotency_key == uuid.UUID(key)
    assert (
        PrivacyJob.objects.filter(organization=sim_org, job_id__in=submission.job_ids).count() == 2
    )
    # The page the member lands on has a fresh form for the next request.
    assert _key_of(page) != key


def test_the_same_form_is_not_sent_again_even_if_changed(client, member, sim_org, adobe):
    # Back, edit, Send: the key was used, so the first submission is shown and nothing is sent.
    client.force_login(member)
    key = _key_of(client.get(_url(sim_org)).content.decode())
    client.post(_url(sim_org), {**REQUEST, "submission_key": key})
    page = client.post(
        _url(sim_org), {**REQUEST, "regulation": "", "submission_key": key}, follow=True
    ).content.decode()
    assert "This form was already submitted at" in page
    assert adobe.request_count(CREATE) == 1
    assert PrivacySubmission.objects.count() == 1


def test_the_same_opt_out_sent_twice_reaches_adobe_once(client, member, sim_org, adobe):
    client.force_login(member)
    url = _url(sim_org, "privacy:consent_new")
    form = {"submission_key": _key_of(client.get(url).content.decode()), "subjects": "ECID:1234"}
    assert (
        "Adobe recorded the opt-out of sale."
        in client.post(url, form, follow=True).content.decode()
    )
    page = client.post(url, form, follow=True).content.decode()
    assert "already submitted at" in page and "Adobe recorded the opt-out of sale." in page
    assert adobe.request_count(CONSENT) == 1 and len(adobe.consents()) == 1
    assert PrivacySubmission.objects.count() == 1


def test_two_posts_of_one_form_at_once_send_once(transactional_db, member, sim_org, adobe):
    key = str(uuid.uuid4())
    form = {**REQUEST, "submission_key": key}
    start = threading.Barrier(2)
    pages: list[tuple[int, str]] = []

    def post() -> None:
        client = Client()
        client.force_login(member)
        try:
            start.wait(timeout=10)
            response = client.post(_url(sim_org), form, follow=True)
            pages.append((response.status_code, response.content.decode()))
        finally:
            connections.close_all()  # this thread's connection, before the test database goes

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [status for status, _ in pages] == [200, 200]
    assert PrivacySubmission.objects.count() == 1
    assert adobe.request_count(CREATE) == 1
    assert len(_jobs_at_adobe(adobe)) == 1
    assert PrivacySubmission.objects.get().state == "sent"
    texts = sorted(page for _, page in pages)
    assert sum("This form was already submitted at" in page for page in texts) == 1
    assert sum("Adobe accepted the request: 1 job created." in page for page in texts) >= 1


def test_a_used_key_reaching_the_insert_finds_the_first_submission(member, sim_org, adobe):
    # What the second of two simultaneous POSTs meets: the unique key, not a check before it.
    key = uuid.uuid4()
    record = {
        "organization": sim_org,
        "submitted_by": member,
        "regulation": "gdpr",
        "actions": ["access"],
        "products": ["analytics"],
        "subjects": [("ticket-1", [("Email", "jane@example.com")])],
        "key": key,
    }
    first = submission_record(**record)
    with pytest.raises(AlreadySubmitted) as raised:
        submission_record(**record)
    assert raised.value.submission == first
    assert PrivacySubmission.objects.count() == 1
    # The same key in another organization is not that organization's submission to show.
    other = OrganizationFactory(name="Other", ims_org_id="0THER0000000000000000009@AdobeOrg")
    with pytest.raises(SubmissionRefused, match="This form was already used"):
        submission_record(**{**record, "organization": other})


@pytest.mark.parametrize("key", [None, "", "not-a-uuid", "1234"])
def test_a_missing_or_malformed_key_is_a_form_error(client, member, sim_org, adobe, key):
    client.force_login(member)
    form = dict(REQUEST) if key is None else {**REQUEST, "submission_key": key}
    response = client.post(_url(sim_org), form)
    page = response.content.decode()
    assert response.status_code == 400
    assert "This form has no valid one-time key" in page
    assert not PrivacySubmission.objects.exists()
    assert adobe.request_count(CREATE) == 0
    # The form comes back with a fresh key and what was typed: sending it again works.
    again = _post_data(_form(page))
    uuid.UUID(again["submission_key"][0])
    assert again["regulation"] == ["gdpr"]
    sent = client.post(_url(sim_org), again, follow=True).content.decode()
    assert "Adobe accepted the request: 1 job created." in sent


def test_a_request_without_a_chosen_regulation_is_refused(client, member, sim_org, adobe):
    client.force_login(member)
    key = _key_of(client.get(_url(sim_org)).content.decode())
    for regulation in ("", None):
        form = {**REQUEST, "submission_key": key, "regulation": regulation}
        if regulation is None:
            del form["regulation"]
        response = client.post(_url(sim_org), form)
        assert response.status_code == 400
        assert "Choose a regulation: Lookout never picks one for you." in response.content.decode()
    assert not PrivacySubmission.objects.exists()
    assert adobe.request_count(CREATE) == 0
    # The key was not used up by the refused form: corrected, it is sent.
    sent = client.post(_url(sim_org), {**REQUEST, "submission_key": key}, follow=True)
    assert "Adobe accepted the request: 1 job created." in sent.content.decode()


# -- "Submit again" -----------------------------------------------------------------------------


def _submit_again_link(page: str) -> str:
    marker = 'data-testid="submit-again" href="'
    assert marker in page, "no Submit again button"
    return page.split(marker, 1)[1].split('"', 1)[0].replace("&amp;", "&")


def test_a_refused_request_is_submitted_again_only_when_confirmed(client, member, sim_org, adobe):
    adobe.add_fault("error", status=400, endpoint=CREATE, count=1, body={"message": "No"})
    client.force_login(member)
    form = {
        "submission_key": _key_of(client.get(_url(sim_org)).content.decode()),
        "regulation": "ccpa",
        "actions": ["access", "delete"],
        "products": ["analytics", "target"],
        "subjects": "ticket-1 | Email:jane@example.com, ECID:4436\nEmail:joe@example.com",
    }
    page = client.post(_url(sim_org), form, follow=True).content.decode()
    refused = PrivacySubmission.objects.get()
    assert refused.state == "failed"

    again = client.get(_submit_again_link(page))
    assert again.status_code == 200
    prefilled = _post_data(_form(again.content.decode()))
    assert "Filled in from an earlier request that did not go through." in again.content.decode()
    assert prefilled["regulation"] == ["ccpa"]
    assert prefilled["actions"] == ["access", "delete"]
    assert prefilled["products"] == ["analytics", "target"]
    assert prefilled["subjects"] == (
        "ticket-1 | Email:jane@example.com, ECID:4436\nEmail:joe@example.com"
    )
    assert prefilled["submission_key"][0] != str(refused.idempotency_key)  # a fresh key
    assert adobe.request_count(CREATE) == 1  # opening it sent nothing

    page = client.post(_url(sim_org), prefilled, follow=True).content.decode()
    assert "Adobe accepted the request: 4 jobs created." in page
    assert adobe.request_count(CREATE) == 2
    resent = PrivacySubmission.objects.exclude(pk=refused.pk).get()
    assert resent.users[0]["key"].endswith("-1-ticket-1")  # the same reference, a new prefix
    assert resent.users[0]["ids"] == [["Email", "jane@example.com"], ["ECID", "4436"]]


def test_a_request_adobe_never_received_is_offered_again(client, member, sim_org, adobe):
    submission = submission_record(
        organization=sim_org,
        submitted_by=member,
        regulation="gdpr",
        actions=["delete"],
        products=["analytics"],
        subjects=[("crm-7", [("Email", "jane@example.com")])],
    )
    PrivacySubmission.objects.filter(pk=submission.pk).update(
        state="not_received", error="Adobe has no job from it."
    )
    client.force_login(member)
    page = client.get(_url(sim_org)).content.decode()
    prefilled = _post_data(_form(client.get(_submit_again_link(page)).content.decode()))
    assert prefilled["actions"] == ["delete"]
    assert prefilled["subjects"] == "crm-7 | Email:jane@example.com"
    assert adobe.request_count(CREATE) == 0


def test_an_opt_out_with_an_unknown_outcome_is_offered_again(client, member, sim_org, adobe):
    adobe.add_fault("server_error", status=502, endpoint=CONSENT, count=1)
    client.force_login(member)
    url = _url(sim_org, "privacy:consent_new")
    form = {"submission_key": _key_of(client.get(url).content.decode()), "subjects": "ECID:1234"}
    page = client.post(url, form, follow=True).content.decode()
    assert PrivacySubmission.objects.get().state == "unknown"
    again = client.get(_submit_again_link(page)).content.decode()
    assert _post_data(_form(again))["subjects"] == "ECID:1234"
    assert adobe.request_count(CONSENT) == 1


def test_an_accepted_request_is_not_offered_again(client, member, sim_org, adobe):
    client.force_login(member)
    page = client.post(
        _url(sim_org), {**REQUEST, "submission_key": str(uuid.uuid4())}, follow=True
    ).content.decode()
    assert 'data-testid="submit-again"' not in page
    sent = PrivacySubmission.objects.get()
    assert client.get(_url(sim_org), {"again": sent.code}).status_code == 404
    assert client.get(_url(sim_org), {"again": "nonsense"}).status_code == 404


def test_an_errored_job_lookout_sent_is_submitted_again_as_it_was_sent(
    client, member, sim_org, adobe
):
    client.force_login(member)
    form = {
        **REQUEST,
        "submission_key": str(uuid.uuid4()),
        "actions": ["access", "delete"],
        "products": ["analytics", "profileService"],
        "subjects": "t-1 | Email:jane@example.com\nt-2 | Email:joe@example.com, ECID:99",
    }
    client.post(_url(sim_org), form)
    submission = PrivacySubmission.objects.get()
    job = PrivacyJob.objects.get(user_key__endswith="-2-t-2", action="delete")
    PrivacyJob.objects.filter(pk=job.pk).update(status="error")

    page = client.get(job.get_absolute_url()).content.decode()
    again = client.get(_submit_again_link(page)).content.decode()
    prefilled = _post_data(_form(again))
    assert prefilled["regulation"] == ["gdpr"]
    assert prefilled["actions"] == ["delete"]  # this job's action only
    assert prefilled["products"] == ["analytics", "profileService"]  # as it was sent
    assert prefilled["subjects"] == "t-2 | Email:joe@example.com, ECID:99"  # this person only
    assert adobe.request_count(CREATE) == 1
    assert submission.idempotency_key != uuid.UUID(prefilled["submission_key"][0])


def test_an_errored_job_from_elsewhere_is_submitted_again_from_what_adobe_says(
    client, dave, acme, bob
):
    job = PrivacyJob.objects.create(
        organization=acme,
        job_id="job-err",
        status="error",
        regulation="ccpa",
        action="access",
        user_key="crm-42",
        user_ids=[{"namespace": "email", "value": "ann@example.com", "type": "standard"}],
    )
    for product in ("Analytics", "Profile"):  # Adobe's names; only the first is an include code
        ProductResponse.objects.create(job=job, product=product, status="error")
    client.force_login(dave)
    page = client.get(job.get_absolute_url()).content.decode()
    prefilled = _post_data(_form(client.get(_submit_again_link(page)).content.decode()))
    assert prefilled["regulation"] == ["ccpa"]
    assert prefilled["actions"] == ["access"]
    assert prefilled["products"] == ["analytics"]
    assert prefilled["subjects"] == "crm-42 | email:ann@example.com"

    # A viewer sees no button, and cannot open the form.
    client.force_login(bob)
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'data-testid="submit-again"' not in page and "Submit again" not in page
    assert client.get(_url(acme), {"job": job.code}).status_code == 403


def test_a_job_not_in_error_or_of_another_organization_is_not_offered_again(
    client, dave, acme, globex
):
    complete = PrivacyJob.objects.create(
        organization=acme, job_id="job-ok", status="complete", regulation="gdpr", action="access"
    )
    theirs = PrivacyJob.objects.create(
        organization=globex, job_id="job-theirs", status="error", regulation="gdpr"
    )
    client.force_login(dave)
    assert "Submit again" not in client.get(complete.get_absolute_url()).content.decode()
    assert client.get(_url(acme), {"job": complete.code}).status_code == 404
    assert client.get(_url(acme), {"job": theirs.code}).status_code == 404


# -- data that fits -----------------------------------------------------------------------------


def test_the_longest_prefix_and_reference_fit_the_user_key_column():
    assert REFERENCE_MAX == USER_KEY_MAX - PREFIX_MAX == 482
    assert len(user_key_make(uuid.uuid4(), 1000, "r" * REFERENCE_MAX)) == USER_KEY_MAX


def test_a_reference_that_fits_is_sent_and_kept_and_one_over_is_refused(
    client, member, sim_org, adobe
):
    client.force_login(member)
    longest = "r" * REFERENCE_MAX
    page = client.post(
        _url(sim_org),
        {**REQUEST, "submission_key": str(uuid.uuid4()), "subjects": f"{longest} | ECID:1"},
        follow=True,
    ).content.decode()
    assert "Adobe accepted the request: 1 job created." in page
    job = PrivacyJob.objects.get(organization=sim_org, user_key__endswith=longest)
    assert len(job.user_key) <= USER_KEY_MAX  # Adobe's echo of the key, stored whole

    over = "r" * (REFERENCE_MAX + 1)
    response = client.post(
        _url(sim_org),
        {**REQUEST, "submission_key": str(uuid.uuid4()), "subjects": f"ECID:2\n{over} | ECID:3"},
    )
    assert response.status_code == 400
    assert (
        f"Line 2: the reference is 483 characters long; at most {REFERENCE_MAX} fit"
        in response.content.decode()
    )
    assert PrivacySubmission.objects.count() == 1
    assert adobe.request_count(CREATE) == 1


@pytest.mark.parametrize(
    ("fits", "over", "message"),
    [
        (
            f"Email:{'v' * IDENTITY_VALUE_MAX}",
            f"Email:{'v' * (IDENTITY_VALUE_MAX + 1)}",
            f"Line 1: an identity value is 256 characters long; at most {IDENTITY_VALUE_MAX} fit",
        ),
        (
            f"{'n' * NAMESPACE_MAX}:1",
            f"{'n' * (NAMESPACE_MAX + 1)}:1",
            f"Line 1: a namespace is 101 characters long; at most {NAMESPACE_MAX} fit",
        ),
    ],
)
def test_identities_that_fit_are_sent_and_longer_ones_refused(
    client, member, sim_org, adobe, fits, over, message
):
    client.force_login(member)
    response = client.post(
        _url(sim_org), {**REQUEST, "submission_key": str(uuid.uuid4()), "subjects": over}
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert "v" * 50 not in response.content.decode().split("<form")[0]  # not quoted back
    assert not PrivacySubmission.objects.exists() and adobe.request_count(CREATE) == 0

    page = client.post(
        _url(sim_org),
        {**REQUEST, "submission_key": str(uuid.uuid4()), "subjects": fits},
        follow=True,
    ).content.decode()
    assert "Adobe accepted the request: 1 job created." in page


def test_opt_out_values_that_fit_are_sent_and_longer_ones_refused(client, member, sim_org, adobe):
    client.force_login(member)
    url = _url(sim_org, "privacy:consent_new")
    over = {"submission_key": str(uuid.uuid4()), "subjects": f"ECID:{'1' * 256}"}
    response = client.post(url, over)
    assert response.status_code == 400
    assert "Line 1: an identity value is 256 characters long; at most 255 fit" in (
        response.content.decode()
    )
    assert not PrivacySubmission.objects.exists() and adobe.request_count(CONSENT) == 0
    fits = {"submission_key": str(uuid.uuid4()), "subjects": f"ECID:{'1' * 255}"}
    assert (
        "Adobe recorded the opt-out of sale."
        in client.post(url, fits, follow=True).content.decode()
    )


def test_the_service_refuses_what_does_not_fit_whoever_calls_it(member, sim_org, adobe):
    record = {
        "organization": sim_org,
        "submitted_by": member,
        "regulation": "gdpr",
        "actions": ["access"],
        "products": ["analytics"],
    }
    with pytest.raises(SubmissionRefused, match=f"at most {REFERENCE_MAX} fit"):
        submission_record(**record, subjects=[("r" * (REFERENCE_MAX + 1), [("ECID", "1")])])
    with pytest.raises(SubmissionRefused, match=f"at most {IDENTITY_VALUE_MAX} fit"):
        submission_record(**record, subjects=[("", [("ECID", "1" * (IDENTITY_VALUE_MAX + 1))])])
    assert not PrivacySubmission.objects.exists() and adobe.request_count(CREATE) == 0

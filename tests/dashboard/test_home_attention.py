"""The home page puts problems first: one attention list across the reader's organizations,
worst first, each entry linking to the page that shows the problem, none of another
organization's."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard.hooks import AttentionEntry
from dashboard.models import Credential
from privacy.models import PrivacyJob, PrivacySyncState
from status.models import Incident, Maintenance, Product, StatusSyncState, WatchedProduct
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.pages import text_by_testid


def _job(organization, job_id: str, status: str, days: int) -> None:
    now = timezone.now()
    PrivacyJob.objects.create(
        organization=organization,
        job_id=job_id,
        status=status,
        regulation="gdpr",
        adobe_created_at=now - timedelta(days=days),
        adobe_modified_at=now - timedelta(days=days),
    )


def _watched(organization, name: str) -> Product:
    product = Product.objects.create(adobe_id=name.lower().replace(" ", "-"), name=name)
    WatchedProduct.objects.create(organization=organization, product=product)
    return product


@pytest.fixture
def world(db):
    """A member of Alpha and Bravo; Charlie, which they are not in, has problems of its own."""
    now = timezone.now()
    user = UserFactory(username="mia")
    alpha, bravo, charlie = (
        OrganizationFactory(name=name) for name in ("Alpha", "Bravo", "Charlie")
    )
    MembershipFactory(organization=alpha, user=user, role="member")
    MembershipFactory(organization=bravo, user=user, role="member")

    # Alpha: a late job, a failed job, a refused credential, a major incident on a watched product.
    _job(alpha, "alpha-late", "processing", 40)
    _job(alpha, "alpha-failed", "error", 2)
    _job(alpha, "alpha-fine", "complete", 1)
    Credential.objects.create(
        organization=alpha,
        name="Alpha key",
        kind="oauth",
        client_id="alpha",
        needs_attention=True,
        last_error="IMS refused the client secret",
    )
    incident = Incident.objects.create(
        adobe_id="i-alpha",
        title="Alpha outage",
        severity="Major",
        severity_rank=4,
        started_at=now,
    )
    incident.products.add(_watched(alpha, "Analytics"))

    # Bravo: a failing job sync, a certificate ending soon, maintenance under way.
    PrivacySyncState.objects.create(
        organization=bravo,
        last_success_at=now - timedelta(hours=3),
        consecutive_failures=2,
        last_error="Adobe did not answer in time",
        last_error_at=now,
        next_attempt_at=now + timedelta(minutes=4),
    )
    Credential.objects.create(
        organization=bravo,
        name="Bravo key",
        kind="jwt",
        client_id="bravo",
        certificate_expires_at=now + timedelta(days=10),
    )
    maintenance = Maintenance.objects.create(
        adobe_id="m-bravo",
        title="Bravo upgrade",
        phase=Maintenance.Phase.IN_PROGRESS,
        started_at=now,
    )
    maintenance.products.add(_watched(bravo, "Target"))

    # Charlie: everything, none of it the member's business.
    _job(charlie, "charlie-late", "processing", 40)
    _job(charlie, "charlie-failed", "error", 2)
    charlie_key = Credential.objects.create(
        organization=charlie,
        name="Charlie key",
        kind="oauth",
        client_id="charlie",
        needs_attention=True,
        last_error="Charlie secret refused",
    )
    PrivacySyncState.objects.create(
        organization=charlie, consecutive_failures=5, last_error="Charlie sync broke"
    )
    secret = Incident.objects.create(
        adobe_id="i-charlie", title="Charlie outage", severity="Major", started_at=now
    )
    secret.products.add(_watched(charlie, "Campaign"))

    # The installation's Status poll, reading with Charlie's credential, is failing: shown once,
    # naming no organization, its error (Charlie's business) left out.
    StatusSyncState.objects.create(
        kind=StatusSyncState.Kind.EVENTS,
        credential=charlie_key,
        consecutive_failures=3,
        last_error="Charlie's credential was refused",
        last_error_at=now,
        last_success_at=now - timedelta(hours=1),
    )
    return user, alpha, bravo


def _entries(page: str) -> list[tuple[str, str, str, str]]:
    """(level, kind, organization, href) of each attention entry, in page order."""
    pattern = re.compile(
        r'data-testid="attention-entry" data-kind="([^"]+)" data-level="([^"]+)">\s*'
        r'<span[^>]*>[^<]*</span>\s*<strong>([^<]+)</strong>:\s*<a href="([^"]+)">'
    )
    return [(level, kind, org, href) for kind, level, org, href in pattern.findall(page)]


def test_the_attention_list_puts_the_worst_first_across_the_members_organizations(client, world):
    user, *_ = world
    client.force_login(user)

    page = client.get(reverse("dashboard:home")).content.decode()
    entries = _entries(page)

    assert [(level, kind, org) for level, kind, org, _ in entries] == [
        ("critical", "privacy-late", "Alpha"),
        ("critical", "credential-attention", "Alpha"),
        ("critical", "status-incident", "Alpha"),
        ("warning", "status-poll", "All organizations"),
        ("warning", "privacy-failed", "Alpha"),
        ("warning", "credential-certificate", "Bravo"),
        ("warning", "privacy-sync", "Bravo"),
        ("notice", "status-maintenance", "Bravo"),
    ]
    assert "1 late or stuck privacy job" in page and "1 failed privacy job" in page
    assert "Privacy job sync failed 2 times in a row" in page
    assert "Adobe did not answer in time" in page
    # Nothing of Charlie: not its name, its jobs, its credential, its incident or its errors.
    for text in ("Charlie", "charlie"):
        assert text not in page


def test_each_attention_entry_leads_to_the_page_that_shows_the_problem(client, world):
    user, *_ = world
    client.force_login(user)
    page = client.get(reverse("dashboard:home")).content.decode()
    shows = {
        "privacy-late": ["alpha-late"],
        "privacy-failed": ["alpha-failed"],
        "credential-attention": ["Needs attention", "IMS refused the client secret"],
        "credential-certificate": ["in under 30 days"],
        "privacy-sync": ["Last attempt failed", "Adobe did not answer in time"],
        "status-incident": ["Alpha outage"],
        "status-maintenance": ["Bravo upgrade"],
        "status-poll": ["Lookout could not read Adobe Status (3 attempts in a row)"],
    }
    hides = {"privacy-late": ["alpha-fine", "alpha-failed"], "privacy-failed": ["alpha-fine"]}

    entries = _entries(page)
    assert {kind for _, kind, _, _ in entries} == set(shows)
    for _, kind, _, href in entries:
        response = client.get(href.replace("&amp;", "&"))
        assert response.status_code == 200, (kind, href)
        target = response.content.decode()
        for text in shows[kind]:
            assert text in target, (kind, href, text)
        for text in hides.get(kind, []):
            assert text not in target, (kind, href, text)


def test_the_failed_count_on_a_card_links_to_the_failed_jobs(client, world):
    user, alpha, _ = world
    client.force_login(user)

    page = client.get(reverse("dashboard:home")).content.decode()

    failed = reverse("privacy:job_list", args=[alpha.code]) + "?status=error"
    assert f'href="{failed}" data-testid="privacy-failed">1 failed</a>' in page
    assert "Jobs synced with Adobe at" in page  # Bravo's last success
    assert "Incidents and maintenance: read at" in page


def test_the_attention_list_refreshes_in_place(client, world):
    user, *_ = world
    client.force_login(user)

    page = client.get(reverse("dashboard:home")).content.decode()
    partial = client.get(reverse("dashboard:home") + "?partial=1").content.decode()

    assert 'data-refresh-url="/?partial=1"' in page and "live.js" in page
    assert "<html" not in partial and 'data-testid="attention"' in partial
    assert _entries(partial) == _entries(page)


def test_nothing_to_attend_to_says_so(client, db):
    user = UserFactory()
    MembershipFactory(organization=OrganizationFactory(name="Quiet"), user=user)
    client.force_login(user)

    page = client.get(reverse("dashboard:home")).content.decode()

    assert 'data-testid="attention-empty"' in page


def test_entries_sort_worst_first_then_by_organization():
    alpha, bravo = OrganizationFactory.build(name="Alpha"), OrganizationFactory.build(name="Bravo")
    entries = [
        AttentionEntry(AttentionEntry.NOTICE, "n", alpha, "n", "/n"),
        AttentionEntry(AttentionEntry.CRITICAL, "c", bravo, "c", "/c"),
        AttentionEntry(AttentionEntry.CRITICAL, "c", alpha, "c", "/c"),
        AttentionEntry(AttentionEntry.WARNING, "w", None, "w", "/w"),
    ]

    ordered = sorted(entries, key=AttentionEntry.sort_key)

    assert [(e.severity, e.organization and e.organization.name) for e in ordered] == [
        (3, "Alpha"),
        (3, "Bravo"),
        (2, None),
        (1, "Alpha"),
    ]


@pytest.fixture
def agency(db):
    """A member of 25 organizations: each has a failed job (a warning), the first three a late
    one too (critical)."""
    user = UserFactory(username="ana")
    for n in range(1, 26):
        organization = OrganizationFactory(name=f"Client {n:02d}")
        MembershipFactory(organization=organization, user=user, role="viewer")
        _job(organization, f"failed-{n}", "error", 2)
        if n <= 3:
            _job(organization, f"late-{n}", "processing", 40)
    return user


def test_a_long_attention_list_shows_the_worst_and_says_how_many_more(client, agency):
    client.force_login(agency)

    page = client.get(reverse("dashboard:home")).content.decode()

    entries = _entries(page)
    assert len(entries) == 20
    assert [level for level, *_ in entries[:3]] == ["critical"] * 3
    assert [org for *_, org, _ in entries[3:]] == [f"Client {n:02d}" for n in range(1, 18)]
    more = text_by_testid(page, "attention-more")
    assert more == "8 more (8 warning). Show all 28"
    assert text_by_testid(page, "attention-total") == "(28)"

    # "Show all" lists every entry, and so does the part of that page which refreshes in place.
    show_all = re.search(r'data-testid="attention-more">.*?<a href="([^"]+)"', page, re.S)[1]
    everything = client.get(html.unescape(show_all)).content.decode()
    assert len(_entries(everything)) == 28
    assert "Client 25" in text_by_testid(everything, "attention")
    refresh = re.search(r'data-refresh-url="([^"]+)"', everything)[1]
    assert len(_entries(client.get(html.unescape(refresh)).content.decode())) == 28

    # ... and offers the short list back; the short page's own refresh stays short.
    shorten = re.search(r'data-testid="attention-more"><a href="([^"]+)"', everything)[1]
    assert text_by_testid(everything, "attention-more") == "Show the worst only"
    short = client.get(html.unescape(shorten)).content.decode()
    assert len(_entries(short)) == 20
    refresh = re.search(r'data-refresh-url="([^"]+)"', short)[1]
    assert len(_entries(client.get(html.unescape(refresh)).content.decode())) == 20


def test_a_list_within_the_limit_is_shown_whole_without_a_more_line(client, world):
    user, *_ = world
    client.force_login(user)

    page = client.get(reverse("dashboard:home") + "?attention=all").content.decode()

    assert len(_entries(page)) == 8
    assert 'data-testid="attention-more"' not in page
    assert text_by_testid(page, "attention-total") == "(8)"

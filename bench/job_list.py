"""The job list page at 100,000 jobs in one organization, on PostgreSQL: latency and SQL per page.

    createdb -h 127.0.0.1 -U postgres bench_job_list
    LOOKOUT_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_job_list \\
        .venv/bin/python bench/job_list.py [--jobs 100000] [--samples 40]

Migrates the bench database and empties every one of its tables (``flush``: never point it at
real data), then creates one organization with a member (who may see personal data, so the search
looks at it too), a viewer, the default Regulation rows and a finished sync state. Inserts
``--jobs`` jobs with ``bulk_create`` in batches of 5,000, spread over Adobe's 45 days: statuses as
they age (recent ones still submitted or processing, old ones complete or in error, a few stuck),
regulations weighted towards gdpr and ccpa (one legacy code, one the table does not know), 1-3
product responses for each job Adobe started, an e-mail identity (sometimes an ECID too), and
user keys in Lookout's format ``LK<10 hex>-<line>-TICKET-<6 digits>`` for about half of them (with
the submissions they came from) and plain keys for the rest. Then ``VACUUM ANALYZE`` (SQLite:
``ANALYZE``): the statistics, and the visibility map autovacuum keeps on a table at rest, without
which PostgreSQL reads the table behind an index-only scan.

Then times ``privacy:job_list`` through ``django.test.Client`` (signed in with ``force_login``),
as the member, in five cases: the first page, the last page, a search by a team's reference, the
late filter and the deadline sort. After 3 warm-ups, ``--samples`` requests per case, printing
median and 95th percentile in ms, the median time spent in SQL (what the database costs, apart
from rendering and a busy machine), SQL queries per page (a range when they vary) and the rows on
the page. The last page is the one the first page's "Last page" link opens (the pager's keyset
link, the list read from its end); a pager without one gets ``?page=N``, N from the count and
``LOOKOUT_PRIVACY_PAGE_SIZE``, as offset pages did. Figures only, no pass or fail; a case whose
parameters the page ignored (it says "Ignored: ...") is flagged, not timed.
"""

from __future__ import annotations

import argparse
import html as html_module
import json
import math
import random
import re
import statistics
import sys
import time
import uuid
from datetime import timedelta
from urllib.parse import parse_qsl

from harness import configure_django_pages  # bench/ is on sys.path when a bench runs as a script
from privacy_sync import percentile

BATCH = 5_000
WARM_UPS = 3
DAYS = 45

# Weights of the regulation codes: mostly GDPR and CCPA; cpa_usa is a legacy code (Colorado) and
# xyz_test one the Regulation table does not list (never late: no deadline known).
REGULATION_WEIGHTS = {
    "gdpr": 45,
    "ccpa": 22,
    "cpra_ca_usa": 8,
    "lgpd_bra": 5,
    "cpa_co_usa": 4,
    "cpa_usa": 1,
    "ctdpa_ct_usa": 3,
    "apa_aus": 3,
    "fdbr_fl_usa": 2,
    "icdpa_ia_usa": 2,
    "mcdpa_mt_usa": 2,
    "hipaa_usa": 2,
    "xyz_test": 1,
}
PRODUCTS = ("Analytics", "AudienceManager", "Target", "Campaign", "AEPDataLake", "Profile", "CJM")
FIRST_NAMES = (
    "anna", "ben", "carla", "david", "emma", "felix", "grace", "hugo", "ines", "jonas",
    "klara", "liam", "maria", "noah", "olga", "paul", "rosa", "sam", "tina", "yusuf",
)  # fmt: skip
LAST_NAMES = (
    "schmidt", "garcia", "smith", "rossi", "dubois", "novak", "silva", "jensen", "kowalski",
    "murphy", "tanaka", "berg", "costa", "fischer", "lopez", "moreau", "nielsen", "weber",
)  # fmt: skip
DOMAINS = ("example.com", "mail.example.org", "example.net")
SUBMITTERS = ("privacy-bot@techacct.adobe.com", "dpo@example.com", "support@example.com")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--seed", type=int, default=20240601, help="random seed of the data")
    args = parser.parse_args()
    vendor = configure_django_pages("bench-job-list")
    organization, member, viewer, probes = seed(args, vendor)
    measure(organization, member, viewer, probes, args.samples)


def seed(args: argparse.Namespace, vendor: str):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from dashboard.models import Membership
    from dashboard.services.organizations import membership_add, organization_create
    from privacy.models import PrivacyJob, PrivacySubmission, PrivacySyncState, ProductResponse
    from privacy.services.regulations import regulation_code_map, regulation_defaults_ensure

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)  # TRUNCATE: fast at any size
    regulation_defaults_ensure()
    known = regulation_code_map()
    missing = [code for code in REGULATION_WEIGHTS if code not in known and code != "xyz_test"]
    if missing:
        sys.exit(f"the Regulation table lacks {missing}: adapt REGULATION_WEIGHTS")

    organization = organization_create(
        name="Bench Organization", ims_org_id="0123456789ABCDEF01234567@AdobeOrg"
    )
    users = get_user_model().objects
    member = users.create_user(username="bench-member", email="member@example.com")
    viewer = users.create_user(username="bench-viewer", email="viewer@example.com")
    membership_add(organization=organization, user=member, role=Membership.Role.MEMBER)
    membership_add(organization=organization, user=viewer, role=Membership.Role.VIEWER)

    rng = random.Random(args.seed)
    now = timezone.now()
    codes, weights = list(REGULATION_WEIGHTS), list(REGULATION_WEIGHTS.values())
    people = [
        f"{first}.{last}{n}@{DOMAINS[n % len(DOMAINS)]}"
        for first in FIRST_NAMES
        for last in LAST_NAMES
        for n in range(max(1, args.jobs // (len(FIRST_NAMES) * len(LAST_NAMES) * 2)))
    ]
    ticket_numbers = rng.sample(range(100_000, 1_000_000), min(900_000, args.jobs))
    t_jobs = time.perf_counter()
    inserted = responses = submissions = 0
    probes: dict[str, str] = {}
    while inserted < args.jobs:
        size = min(BATCH, args.jobs - inserted)
        jobs, job_products, batch_submissions = [], [], []
        while len(jobs) < size:
            # One request to Adobe: 1-3 people under one regulation and action, one job each.
            created = now - timedelta(seconds=rng.uniform(0, DAYS * 86400))
            regulation = rng.choices(codes, weights)[0]
            action = "access" if rng.random() < 0.6 else "delete"
            request_id = (
                f"{int(created.timestamp() * 1000)}{rng.randrange(10_000):04d}"
                f"RX-{rng.randrange(1000):03d}"
            )
            from_lookout = rng.random() < 0.5
            submission_code = uuid.UUID(int=rng.getrandbits(128), version=4)
            lines = []
            for line in range(1, min(1 + rng.choice((1, 1, 1, 2, 3)), size - len(jobs) + 1)):
                email = rng.choice(people)
                if from_lookout:
                    reference = (
                        f"TICKET-{ticket_numbers[(inserted + len(jobs)) % len(ticket_numbers)]}"
                    )
                    user_key = f"LK{submission_code.hex[:10]}-{line}-{reference}"
                    lines.append({"key": user_key, "ids": [["email", email]]})
                else:
                    user_key = email if rng.random() < 0.4 else email.split("@", 1)[0]
                job, products = _job(
                    rng, now, created, regulation, action, request_id, email, user_key
                )
                jobs.append(job)
                job_products.append(products)
            if from_lookout:
                batch_submissions.append(
                    PrivacySubmission(
                        code=submission_code,
                        organization=organization,
                        kind=PrivacySubmission.Kind.JOBS,
                        state=PrivacySubmission.State.SENT,
                        submitted_by=member,
                        regulation=regulation,
                        actions=[action],
                        products=[],
                        users=lines,
                        job_ids=[job.job_id for job in jobs[len(jobs) - len(lines) :]],
                        sent_at=created,
                    )
                )
        for job in jobs:
            job.organization = organization
        PrivacySubmission.objects.bulk_create(batch_submissions)
        PrivacyJob.objects.bulk_create(jobs)  # PostgreSQL returns the new ids
        rows = [
            ProductResponse(job=job, **fields)
            for job, products in zip(jobs, job_products, strict=True)
            for fields in products
        ]
        ProductResponse.objects.bulk_create(rows, batch_size=BATCH)
        inserted += len(jobs)
        responses += len(rows)
        submissions += len(batch_submissions)
        if "reference" not in probes and inserted >= args.jobs // 2:
            middle = next(job for job in reversed(jobs) if job.user_key.startswith("LK"))
            probes["reference"] = middle.user_key.split("-", 2)[2]  # "TICKET-123456"
            probes["email"] = json.loads(middle.raw_detail)["userIDs"][0]["value"].split("@")[0]
    PrivacySyncState.objects.create(
        organization=organization,
        last_attempt_at=now,
        last_success_at=now,
        backfilled_at=now - timedelta(days=DAYS),
        full_listing_at=now,
        jobs_seen=inserted,
        regulations=sorted(REGULATION_WEIGHTS),
        last_summary=f"{inserted:,} jobs seen, 0 new, 0 updated, 1 request",
    )
    jobs_time = time.perf_counter() - t_jobs
    t_analyze = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    analyze_time = time.perf_counter() - t_analyze
    total = time.perf_counter() - started
    print(f"database {vendor}: {PrivacyJob.objects.count():,} jobs in one organization, "
          f"{responses:,} product responses, {submissions:,} Lookout submissions")  # fmt: skip
    print(f"seeded in {total:.1f} s (inserts {jobs_time:.1f} s = {inserted / jobs_time:,.0f} "
          f"jobs/s, (VACUUM) ANALYZE {analyze_time:.1f} s, the rest migrate + flush)")  # fmt: skip
    return organization, member, viewer, probes


def _job(rng, now, created, regulation, action, request_id, email, user_key):
    """One unsaved job (without its organization) and its product responses' fields."""
    from privacy.models import PrivacyJob

    age = now - created
    roll = rng.random()
    if age < timedelta(days=1):
        status = "submitted" if roll < 0.3 else "processing" if roll < 0.7 else "complete"
    elif age < timedelta(days=7):
        status = "submitted" if roll < 0.02 else "processing" if roll < 0.12 else "complete"
    else:  # a few stuck at Adobe for weeks
        status = "submitted" if roll < 0.005 else "processing" if roll < 0.03 else "complete"
    if status == "complete" and rng.random() < 0.06:
        status = "error"
    finished = status in ("complete", "error")
    modified = created + timedelta(seconds=rng.uniform(60, 3600))
    if finished:
        modified = min(now, created + timedelta(seconds=rng.uniform(3600, 5 * 86400)))
    user_ids = [{"namespace": "email", "value": email, "type": "standard"}]
    if rng.random() < 0.3:
        ecid = "".join(str(rng.randrange(10)) for _ in range(38))
        user_ids.append({"namespace": "ECID", "value": ecid, "type": "standard"})
    job_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    products = []
    if status != "submitted":
        names = rng.sample(PRODUCTS, rng.choice((1, 2, 2, 3)))
        failing = rng.randrange(len(names)) if status == "error" else -1
        for i, name in enumerate(names):
            state = (
                "error" if i == failing else "processing" if status == "processing" else "complete"
            )
            products.append(
                {
                    "product": name,
                    "status": state,
                    "message": "" if state != "error" else "The request could not be processed.",
                    "response_code": {"complete": "PRVCY-6000-200", "error": "PRVCY-7000-500"}.get(
                        state, ""
                    ),
                    "processed_at": modified if state != "processing" else None,
                    "processed_ids": [{"namespace": "email", "value": email}] if finished else [],
                }
            )
    detail = {
        "jobId": job_id,
        "requestId": request_id,
        "userKey": user_key,
        "action": action,
        "regulation": regulation,
        "status": status,
        "submittedBy": SUBMITTERS[0],
        "createdDate": created.isoformat(),
        "lastModifiedDate": modified.isoformat(),
        "userIDs": user_ids,
        "productResponses": [
            {k: v for k, v in p.items() if k in ("product", "status", "message")} for p in products
        ],
    }
    job = PrivacyJob(
        job_id=job_id,
        request_id=request_id,
        user_key=user_key,
        submitted_by=rng.choice(SUBMITTERS),
        action=action,
        regulation=regulation,
        status=status,
        adobe_created_at=created,
        adobe_modified_at=modified,
        download_url=(
            f"https://privacyui.cloud.adobe.io/download/{job_id}.zip"
            if status == "complete" and action == "access"
            else ""
        ),
        user_ids=user_ids,
        raw_detail=json.dumps(detail),
        first_seen_at=created + timedelta(minutes=10),
        last_seen_at=now,
        detail_fetched_at=modified,
        detail_modified_at=modified,
        next_detail_at=None if finished else now + timedelta(minutes=rng.uniform(5, 240)),
        # Adobe forgets a job 30 days after it finished; Lookout keeps it, marked gone.
        gone_at=now if finished and now - modified > timedelta(days=30) else None,
    )
    return job, products


ROW = re.compile(r'data-testid="job-row"')
LAST_LINK = re.compile(r'<a href="([^"]*)" data-testid="pager-last"')
IGNORED = re.compile(r'<div class="errors" role="alert">(.*?)</div>', re.S)


def measure(organization, member, viewer, probes: dict[str, str], samples: int) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from dashboard.paging import PAGE_PARAM
    from privacy.filters import JobFilterSet
    from privacy.models import PrivacyJob

    url = reverse("privacy:job_list", kwargs={"org_code": organization.code})
    total = PrivacyJob.objects.filter(organization=organization).count()
    per_page = settings.LOOKOUT_PRIVACY_PAGE_SIZE
    last = max(1, math.ceil(total / per_page))
    sorts = [value for value, _label in JobFilterSet.base_filters["sort"].extra["choices"]]
    names = set(JobFilterSet.base_filters)
    for name in ("q", "late", "sort"):
        if name not in names:
            sys.exit(f"JobFilterSet has no {name!r} parameter any more ({sorted(names)}): adapt")
    member_client = Client()
    member_client.force_login(member)
    first = member_client.get(url).content.decode()
    last_link = LAST_LINK.search(first)
    last_query = (
        dict(parse_qsl(html_module.unescape(last_link.group(1)).lstrip("?")))
        if last_link
        else {PAGE_PARAM: last}
    )
    last_name = "last page (" + "&".join(f"{k}={v}" for k, v in last_query.items()) + ")"
    cases = [
        ("page 1", member_client, {}),
        (last_name, member_client, last_query),
        (f"search reference {probes['reference']}", member_client, {"q": probes["reference"]}),
        ("late only", member_client, {"late": "on"}),
        ("sort=deadline", member_client, {"sort": "deadline"}),
    ]
    print(f"\njob list page, {total:,} jobs, {per_page} per page; {samples} requests per case "
          f"after {WARM_UPS} warm-ups, as a member (sorts offered: "
          f"{', '.join(sorts)})")  # fmt: skip
    print(f"{'case':<44} {'median ms':>9} {'p95 ms':>8} {'SQL ms':>7} {'queries':>7} {'rows':>5}")
    for name, client, query in cases:
        for _ in range(WARM_UPS):
            response = client.get(url, query)
        html = response.content.decode()
        if response.status_code != 200:
            print(f"{name:<44} HTTP {response.status_code}: not measured")
            continue
        ignored = IGNORED.search(html)
        if ignored:
            print(f"{name:<44} not measured, the page ignored it: "
                  f"{' '.join(ignored.group(1).split())}")  # fmt: skip
            continue
        timings, queries, sql = [], set(), []
        for _ in range(samples):
            with CaptureQueriesContext(connection) as captured:
                t0 = time.perf_counter()
                response = client.get(url, query)
                timings.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (name, response.status_code)
            queries.add(len(captured.captured_queries))
            sql.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
        rows = len(ROW.findall(response.content.decode()))
        counted = "-".join(str(n) for n in sorted({min(queries), max(queries)}))
        print(f"{name:<44} {statistics.median(timings):9.1f} {percentile(timings, 0.95):8.1f} "
              f"{statistics.median(sql):7.1f} {counted:>7} {rows:>5}")  # fmt: skip
        if query is last_query:  # the last page: Previous and no Next
            html = response.content.decode()
            expected = total - (last - 1) * per_page if PAGE_PARAM in query else per_page
            assert rows == min(expected, total), (rows, expected)
            assert 'rel="prev"' in html and 'rel="next"' not in html


if __name__ == "__main__":
    main()

"""Seeded generation of Privacy jobs and their details.

Generation is split in two so that 10 organizations x 10,000 jobs start in well under a second:
`generate_jobs` draws only what listing needs (id, regulation, action, timeline, outcome) from
one random stream per organization; `job_details` re-derives a job's user ids and product
responses from its id whenever they are asked for. Both depend on the seed only, never on the
order of requests.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import logging
import random

from simulator.jobs import DAY, INF, Job, JobDetails, JobSummary, ProductPlan
from simulator.orgs import Organization
from simulator.regulations import (
    CURRENT_REGULATIONS,
    ERROR_CODES,
    NAMESPACES,
    PRODUCTS,
    REGULATION_WEIGHTS,
    SUCCESS_CODE_WEIGHTS,
)

logger = logging.getLogger(__name__)

LOOKBACK_DAYS = 45  # generated jobs spread over the last 45 days
STUCK_SHARE = 0.02  # jobs that never finish ("might remain in a processing state")
ERROR_SHARE = 0.07
ACCESS_SHARE = 0.55

# Products a generated job includes, with how often each is provisioned.
GENERATED_PRODUCTS: dict[str, float] = {
    "analytics": 30.0,
    "profileService": 25.0,
    "aepDataLake": 15.0,
    "identity": 15.0,
    "audienceManager": 10.0,
    "target": 8.0,
    "campaign": 6.0,
    "cjm": 5.0,
    "adCloud": 3.0,
}
# Extra identities a generated user has besides the email the job is keyed on.
GENERATED_NAMESPACES: tuple[str, ...] = ("ECID", "ECID", "email", "CORE", "AdCloud", "GAID")


def _cumulative(weights: dict[str, float]) -> tuple[list[str], list[float]]:
    keys = list(weights)
    return keys, list(itertools.accumulate(weights[k] for k in keys))


def _pick(rng: random.Random, table: tuple[list[str], list[float]]) -> str:
    keys, cumulative = table
    return keys[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]


_REGULATION_TABLE = _cumulative(
    {code: REGULATION_WEIGHTS.get(code, 1.0) for code in CURRENT_REGULATIONS}
)
_PRODUCT_TABLE = _cumulative(GENERATED_PRODUCTS)
_SUCCESS_TABLE = _cumulative(SUCCESS_CODE_WEIGHTS)
_ERROR_CODE_KEYS = list(ERROR_CODES)


def uuid_from_bits(bits: int) -> str:
    h = f"{bits:032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def generate_jobs(
    *, seed: int, org: int, count: int, now: float, future_days: float = 0
) -> list[Job]:
    """`count` jobs created over the `LOOKBACK_DAYS` before `now`, in generation order.

    With `future_days`, jobs keep arriving at the same rate for that many days after `now`
    (invisible until the clock gets there), so a demo on a ticking clock sees new work.
    """
    rng = random.Random(f"jobs:{seed}:{org}")
    random_ = rng.random
    getrandbits = rng.getrandbits
    expovariate = rng.expovariate
    reg_keys, reg_cumulative = _REGULATION_TABLE
    reg_total = reg_cumulative[-1]
    span = (LOOKBACK_DAYS + future_days) * DAY
    end = now + future_days * DAY
    jobs = []
    for _ in range(int(count * (LOOKBACK_DAYS + future_days) / LOOKBACK_DAYS)):
        created = float(int(end - random_() * span))
        processing = created + 60 + int(random_() * 1740)
        if random_() < STUCK_SHARE:
            finished = INF
        else:
            finished = processing + 600 + min(int(expovariate(1 / 21600)), 5 * 86400)
        jobs.append(
            Job(
                job_id=uuid_from_bits(getrandbits(128)),
                org=org,
                regulation=reg_keys[bisect.bisect_right(reg_cumulative, random_() * reg_total)],
                action="access" if random_() < ACCESS_SHARE else "delete",
                created_at=created,
                processing_at=processing,
                finished_at=finished,
                outcome="error" if random_() < ERROR_SHARE else "complete",
            )
        )
    return jobs


def request_id(rng: random.Random, created_at: float) -> str:
    """17 digits, `RX-`, 3 digits, like `16197332222128898RX-318`."""
    return f"{int(created_at * 1000)}{rng.randrange(10000):04d}RX-{rng.randrange(1000):03d}"


def submitters(org: Organization) -> tuple[str, ...]:
    return _submitters(org.name, org.technical_account_email)


@functools.cache
def _submitters(name: str, technical_account_email: str) -> tuple[str, ...]:
    slug = name.lower().replace(" ", "")
    return (
        technical_account_email,
        f"privacy.ops@{slug}.example.com",
        f"dpo@{slug}.example.com",
    )


def _random_value(rng: random.Random, namespace: str) -> str:
    if namespace == "email":
        return f"user{rng.randrange(10**6):06d}@example.com"
    if namespace in ("ECID", "CORE"):
        return str(rng.randrange(10**29, 10**30))
    return f"{rng.getrandbits(64):016X}"


def _user_id(namespace: str, value: str) -> dict[str, object]:
    return {
        "namespace": namespace,
        "value": value,
        "type": "standard",
        "namespaceId": NAMESPACES[namespace],
        "isDeletedClientSide": False,
    }


def plan_products(
    rng: random.Random, products: list[str], *, outcome: str, user_values: list[str]
) -> tuple[ProductPlan, ...]:
    """How each product answers: finishing order, PRVCY code, retries; one fails on error."""
    failing = rng.randrange(len(products)) if outcome == "error" else -1
    fractions = sorted(rng.random() for _ in products)
    fractions[-1] = 1.0  # the job finishes when its last product does
    plans = []
    for index, product in enumerate(products):
        results = None
        detail = None
        if index == failing:
            code = rng.choice(_ERROR_CODE_KEYS)
            retries = rng.randrange(1, 4)
        else:
            code = _pick(rng, _SUCCESS_TABLE)
            retries = 0
            if code == "6054-200" and len(user_values) > 1:
                detail = (
                    "PARTIALLY COMPLETED- Data not found for some requests, check results "
                    "for more info."
                )
                results = {"processed": user_values[1:], "ignored": user_values[:1]}
            elif code == "6000-200" and product == "Profile":
                detail = (
                    f"Success dataSetIds = [{rng.getrandbits(96):024x}], Failed dataSetIds = []"
                )
        plans.append(
            ProductPlan(
                product=product,
                done_fraction=fractions[index],
                code=code,
                retry_count=retries,
                detail=detail,
                results=results,
            )
        )
    return tuple(plans)


def _email(bits: int) -> str:
    return f"user{bits % 10**6:06d}@example.com"


def job_summary(job: Job, org: Organization) -> JobSummary:
    """A generated job's list fields, from its id's random bits (cheap: listing needs 1000s)."""
    if job.details is not None:
        return job.details.summary
    bits = int(job.job_id.replace("-", ""), 16)
    email = _email(bits)
    return JobSummary(
        request_id=f"{int(job.created_at * 1000)}{(bits >> 24) % 10000:04d}"
        f"RX-{(bits >> 40) % 1000:03d}",
        user_key=email.split("@", 1)[0] if (bits >> 52) % 10 < 6 else email,
        submitted_by=submitters(org)[(bits >> 60) % 3],
    )


def job_details(job: Job, org: Organization) -> JobDetails:
    """A generated job's details, the same every time for the same job id."""
    if job.details is not None:
        return job.details
    rng = random.Random(job.job_id)
    email = _email(int(job.job_id.replace("-", ""), 16))
    user_ids = [_user_id("email", email)]
    for _ in range(rng.randrange(3)):
        namespace = rng.choice(GENERATED_NAMESPACES)
        user_ids.append(_user_id(namespace, _random_value(rng, namespace)))
    products: list[str] = []
    for _ in range(1 + rng.randrange(3)):
        name = PRODUCTS[_pick(rng, _PRODUCT_TABLE)]
        if name not in products:
            products.append(name)
    return JobDetails(
        summary=job_summary(job, org),
        user_ids=tuple(user_ids),
        products=plan_products(
            rng, products, outcome=job.outcome, user_values=[str(u["value"]) for u in user_ids]
        ),
    )

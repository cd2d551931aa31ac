from __future__ import annotations

from django.utils import timezone

from privacy.models import PrivacyJob
from tests.access_rules import AccessRules


def _populate(acme) -> None:
    PrivacyJob.objects.create(
        organization=acme,
        job_id="acme-job-1",
        action="access",
        regulation="gdpr",
        status=PrivacyJob.Status.COMPLETE,
        adobe_created_at=timezone.now(),
    )


RULES = AccessRules(
    url_kwargs={"job_code": lambda acme: PrivacyJob.objects.get(organization=acme).code},
    member_forms=frozenset({"privacy:request_new", "privacy:consent_new"}),
    member_pages=frozenset({"privacy:job_download"}),
    populate=_populate,
)

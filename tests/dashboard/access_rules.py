from __future__ import annotations

from dashboard.models import ClientSecret, Credential, Membership
from tests.access_rules import AccessRules

RULES = AccessRules(
    url_kwargs={
        "org_code": lambda acme: acme.code,
        "membership_code": lambda acme: (
            Membership.objects.get(organization=acme, user__username="bob").code
        ),
        "credential_code": lambda acme: Credential.objects.get(organization=acme).code,
        "secret_code": lambda acme: (
            ClientSecret.objects.get(credential__organization=acme, is_primary=False).code
        ),
    },
    admin_writes=frozenset(
        {
            "dashboard:member_add",
            "dashboard:member_role",
            "dashboard:member_remove",
            "dashboard:credential_test",
            "dashboard:credential_delete",
            "dashboard:secret_add",
            "dashboard:secret_promote",
            "dashboard:secret_retire",
        }
    ),
    admin_forms=frozenset({"dashboard:credential_add_oauth", "dashboard:credential_add_jwt"}),
)

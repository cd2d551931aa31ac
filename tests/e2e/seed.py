"""Onboard organizations and create members in the e2e stack's database, as an operator would.

Run as its own process with the stack's environment: ``python tests/e2e/seed.py SPEC OUT``.
SPEC (JSON) names the admin, the organizations (IMS org id, client id, a file holding the client
secret, scopes, technical account) and further users with their memberships. Each organization is
created through ``organization_create`` and its credential onboarded with ``manage.py
onboard_credential`` (secret read from a file, never from the command line), both in one
transaction: beat never sees an organization without its credential (a sync of such an
organization fails and is probed again only 5 minutes later). OUT receives
``{"orgs": {ims_org_id: {"id", "code"}}}``.

Users share a password hash computed once: PBKDF2 costs half a second a hash, and the load
scenario needs fifty members.
"""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")


def main(spec_path: str, out_path: str) -> None:
    import django

    django.setup()

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction

    from dashboard.models import Membership, Organization
    from dashboard.services.organizations import membership_add, organization_create

    spec = json.loads(Path(spec_path).read_text())
    user_model = get_user_model()
    hashes: dict[str, str] = {}

    def user(username: str, password: str):
        found = user_model.objects.filter(username=username).first()
        if found is not None:
            # Never touch an existing user's password: a new hash ends their sessions.
            return found
        if password not in hashes:
            hashes[password] = make_password(password)
        return user_model.objects.create(
            username=username, email=f"{username}@example.com", password=hashes[password]
        )

    admin = user(spec["admin"]["username"], spec["admin"]["password"])
    out: dict[str, dict] = {"orgs": {}}
    for org in spec["orgs"]:
        with transaction.atomic():
            organization = Organization.objects.filter(ims_org_id=org["ims_org_id"]).first()
            if organization is None:
                organization = organization_create(
                    name=org["name"], ims_org_id=org["ims_org_id"], admin=admin
                )
                call_command(
                    "onboard_credential",
                    "--org",
                    org["ims_org_id"],
                    "--kind",
                    "oauth",
                    "--name",
                    "Privacy and Status",
                    "--client-id",
                    org["client_id"],
                    "--client-secret-file",
                    org["secret_file"],
                    "--scopes",
                    ",".join(org["scopes"]),
                    "--technical-account-id",
                    org["technical_account_id"],
                    "--technical-account-email",
                    org["technical_account_email"],
                    stdout=io.StringIO(),
                )
        out["orgs"][org["ims_org_id"]] = {"id": organization.pk, "code": str(organization.code)}

    for spec_user in spec.get("users", []):
        member = user(spec_user["username"], spec_user["password"])
        for ims_org_id, role in spec_user.get("memberships", []):
            organization = Organization.objects.get(ims_org_id=ims_org_id)
            if not Membership.objects.filter(organization=organization, user=member).exists():
                membership_add(organization=organization, user=member, role=role)
    Path(out_path).write_text(json.dumps(out))


if __name__ == "__main__":
    main(*sys.argv[1:3])

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import slugify

from dashboard import crypto
from dashboard.models import (
    ClientSecret,
    Credential,
    Invitation,
    Membership,
    NotificationDelivery,
    NotificationEvent,
    TeamWebhook,
)
from dashboard.services.credentials import CredentialInput, credential_create
from tests.access_rules import AccessRules


def populate(organization) -> list[str]:
    """A credential (when it has none yet) and the values of its team and credentials."""
    tag = slugify(organization.name)
    if not Credential.objects.filter(organization=organization).exists():
        admin = Membership.objects.filter(organization=organization, role="admin").first()
        credential_create(
            organization=organization,
            created_by=admin.user if admin else None,
            data=CredentialInput(
                kind=Credential.Kind.OAUTH,
                name=f"{organization.name} privacy",
                client_id=f"{tag}-client-id",
                client_secrets=[f"{tag}-primary-secret-0001", f"{tag}-fallback-secret-0002"],
                scopes=["openid", "AdobeID", "read_organizations"],
                technical_account_id=f"{tag}-account@techacct.adobe.com",
                technical_account_email=f"{tag}-robot@{tag}.example",
            ),
        )
    if not Invitation.objects.filter(organization=organization).exists():
        Invitation.objects.create(
            organization=organization,
            email=f"invitee@{tag}.example",
            role=Membership.Role.MEMBER,
            token_hash=f"{tag}-not-a-real-hash"[:64],
            expires_at=timezone.now() + timedelta(days=7),
        )
    if not TeamWebhook.objects.filter(organization=organization).exists():
        webhook = TeamWebhook.objects.create(
            organization=organization,
            name=f"#{tag}-ops",
            url_encrypted=crypto.encrypt(f"https://hooks.{tag}.example/services/{tag}-hook-secret"),
            url_hint=f"https://hooks.{tag}.example/…",
            topics=["incident"],
        )
        event = NotificationEvent.objects.create(
            organization=organization,
            topic="incident",
            key=f"incident:{tag}:opened",
            title=f"Incident opened on {tag}-product",
            link=f"/orgs/{organization.code}/status/",
            occurred_at=timezone.now(),
        )
        NotificationDelivery.objects.create(
            event=event, channel="team_webhook", team_webhook=webhook, target=f"team:{webhook.pk}"
        )
    values: list[str] = []
    for webhook in TeamWebhook.objects.filter(organization=organization):
        values += [webhook.name, str(webhook.code), webhook.url_hint]
    for event in NotificationEvent.objects.filter(organization=organization):
        values += [event.title]
    for invitation in Invitation.objects.filter(organization=organization):
        values += [invitation.email, str(invitation.code)]
    for credential in Credential.objects.filter(organization=organization):
        values += [credential.name, credential.client_id, str(credential.code)]
        values += [credential.technical_account_id, credential.technical_account_email]
    secrets = ClientSecret.objects.filter(credential__organization=organization)
    values += [str(code) for code in secrets.values_list("code", flat=True)]
    memberships = Membership.objects.filter(organization=organization)
    values += [str(code) for code in memberships.values_list("code", flat=True)]
    # Its people: those in no other organization (the others are shared, not its own).
    people = (
        get_user_model()
        .objects.filter(memberships__organization=organization)
        .exclude(memberships__in=Membership.objects.exclude(organization=organization))
    )
    for person in people:
        values += [person.get_username(), person.email, person.first_name, person.last_name]
    return [value for value in values if value]


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
        "invitation_code": lambda acme: Invitation.objects.get(organization=acme).code,
        "webhook_code": lambda acme: TeamWebhook.objects.get(organization=acme).code,
        # Links from e-mails (invitation, password reset): public, and this one opens nothing.
        "token": lambda acme: "not-a-valid-token",
        "uidb64": lambda acme: "MQ",
    },
    pages=frozenset(
        {
            "dashboard:home",
            "dashboard:organization",
            "dashboard:team",
            "dashboard:credential_list",
            "dashboard:credential_detail",
            "dashboard:audit_log",
            "dashboard:audit_export",
        }
    ),
    admin_writes=frozenset(
        {
            "dashboard:member_add",
            "dashboard:member_role",
            "dashboard:member_remove",
            "dashboard:invitation_revoke",
            "dashboard:credential_test",
            "dashboard:credential_delete",
            "dashboard:secret_add",
            "dashboard:secret_promote",
            "dashboard:secret_retire",
            "dashboard:team_webhook_add",
            "dashboard:team_webhook_remove",
        }
    ),
    own_forms=frozenset({"dashboard:notifications"}),
    admin_forms=frozenset({"dashboard:credential_add_oauth", "dashboard:credential_add_jwt"}),
    account_writes=frozenset({"logout"}),
    public=frozenset(
        {
            "login",
            "healthz",
            "livez",
            # Public to sign-in, behind its own bearer token (404 while none is set).
            "metrics",
            "password_reset",
            "password_reset_done",
            "password_reset_confirm",
            "password_reset_complete",
            "dashboard:invitation_accept",
            "dashboard:invitation_join",
        }
    ),
    staff_pages=frozenset({"dashboard:operations"}),
    populate=populate,
)

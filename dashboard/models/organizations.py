"""Organizations (one per Adobe IMS organization) and the team memberships that grant access."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse

# Adobe IMS org ids look like "0123456789ABCDEF01234567@AdobeOrg".
ims_org_id_validator = RegexValidator(
    regex=r"^[A-Za-z0-9]{8,64}@AdobeOrg$",
    message="Enter the IMS organization ID as shown in Adobe Developer Console, "
    "e.g. 0123456789ABCDEF01234567@AdobeOrg.",
    code="invalid_ims_org_id",
)


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Organization(TimeStampedModel):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    ims_org_id = models.CharField(
        "IMS organization ID",
        max_length=100,
        unique=True,
        validators=[ims_org_id_validator],
        help_text="From Adobe Developer Console; ends in @AdobeOrg.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("dashboard:organization", args=[self.code])


class Membership(TimeStampedModel):
    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        MEMBER = "member", "Member"
        VIEWER = "viewer", "Viewer"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        ordering = ["organization__name", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="membership_unique_per_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.get_role_display()})"

    @property
    def can_write(self) -> bool:
        """Members and admins act on the organization's data; viewers only read."""
        return self.role in (self.Role.ADMIN, self.Role.MEMBER)

    @property
    def is_admin(self) -> bool:
        """Admins also manage the team and the organization's credentials."""
        return self.role == self.Role.ADMIN

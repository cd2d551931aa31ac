"""Adobe's Status registry (clouds, products, offerings, services, regions, environments) and its
message catalogue. Adobe-wide tables, not per organization: one poll per installation fills them.
"""

from __future__ import annotations

from django.db import models

from dashboard.models import Organization, TimeStampedModel


class RegistryItem(TimeStampedModel):
    """Anything Adobe names by id. ``gone_at`` is set when the registry stops listing it, and the
    row stays so that old incidents keep their product names."""

    adobe_id = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=300, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    gone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["name", "adobe_id"]

    def __str__(self) -> str:
        return self.name or self.adobe_id


class Cloud(RegistryItem):
    class Meta(RegistryItem.Meta):
        pass


class Region(RegistryItem):
    class Meta(RegistryItem.Meta):
        pass


class Product(RegistryItem):
    cloud = models.ForeignKey(
        Cloud, null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )
    regions = models.ManyToManyField(Region, blank=True, related_name="products")

    class Meta(RegistryItem.Meta):
        pass


class Offering(RegistryItem):
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="offerings"
    )

    class Meta(RegistryItem.Meta):
        pass


class Service(RegistryItem):
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="services"
    )

    class Meta(RegistryItem.Meta):
        pass


class Environment(RegistryItem):
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="environments"
    )
    region_ids = models.JSONField(default=list, blank=True)

    class Meta(RegistryItem.Meta):
        pass


class StatusMessage(models.Model):
    """One entry of ``/messages/{locale}``: titles and texts arrive as tokens."""

    locale = models.CharField(max_length=20)
    token = models.CharField(max_length=200)
    text = models.TextField(blank=True)
    fetched_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["locale", "token"], name="status_message_unique")
        ]

    def __str__(self) -> str:
        return f"{self.locale}:{self.token}"


class WatchedProduct(TimeStampedModel):
    """A product an organization depends on: what it is shown is marked as affecting it."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="watched_status_products"
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="watchers")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "product"], name="status_watched_product_unique_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} watches {self.product}"

"""The coworking directory: cities and the coworking spaces in them.

Field names follow what ``/v2/cities`` and ``/v2/spaces`` return in the Coworkies spec
(``shared/spec/coworkies-api.txt``); the API layer renames nothing it does not have to.
"""

from __future__ import annotations

from django.db import models


class City(models.Model):
    """A city of the directory; only confirmed cities are listed by the API."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    is_confirmed = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "cities"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Space(models.Model):
    """A coworking space. API keys may be bound to one; its resources are booked by the hour.

    ``subdomain`` is the space's host name part for the Cobot-compatible API
    (``<subdomain>.<SPACES_DOMAIN>``).
    """

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, help_text="The space_url of the directory.")
    address = models.CharField(max_length=300, blank=True)
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="spaces")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    linkedin_url = models.URLField(blank=True)
    subdomain = models.SlugField(max_length=63, unique=True, null=True, blank=True)
    is_confirmed = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

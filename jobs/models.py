"""The coworking directory (``shared/spec/coworkies-api.txt``): cities, coworking spaces,
job plans and jobs, events, blog posts, feedback and newsletter subscriptions.

Field names follow the domain; the API layer maps them to the spec's wire names
(``id_city``, ``city_name``, ``space_url`` …) in ``jobs/api/serializers.py`` and
``jobs/selectors.py``.
"""

from __future__ import annotations

from django.db import models

from accounts.validators import validate_timezone
from jobs.normalise import fold


class City(models.Model):
    """A city of the directory; only confirmed cities are listed by the API or take jobs.

    ``search_name`` is the name case- and accent-folded (``"São Paulo"`` → ``"sao paulo"``),
    kept in step with ``name`` on save: job creation resolves ``city_name`` against it
    (exact, then prefix) on any database, without PostgreSQL's ``unaccent``.
    """

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    search_name = models.CharField(max_length=120, db_index=True, editable=False, default="")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    is_confirmed = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "cities"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = fold(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)


class Space(models.Model):
    """A coworking space. API keys may be bound to one; its resources are booked by the hour.

    ``slug`` is the directory's ``space_url``; ``subdomain`` is the space's host name part
    for the Cobot-compatible API (``<subdomain>.<SPACES_DOMAIN>``); ``timezone`` is the IANA
    zone its opening hours and bookings are expressed in.
    """

    class PlanTier(models.TextChoices):
        FREE = "free", "Free"
        PRO = "pro", "Pro"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, help_text="The space_url of the directory.")
    address = models.CharField(max_length=300, blank=True)
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="spaces")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    linkedin_url = models.URLField(blank=True)
    subdomain = models.SlugField(max_length=63, unique=True, null=True, blank=True)
    timezone = models.CharField(
        max_length=64, default="UTC", validators=[validate_timezone], help_text="IANA time zone, e.g. Europe/Berlin."
    )
    plan_tier = models.CharField(max_length=10, choices=PlanTier.choices, default=PlanTier.FREE)
    is_confirmed = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

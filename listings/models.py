"""Listings, their room types and rooms, and the day-by-day inventory.

A ``Listing`` is a property hosted by a user; its ``RoomType``s are what is sold (``amount``
identical units at monthly prices); ``RoomTypeNight`` holds, per room type per night, how
many units are still available. A night without a row has the room type's ``amount``.
The inventory invariant (DESIGN.md): ``available`` never goes below zero — the database
enforces it with a CHECK constraint as the backstop for the services' conditional updates.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from listings.querysets import ListingQuerySet, RoomTypeQuerySet

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTH_PRICE_FIELDS = tuple(f"price_{month}" for month in MONTHS)
_money = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}
_percent = {
    "max_digits": 5,
    "decimal_places": 2,
    "default": Decimal("0"),
    "validators": [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
}


class Listing(models.Model):
    """A property offered by a host. Booking rules, when set, apply to every room type."""

    class Status(models.TextChoices):
        ACTIVE = "active"
        INACTIVE = "inactive"
        DELISTED = "delisted"

    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="listings")
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    original_id = models.CharField(max_length=100, blank=True, help_text="The listing's id in the host's system.")
    original_url = models.URLField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    address = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=120, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    stay_min = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Minimum stay, in months.")
    notice_min_days = models.PositiveSmallIntegerField(null=True, blank=True)
    move_in_max_days = models.PositiveSmallIntegerField(null=True, blank=True)
    deposit = models.DecimalField(null=True, blank=True, **_money)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ListingQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["host", "original_id"], condition=~models.Q(original_id=""), name="listings_unique_original_id"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ListingFee(models.Model):
    """A fee the listing charges besides rent (cleaning, service…). Mandatory ones are priced in."""

    class Type(models.TextChoices):
        FIXED = "fixed"
        PERCENT = "percent"

    class Frequency(models.TextChoices):
        ONCE = "once"
        MONTHLY = "monthly"

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(max_length=120)
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.FIXED)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.ONCE)
    amount = models.DecimalField(**_money)
    mandatory = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ListingGrant(models.Model):
    """Staff let ``grantee`` (e.g. a partner agency) use a listing it does not host."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="grants")
    grantee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="listing_grants")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["listing", "grantee"], name="listings_grant_unique")]

    def __str__(self) -> str:
        return f"{self.grantee} → {self.listing}"


class RoomType(models.Model):
    """A kind of room in a listing: ``amount`` identical units, priced per month.

    A night costs its month's price (``price_<mon>`` when set, else ``base_price``)
    divided by that month's days; see ``bookings/pricing.py``.
    """

    class Kind(models.TextChoices):
        PRIVATE = "private"
        SHARED = "shared"
        STUDIO = "studio"
        ENTIRE_PLACE = "entire_place"

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="room_types")
    name = models.CharField(max_length=200)
    room_type = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PRIVATE)
    amount = models.PositiveIntegerField(default=1, help_text="Number of rentable units.")
    max_occupancy = models.PositiveSmallIntegerField(default=1)
    currency = models.CharField(max_length=3, default="EUR", help_text="ISO 4217, upper case.")
    base_price = models.DecimalField(default=Decimal("0"), **_money)
    price_jan = models.DecimalField(null=True, blank=True, **_money)
    price_feb = models.DecimalField(null=True, blank=True, **_money)
    price_mar = models.DecimalField(null=True, blank=True, **_money)
    price_apr = models.DecimalField(null=True, blank=True, **_money)
    price_may = models.DecimalField(null=True, blank=True, **_money)
    price_jun = models.DecimalField(null=True, blank=True, **_money)
    price_jul = models.DecimalField(null=True, blank=True, **_money)
    price_aug = models.DecimalField(null=True, blank=True, **_money)
    price_sep = models.DecimalField(null=True, blank=True, **_money)
    price_oct = models.DecimalField(null=True, blank=True, **_money)
    price_nov = models.DecimalField(null=True, blank=True, **_money)
    price_dec = models.DecimalField(null=True, blank=True, **_money)
    discount_90 = models.DecimalField(**_percent)
    discount_180 = models.DecimalField(**_percent)
    discount_360 = models.DecimalField(**_percent)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RoomTypeQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.listing} — {self.name}"

    def month_price(self, month: int) -> Decimal:
        """The monthly price for ``month`` (1–12): its override, else the base price."""
        override = getattr(self, MONTH_PRICE_FIELDS[month - 1])
        return self.base_price if override is None else override


class Room(models.Model):
    """One physical room (unit) of a room type."""

    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class RoomTypeNight(models.Model):
    """Units of a room type still available on one night (pushed by a PMS, taken by bookings)."""

    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE, related_name="nights")
    date = models.DateField()
    available = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room_type", "date"], name="listings_night_unique"),
            models.CheckConstraint(condition=models.Q(available__gte=0), name="listings_night_available_gte_0"),
        ]
        ordering = ["room_type", "date"]

    def __str__(self) -> str:
        return f"{self.room_type_id} {self.date}: {self.available}"


class ProviderAccountLink(models.Model):
    """A host's account at an integration provider, named by the provider's own API key.

    ``POST /v2/integrations/{provider}/provider-key`` stores it for the calling key's owner.
    The platform only *references* the provider key — to recognise the account and to
    refuse linking the same key to two hosts — and never calls the provider with it, so
    the key itself is not kept: only its SHA-256 digest (for matching) and its last four
    characters (so staff and the host can tell which key it is). There is no vetted
    encryption package in the stack; storing a recoverable key would need one.
    """

    provider = models.ForeignKey("apikeys.Provider", on_delete=models.CASCADE, related_name="account_links")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_links")
    key_digest = models.CharField(max_length=64, editable=False, help_text="SHA-256 of the provider's key (hex).")
    key_last4 = models.CharField(max_length=4, editable=False)
    api_key = models.ForeignKey(
        "apikeys.ApiKey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        help_text="The platform key that last set the provider key.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider", "owner"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "owner"], name="listings_provider_link_one_per_owner"),
            models.UniqueConstraint(fields=["provider", "key_digest"], name="listings_provider_link_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} ····{self.key_last4} ({self.owner})"

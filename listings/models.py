"""Listings, their room types and rooms, and the day-by-day inventory.

A ``Listing`` is a property hosted by a user; its ``RoomType``s are what is sold (``amount``
identical units at monthly prices); ``RoomTypeNight`` holds, per room type per night, how
many units are still available. A night without a row has the room type's ``amount``.
The inventory invariant (DESIGN.md): ``available`` never goes below zero — the database
enforces it with a CHECK constraint as the backstop for the services' conditional updates.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from listings.feed.enums import choices
from listings.querysets import ListingQuerySet, RoomTypeQuerySet


def new_calendar_token() -> str:
    """A listing's secret for its exported calendars' URLs (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTH_PRICE_FIELDS = tuple(f"price_{month}" for month in MONTHS)
_money = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}
_percent = {
    "max_digits": 5,
    "decimal_places": 2,
    "default": Decimal("0"),
    "validators": [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
}


class Amenity(models.Model):
    """A staff-managed amenity a listing (scope ``property``) or a room type (``room``) offers.

    Feeds name amenities by ``id``; ``/json/import/amenities`` lists them."""

    class Scope(models.TextChoices):
        PROPERTY = "property"
        ROOM = "room"

    name = models.CharField(max_length=120)
    scope = models.CharField(max_length=10, choices=Scope.choices)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "amenities"
        constraints = [models.UniqueConstraint(fields=["scope", "name"], name="listings_amenity_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.scope})"


class CommunityType(models.Model):
    """A staff-managed kind of community (``community.types`` of the feed)."""

    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class CommunityEvent(models.Model):
    """A staff-managed kind of community event (``community.events`` of the feed)."""

    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Listing(models.Model):
    """A property offered by a host. Booking rules, when set, apply to every room type.

    Every field of the host JSON feed (``shared/spec/coliving-json-feed.txt``) has a column
    here or a table of its own (fees, photos, FAQ, amenities, community types and events);
    ``listings/feed/registry.py`` maps the feed's paths to them. ``deposit`` is the amount
    bookings price in: the ``security_deposit`` when its type is ``fixed``, else none.
    ``sync_source``, ``last_imported_at`` and ``content_hash`` record where the current
    version came from; ``overwritten_fields`` lists the staff edits the last import replaced.
    """

    class Status(models.TextChoices):
        ACTIVE = "active"
        INACTIVE = "inactive"
        DELISTED = "delisted"

    class SyncSource(models.TextChoices):
        FEED = "feed", "Host feed"
        API = "api", "API push"
        STAFF = "staff", "Staff edit"

    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="listings")
    # Sandbox data (``/v2/sandbox/…``, bookings/sandbox.py): only sandbox requests reach it, and
    # they reach nothing else (``TenantQuerySet.for_tenant``). Its room types are its own.
    is_sandbox = models.BooleanField(default=False, editable=False)
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    original_id = models.CharField(max_length=100, blank=True, help_text="The listing's id in the host's system.")
    original_url = models.URLField(max_length=500, blank=True)
    property_size = models.PositiveIntegerField(null=True, blank=True)
    property_size_unit = models.CharField(max_length=4, choices=choices("size_unit"), default="m2")
    parking = models.CharField(max_length=60, blank=True, choices=choices("parking"))
    internet_download = models.PositiveIntegerField(null=True, blank=True, help_text="Mbps")
    internet_upload = models.PositiveIntegerField(null=True, blank=True, help_text="Mbps")
    bedrooms = models.PositiveSmallIntegerField(null=True, blank=True)
    bathrooms = models.PositiveSmallIntegerField(null=True, blank=True)
    residents = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Maximum residents.")
    # descriptions
    description = models.TextField(blank=True, help_text="The property.")
    neighborhood_description = models.TextField(blank=True)
    community_description = models.TextField(blank=True)
    # location
    address = models.CharField(max_length=300, blank=True)
    zip = models.CharField(max_length=20, blank=True)
    neighborhood = models.CharField(max_length=120, blank=True)
    city = models.CharField(max_length=120, blank=True)
    state = models.CharField(max_length=120, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    amenities = models.ManyToManyField(Amenity, blank=True, related_name="listings")
    # prices
    currency = models.CharField(max_length=3, blank=True, help_text="ISO 4217, upper case.")
    security_deposit_type = models.CharField(max_length=12, choices=choices("security_deposit_type"), default="fixed")
    security_deposit = models.DecimalField(null=True, blank=True, **_money)
    # booking rules
    stay_min = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Minimum stay, in months.")
    notice_min_days = models.PositiveSmallIntegerField(null=True, blank=True)
    move_in_max_days = models.PositiveSmallIntegerField(null=True, blank=True)
    deposit = models.DecimalField(null=True, blank=True, **_money)
    application_url = models.URLField(max_length=500, blank=True)
    cancellation_policy = models.CharField(max_length=20, blank=True, choices=choices("cancellation_policy"))
    booking_rules = models.TextField(blank=True)
    # community
    age_min = models.PositiveSmallIntegerField(null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(null=True, blank=True)
    age_avg = models.PositiveSmallIntegerField(null=True, blank=True)
    community_gender = models.CharField(max_length=10, blank=True, choices=choices("gender"))
    gender_ratio = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100)], help_text="Percent."
    )
    community_types = models.ManyToManyField(CommunityType, blank=True, related_name="listings")
    community_events = models.ManyToManyField(CommunityEvent, blank=True, related_name="listings")
    community_manager_name = models.CharField(max_length=120, blank=True)
    community_manager_photo = models.URLField(max_length=500, blank=True)
    community_manager_onsite = models.BooleanField(null=True, blank=True)
    # media
    tour_3d_url = models.URLField(max_length=500, blank=True)
    video_tour_type = models.CharField(max_length=10, blank=True, choices=choices("video_tour_type"))
    video_tour_url = models.URLField(max_length=500, blank=True)
    # check-in instructions
    check_in_earliest = models.TimeField(null=True, blank=True)
    check_in_latest = models.TimeField(null=True, blank=True)
    check_out_latest = models.TimeField(null=True, blank=True)
    check_in_contact_person = models.CharField(max_length=120, blank=True)
    check_in_telephone_country = models.CharField(max_length=5, blank=True)
    check_in_telephone_number = models.CharField(max_length=20, blank=True)
    check_in_instructions = models.TextField(blank=True)
    directions = models.TextField(blank=True)
    house_manual = models.TextField(blank=True)
    # rating
    google_places_id = models.CharField(max_length=255, blank=True)
    # sync
    sync_source = models.CharField(max_length=5, choices=SyncSource.choices, blank=True)
    last_imported_at = models.DateTimeField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the last imported version.")
    source_hash = models.CharField(
        max_length=64, blank=True, editable=False, help_text="SHA-256 of the last imported document as sent."
    )
    overwritten_fields = models.JSONField(
        default=list, blank=True, help_text="Staff edits the last import overwrote (feed paths)."
    )
    host_feed = models.ForeignKey(
        "HostFeed",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="listings",
        editable=False,
        help_text="The pulled feed that last imported it; a listing it no longer sends is de-listed.",
    )
    calendar_token = models.CharField(
        max_length=64,
        unique=True,
        default=new_calendar_token,
        editable=False,
        help_text="Secret in the URLs of its exported calendars (calendar.ics?token=…).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ListingQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            # A host's sandbox copy of a listing keeps its original_id (bookings/sandbox.py).
            models.UniqueConstraint(
                fields=["host", "is_sandbox", "original_id"],
                condition=~models.Q(original_id=""),
                name="listings_unique_original_id",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ListingFee(models.Model):
    """A fee the listing charges besides rent (cleaning, service…). Mandatory ones are priced in."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    type = models.CharField(max_length=10, choices=choices("fee_type"), default="fixed")
    frequency = models.CharField(max_length=10, choices=choices("fee_frequency"), default="once")
    amount = models.DecimalField(**_money)
    mandatory = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

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
    divided by that month's days; see ``bookings/pricing.py``. ``original_id`` is the
    feed's ``room_types[].id``; a room type a feed no longer sends is deleted, or — when
    bookings refer to it — deactivated (``is_active`` off: partners no longer see it).
    """

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="room_types")
    original_id = models.CharField(max_length=100, blank=True, help_text="The room type's id in the host's feed.")
    position = models.PositiveIntegerField(default=0, help_text="Order in the listing's feed.")
    is_active = models.BooleanField(default=True)
    name = models.CharField(max_length=200)
    room_type = models.CharField(max_length=20, choices=choices("room_type"), default="private")
    bed_type = models.CharField(max_length=10, blank=True, choices=choices("bed_type"))
    application_url = models.URLField(max_length=500, blank=True)
    room_size = models.PositiveIntegerField(null=True, blank=True)
    room_size_unit = models.CharField(max_length=4, choices=choices("size_unit"), default="m2")
    gender = models.CharField(max_length=10, blank=True, choices=choices("gender"))
    bathroom_type = models.CharField(max_length=10, blank=True, choices=choices("bathroom_type"))
    available_at = models.DateField(null=True, blank=True)
    amenities = models.ManyToManyField(Amenity, blank=True, related_name="room_types")
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
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "original_id"],
                condition=~models.Q(original_id=""),
                name="listings_room_type_unique_original_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.listing} — {self.name}"

    def month_price(self, month: int) -> Decimal:
        """The monthly price for ``month`` (1–12): its override, else the base price."""
        override = getattr(self, MONTH_PRICE_FIELDS[month - 1])
        return self.base_price if override is None else override


class Room(models.Model):
    """One physical room (unit) of a room type; ``original_id`` is the feed's ``rooms[].id``.

    A room type's ``amount`` follows its active rooms when the feed lists rooms."""

    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE, related_name="rooms")
    original_id = models.CharField(max_length=100, blank=True, help_text="The room's id in the host's feed.")
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    ical_url = models.URLField(max_length=500, blank=True, help_text="The host's availability calendar.")

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["room_type", "original_id"],
                condition=~models.Q(original_id=""),
                name="listings_room_unique_original_id",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Photo(models.Model):
    """A photo of a listing (``property`` or ``community``) or of one of its room types (``room``)."""

    class Kind(models.TextChoices):
        PROPERTY = "property"
        COMMUNITY = "community"
        ROOM = "room"

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="photos")
    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE, null=True, blank=True, related_name="photos")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["listing", "kind"])]

    def __str__(self) -> str:
        return self.url


class FaqEntry(models.Model):
    """One question and its answer, in the order the host gave them."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="faq")
    position = models.PositiveIntegerField(default=0)
    question = models.TextField()
    answer = models.TextField()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ"

    def __str__(self) -> str:
        return self.question[:80]


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
    # Set through /v2/sandbox/…: a link of the owner's sandbox, never seen or matched live.
    is_sandbox = models.BooleanField(default=False, editable=False)
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
            models.UniqueConstraint(
                fields=["provider", "owner", "is_sandbox"], name="listings_provider_link_one_per_owner"
            ),
            models.UniqueConstraint(
                fields=["provider", "key_digest"],
                condition=models.Q(is_sandbox=False),
                name="listings_provider_link_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} ····{self.key_last4} ({self.owner})"


# --- pulled feeds -----------------------------------------------------------------------------


class HostFeed(models.Model):
    """A host's JSON feed that the platform pulls on a schedule (``listings/feed/pull.py``).

    Every ``interval_minutes`` the scheduler's dispatch claims it (``next_run_at``), a
    ``FeedRun`` fetches ``url`` through the outbound guard with the validators of the last
    answer (``etag``, ``last_modified``: an unchanged feed is a 304 and imports nothing),
    imports it as ``host``'s listings, and de-lists the listings it imported before and no
    longer sends."""

    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="host_feeds")
    url = models.URLField(max_length=500, help_text="http(s) URL of the JSON feed (a listing, or a list of them).")
    is_active = models.BooleanField(default=True)
    interval_minutes = models.PositiveIntegerField(
        default=24 * 60, validators=[MinValueValidator(5)], help_text="Minutes between two pulls (daily: 1440)."
    )
    next_run_at = models.DateTimeField(null=True, blank=True, help_text="Empty: due now.")
    etag = models.CharField(max_length=500, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["host", "url"], name="listings_host_feed_unique_url")]

    def __str__(self) -> str:
        return self.url


class FeedRun(models.Model):
    """One pull of a ``HostFeed``: what the fetch answered, the import's counts and each
    listing's errors. Created ``pending`` by the dispatch or the admin's "run now"; the task
    that executes it first moves it to ``running`` (so a task delivered twice runs it once)."""

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        SUCCEEDED = "succeeded", "Imported"
        NOT_MODIFIED = "not_modified", "Not modified (304)"
        FAILED = "failed"

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule"
        MANUAL = "manual", "Run now"

    feed = models.ForeignKey(HostFeed, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    trigger = models.CharField(max_length=8, choices=Trigger.choices, default=Trigger.SCHEDULE)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    bytes = models.PositiveIntegerField(default=0)
    listings = models.PositiveIntegerField(default=0, help_text="Listings in the feed.")
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    delisted = models.PositiveIntegerField(default=0)
    relisted = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, help_text="Why the feed itself could not be fetched or read.")
    listing_errors = models.JSONField(
        default=list, blank=True, help_text="Per listing: index, original_id, listing id, errors and warnings."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["feed", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.feed} @ {self.created_at:%Y-%m-%d %H:%M}: {self.status}"


# --- iCal -------------------------------------------------------------------------------------


class RoomCalendar(models.Model):
    """The sync state of a room's availability calendar (``Room.ical_url``): when it is next
    due, the validators of the last answer, what the last fetch found."""

    room = models.OneToOneField(Room, on_delete=models.CASCADE, related_name="calendar")
    next_fetch_at = models.DateTimeField(null=True, blank=True, help_text="Empty: due now.")
    fetched_at = models.DateTimeField(null=True, blank=True)
    url = models.URLField(max_length=500, blank=True, help_text="The URL the validators and blocks came from.")
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    events = models.PositiveIntegerField(default=0, help_text="Events that blocked nights at the last fetch.")
    blocked_nights = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.room}: {self.url or '(no calendar)'}"


class RoomNightBlock(models.Model):
    """A night a room cannot be sold because its host's calendar (``source_url``) says so.

    Written only by ``listings.inventory.room_blocks_apply``, which recomputes the room
    type's nights from them in the same transaction."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="blocks")
    date = models.DateField()
    source_url = models.URLField(max_length=500)

    class Meta:
        ordering = ["room", "date"]
        constraints = [models.UniqueConstraint(fields=["room", "date"], name="listings_room_block_unique")]

    def __str__(self) -> str:
        return f"{self.room} {self.date}"


class BookingConflict(models.Model):
    """A booking made here that a host calendar later blocked under: its nights now need more
    units than the room type has unblocked. Kept for staff (never dropped, never cancelled
    automatically); one open conflict per booking, its ``nights`` growing as more collide."""

    booking = models.ForeignKey("bookings.Booking", on_delete=models.CASCADE, related_name="ical_conflicts")
    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE, related_name="booking_conflicts")
    nights = models.JSONField(default=list, help_text="ISO dates of the nights over capacity.")
    source_url = models.URLField(max_length=500, blank=True, help_text="The calendar whose blocks collided.")
    detected_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-detected_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking"], condition=models.Q(resolved_at__isnull=True), name="listings_conflict_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"Booking {self.booking_id}: {len(self.nights)} night(s) over capacity"


# --- scheduler --------------------------------------------------------------------------------


class ScheduledRun(models.Model):
    """One slot of one periodic job, enqueued once (``listings/scheduler.py``): the unique
    ``(job, slot)`` row is inserted in the same transaction as the task, so two schedulers
    racing for a slot enqueue it once."""

    job = models.CharField(max_length=100)
    slot = models.DateTimeField()
    enqueued_at = models.DateTimeField(auto_now_add=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-slot"]
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="listings_scheduled_run_unique")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"

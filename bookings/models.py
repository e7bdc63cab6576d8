"""Stay bookings (coliving) and the messages exchanged on them.

A ``Booking`` takes one unit of its room type on every night of its stay (see
``services.booking_create`` and DESIGN.md, "Inventory and bookings"), keeps a snapshot of
the price it was sold at, and carries a ``version`` that changes on every modification in
an order a poller can rely on (see ``versions.py``). Specs:
``shared/spec/coliving-partner-api.txt`` (create) and
``shared/spec/coliving-integrations-api.txt`` (the bookings feed and detail).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from bookings.querysets import BookingQuerySet

# Resource bookings (Cobot-compatible) and their webhooks live in bookings/resources/.
from bookings.resources.models import ResourceBooking, WebhookDelivery, WebhookSubscription  # noqa: F401


class Booking(models.Model):
    """A guest's stay in one room type of a listing, from check-in to check-out (nights in between).

    ``reference`` (``CO-1002``) is what people quote; ``change_seq`` orders changes for the
    integrations feed — unique and in commit order within each tenant's feed, not across
    unrelated tenants — and ``changed_at`` is the matching (monotonic) change time; together
    they make ``version``.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        CONFIRMED = "confirmed"
        DECLINED = "declined"
        CANCELLED = "cancelled"

    class Source(models.TextChoices):
        PARTNER = "partner"
        INTEGRATION = "integration"
        ADMIN = "admin"

    # Statuses that hold inventory; leaving them gives the nights back.
    HOLDING = (Status.PENDING, Status.CONFIRMED)

    reference = models.CharField(max_length=20, unique=True, null=True, blank=True, editable=False)
    guest = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings")
    listing = models.ForeignKey("listings.Listing", on_delete=models.PROTECT, related_name="bookings")
    room_type = models.ForeignKey("listings.RoomType", on_delete=models.PROTECT, related_name="bookings")
    checkin = models.DateField()
    checkout = models.DateField()
    guests = models.PositiveSmallIntegerField(default=1)
    message = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.PARTNER)
    api_key = models.ForeignKey(
        "apikeys.ApiKey", on_delete=models.SET_NULL, null=True, blank=True, related_name="bookings"
    )
    provider = models.ForeignKey(
        "apikeys.Provider", on_delete=models.SET_NULL, null=True, blank=True, related_name="bookings"
    )
    currency = models.CharField(max_length=3)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    price_breakdown = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    change_seq = models.BigIntegerField(db_index=True, editable=False)
    changed_at = models.DateTimeField(db_index=True, editable=False)
    # A booking of a sandbox room type (``/v2/sandbox/…``, bookings/sandbox.py): seen only by
    # sandbox requests, in the sandbox feed. Always its listing's ``is_sandbox``.
    is_sandbox = models.BooleanField(default=False, editable=False)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(checkout__gt=models.F("checkin")), name="bookings_checkout_after_checkin"
            ),
            models.CheckConstraint(condition=models.Q(guests__gte=1), name="bookings_guests_gte_1"),
        ]
        indexes = [
            models.Index(fields=["listing", "checkin"]),
            # The feed: a tenant's changes after its cursor, listing by listing (querysets.in_change_order).
            models.Index(fields=["listing", "change_seq"], name="bookings_listing_change_idx"),
        ]

    def __str__(self) -> str:
        return self.reference or f"Booking {self.pk}"

    @property
    def nights(self) -> int:
        return (self.checkout - self.checkin).days

    @property
    def version(self) -> str:
        from bookings.versions import format_version

        return format_version(self.changed_at)

    @property
    def holds_inventory(self) -> bool:
        return self.status in self.HOLDING


class BookingMessage(models.Model):
    """A message on a booking (guest ↔ host), sent through the partner API or the admin."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["booking", "sender", "created_at"])]

    def __str__(self) -> str:
        return f"{self.booking}: {self.body[:40]}"


class BookingFeedCounter(models.Model):
    """The change counter of one feed tenant (a host, or a user granted listings): every
    change of a booking bumps the counters of its listing's host and grantees, and takes
    their highest value as its ``change_seq`` (see ``versions.py``).

    Its row lock, held from the bump to the commit, is what makes change order = commit
    order within the tenant's feed; tenants that share no listing never share a row.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+")
    seq = models.BigIntegerField()
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"change #{self.seq} of user {self.user_id}"


class SandboxDataSetQuerySet(models.QuerySet):
    def ensure(self, owner) -> None:
        """Seed ``owner``'s sandbox unless it exists (``bookings.sandbox.sandbox_ensure``)."""
        from bookings.sandbox import sandbox_ensure

        sandbox_ensure(owner=owner)


class SandboxDataSet(models.Model):
    """An API key owner's sandbox data set: the listings, room types, users and bookings that
    ``/v2/sandbox/…`` serves (their ``is_sandbox`` rows hosted or created by ``owner``).

    Seeded on the owner's first sandbox request (``bookings/sandbox.py``), from the owner's
    live listings' shape or, without any, from demo data; staff reset it from the admin.
    The row is also the seed's lock: one per owner, inserted in the seed's transaction.
    """

    class Source(models.TextChoices):
        LIVE = "live", "Copies of the owner's live listings"
        DEMO = "demo", "Demo listings"

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sandbox_data_set")
    source = models.CharField(max_length=4, choices=Source.choices, blank=True)
    seeded_at = models.DateTimeField(null=True, blank=True, help_text="When it was last seeded (or reset).")

    objects = SandboxDataSetQuerySet.as_manager()

    class Meta:
        verbose_name = "sandbox data set"

    def __str__(self) -> str:
        return f"Sandbox of {self.owner}"

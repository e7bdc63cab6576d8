"""Resource bookings (``ResourceBooking``) and the booking webhooks: subscriptions per space and
the outbox of deliveries (``WebhookSubscription``, ``WebhookDelivery``).

Times are stored in UTC as a half-open interval ``[start, end)`` (Cobot's ``from``/``to``);
two bookings that only touch do not overlap. A resource with ``units`` copies never has
more than ``units`` of them in use at one moment: ``services.py`` checks the peak of the
overlapping bookings under a lock on the resource's row, and on PostgreSQL an exclusion
constraint backs that up for bookings that take every unit of their resource (every
booking of a one-unit room): two of those can never overlap.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.db import DEFAULT_DB_ALIAS, connections, models

from bookings.resources.querysets import ResourceBookingQuerySet


class TsTzRange(models.Func):
    """``TSTZRANGE(start, end, '[)')``: a booking's time as a PostgreSQL range."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PostgresExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint on PostgreSQL, and nothing on other databases.

    SQLite (the embedded default for ``make run``) has no exclusion constraints; there the
    lock-and-check of the services is the only guard, as it is the first one everywhere. The
    migration is the same for both, so ``makemigrations --check`` agrees on either.
    """

    def constraint_sql(self, model, schema_editor):
        return super().constraint_sql(model, schema_editor) if _postgres(schema_editor.connection) else None

    def create_sql(self, model, schema_editor):
        return super().create_sql(model, schema_editor) if _postgres(schema_editor.connection) else None

    def remove_sql(self, model, schema_editor):
        return super().remove_sql(model, schema_editor) if _postgres(schema_editor.connection) else None

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        if _postgres(connections[using]):
            super().validate(model, instance, exclude=exclude, using=using)


def _postgres(connection) -> bool:
    return connection.vendor == "postgresql"


class ResourceBooking(models.Model):
    """A member's booking of ``units`` copies of a resource from ``start`` to ``end`` (UTC).

    The price is ``price_per_hour × hours × units`` of the resource at booking time unless
    an admin set it (``has_custom_price``); currency, tax rate and accounting code are the
    resource's, copied. A booking made by an ``event`` is that event's: the API can neither
    change nor delete it (409). ``exclusive`` records that it took every unit of its resource
    when it was last written — what the exclusion constraint keys on.
    """

    resource = models.ForeignKey("jobs.Resource", on_delete=models.PROTECT, related_name="bookings")
    membership = models.ForeignKey(
        "jobs.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="bookings"
    )
    start = models.DateTimeField(help_text="From (UTC).")
    end = models.DateTimeField(help_text="To (UTC), not included.")
    title = models.CharField(max_length=200, blank=True)
    comments = models.TextField(blank=True, help_text="Seen by the booking's member and the space's admins only.")
    units = models.PositiveIntegerField(default=1)
    price = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    has_custom_price = models.BooleanField(default=False)
    currency = models.CharField(max_length=3)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    accounting_code = models.CharField(max_length=50, blank=True)
    event = models.ForeignKey("jobs.Event", on_delete=models.PROTECT, null=True, blank=True, related_name="bookings")
    invoiced_at = models.DateTimeField(null=True, blank=True)
    exclusive = models.BooleanField(default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResourceBookingQuerySet.as_manager()

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="bookings_resource_ends_after_start"
            ),
            models.CheckConstraint(condition=models.Q(units__gte=1), name="bookings_resource_units_min"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="bookings_resource_price_not_negative"),
            PostgresExclusionConstraint(
                name="bookings_resource_exclusive_no_overlap",
                expressions=[
                    ("resource", RangeOperators.EQUAL),
                    (TsTzRange("start", "end", RangeBoundary()), RangeOperators.OVERLAPS),
                ],
                condition=models.Q(exclusive=True),
                violation_error_message="The resource is already booked at this time.",
            ),
        ]
        indexes = [
            models.Index(fields=["resource", "start", "end"], name="bookings_resource_when"),
            models.Index(fields=["start", "end"], name="bookings_resource_start_end"),
            models.Index(fields=["membership", "start"], name="bookings_resource_member"),
        ]

    def __str__(self) -> str:
        return f"{self.resource.name}: {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M} UTC"

    @property
    def is_event_booking(self) -> bool:
        return self.event_id is not None


class WebhookEvent(models.TextChoices):
    CREATED_BOOKING = "created_booking", "created_booking"
    UPDATED_BOOKING = "updated_booking", "updated_booking"
    DELETED_BOOKING = "deleted_booking", "deleted_booking"


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookSubscription(models.Model):
    """A URL of a space's that is sent the space's booking events, signed with ``secret``.

    Managed by staff in the admin. Deactivated by the platform when the endpoint answers
    410 Gone (``deactivated_at`` and the reason say so); staff may switch it on again.
    """

    space = models.ForeignKey("jobs.Space", on_delete=models.CASCADE, related_name="webhook_subscriptions")
    url = models.URLField(max_length=1000)
    events = models.JSONField(default=list, help_text="created_booking, updated_booking, deleted_booking")
    secret = models.CharField(
        max_length=100,
        default=new_webhook_secret,
        help_text="Signs every delivery (HMAC-SHA256); share it with the receiver.",
    )
    is_active = models.BooleanField(default=True)
    deactivated_at = models.DateTimeField(null=True, blank=True, editable=False)
    deactivation_reason = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["space", "id"]
        indexes = [models.Index(fields=["space", "is_active"], name="bookings_webhook_space_active")]

    def __str__(self) -> str:
        return f"{self.space}: {self.url}"


class WebhookDelivery(models.Model):
    """The outbox: one event for one subscription, written in the transaction of the booking
    change it describes and sent afterwards by a task (``webhooks.py``). ``uuid`` is sent with
    every try so the receiver can drop duplicates."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=30, choices=WebhookEvent.choices)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(delivered_at__isnull=True),
                name="bookings_webhook_undelivered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk}"

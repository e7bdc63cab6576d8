"""Serializers of the Cobot-compatible endpoints (``shared/spec/cobot-bookings-api.txt``).

Input serializers parse query strings and bodies (JSON or form-encoded) and map the wire's
names to the services' (``from`` → ``start``, ``membership_id`` → ``membership``), so a
domain error raised on ``start`` is reported under ``from``. Output serializers only
document what ``bookings/resources/selectors.py`` renders; a test keeps the two equal.

``from`` is a Python keyword, so the serializers that carry ``from``/``to`` add them in
``get_fields()`` rather than as class attributes.
"""

from __future__ import annotations

from datetime import UTC

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from bookings.resources.times import format_time, parse_time
from coliving.api.converters import MAX_ID

TIME_HELP = (
    "`2012-04-12 12:00 +0000` (the day may be unpadded), `2012/04/12 12:00:00 +0000`, ISO 8601 "
    "(`2012-04-12T12:00:00Z`) or a date alone (its midnight). Without an offset: the space's local time."
)


@extend_schema_field({"type": "string", "example": "2012-04-12 12:00 +0000", "description": TIME_HELP})
class CobotTimeField(serializers.Field):
    """A time in any of Cobot's accepted forms (``times.parse_time``), as an aware UTC datetime;
    read without an offset in ``context["timezone"]`` (the space's)."""

    default_error_messages = {
        "invalid": "is not a valid time (e.g. 2012-04-12 12:00 +0000)",
        "required": "can't be blank",
        "null": "can't be blank",
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            return parse_time(data, self.context.get("timezone", UTC)).astimezone(UTC)
        except (ValueError, OverflowError):  # OverflowError: year 1 or 9999 moved past the range to UTC
            self.fail("invalid")

    def to_representation(self, value):
        return format_time(value)


@extend_schema_field(OpenApiTypes.STR)
class ObjectIdField(serializers.Field):
    """An id sent as a string (as Cobot's are) or a number; the view looks the object up."""

    default_error_messages = {"invalid": "is not a valid id"}

    def to_internal_value(self, data):
        text = str(data).strip() if isinstance(data, (str, int)) and not isinstance(data, bool) else ""
        if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_ID:
            self.fail("invalid")
        return int(text)

    def to_representation(self, value):
        return str(value)


class FromToMixin:
    """``from`` and ``to`` (``start``/``end`` to the services), first in the field order."""

    from_to_required = True

    def get_fields(self):
        fields = super().get_fields()
        required = self.from_to_required
        return {
            "from": CobotTimeField(source="start", required=required, help_text="Start. " + TIME_HELP),
            "to": CobotTimeField(source="end", required=required, help_text="End (not included). " + TIME_HELP),
            **fields,
        }


# --- query strings -----------------------------------------------------------------------------


class BookingWindowSerializer(FromToMixin, serializers.Serializer):
    """``?from=&to=``: the bookings overlapping ``[from, to)`` (``booking.from < to`` and ``booking.to > from``)."""

    def validate(self, attrs):
        if attrs["start"] >= attrs["end"]:
            raise serializers.ValidationError({"to": ["must be after from"]})
        return attrs


class BookingListParamsSerializer(BookingWindowSerializer):
    limit = serializers.IntegerField(
        min_value=1, max_value=100_000, required=False, help_text="At most this many bookings (the earliest)."
    )


# --- bodies ------------------------------------------------------------------------------------


class ResourceBookingWriteSerializer(FromToMixin, serializers.Serializer):
    """The body of ``POST /api/resources/:id/bookings``, JSON or form-encoded."""

    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    comments = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    units = serializers.IntegerField(
        default=1,
        max_value=2**31 - 1,
        help_text="Units of the resource to book (1 to the resource's `units`); the price is multiplied by it.",
    )
    membership_id = ObjectIdField(
        source="membership",
        required=False,
        allow_null=True,
        help_text="Book for this member of the space (admins only; default: the key's own membership).",
    )
    price = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        coerce_to_string=False,
        required=False,
        allow_null=True,
        help_text="Admins only: the price instead of the computed one (`has_custom_price: true`).",
    )
    validate_times_for_admin = serializers.BooleanField(
        default=False,
        help_text="Admins: check booking times, min/max duration and not-in-the-past as for members.",
    )
    has_custom_price = serializers.BooleanField(
        required=False, help_text="Ignored: a booking has a custom price when an admin sends `price`."
    )


class ResourceBookingUpdateSerializer(ResourceBookingWriteSerializer):
    """The body of ``PUT /api/bookings/:id``: the fields to change (any subset)."""

    from_to_required = False

    def get_fields(self):
        # What is not sent stays as it is: no field is required and none has a default.
        fields = super().get_fields()
        for field in fields.values():
            field.required, field.default = False, empty
        return fields

    resource_id = ObjectIdField(source="resource", required=False, help_text="Move the booking to this resource.")


# --- responses (documentation of selectors.booking_item / resource_items) ----------------------


class ResourceRefSerializer(serializers.Serializer):
    name = serializers.CharField()
    id = serializers.CharField()


class MembershipRefSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()


class EventRefSerializer(serializers.Serializer):
    id = serializers.CharField()


class ResourceBookingSerializer(FromToMixin, serializers.Serializer):
    tax_rate = serializers.CharField(allow_null=True, help_text='Percent, e.g. "20.0".')
    title = serializers.CharField()
    resource = ResourceRefSerializer()
    price = serializers.FloatField()
    has_custom_price = serializers.BooleanField()
    currency = serializers.CharField()
    accounting_code = serializers.CharField(allow_null=True)
    membership = MembershipRefSerializer(
        allow_null=True,
        required=False,
        help_text="Who booked; absent from the space's calendars (`/bookings`, `/resources/:id/bookings`).",
    )
    url = serializers.URLField(help_text="The booking's URL: PUT and DELETE it.")
    id = serializers.CharField()
    can_change = serializers.BooleanField(help_text="Whether the requester may change or delete this booking.")
    event = EventRefSerializer(required=False, help_text="Only when the booking belongs to an event.")
    comments = serializers.CharField(
        allow_null=True, help_text="Members see only their own bookings' comments (null on others'); admins all."
    )
    units = serializers.IntegerField()
    created_at = serializers.CharField(help_text="`2012/01/01 10:00:00 +0000`")
    updated_at = serializers.CharField(help_text="`2012/01/01 10:30:00 +0000`")


class BookingTimeSerializer(serializers.Serializer):
    # "from" is a keyword: see FromToMixin.
    def get_fields(self):
        return {
            "from": serializers.CharField(help_text="HH:MM, the space's local time."),
            "to": serializers.CharField(help_text="HH:MM; 24:00 is the end of the day."),
            "weekdays": serializers.ListField(
                child=serializers.IntegerField(min_value=1, max_value=7),
                help_text="1 = Monday … 7 = Sunday; empty: every day.",
            ),
        }


class ResourceSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    price_per_hour = serializers.CharField(help_text='e.g. "10.0"')
    tax_rate = serializers.CharField(allow_null=True)
    currency = serializers.CharField()
    hidden = serializers.BooleanField()
    capacity = serializers.IntegerField(allow_null=True, help_text="People; does not limit availability.")
    units = serializers.IntegerField(help_text="Identical copies: 10 desks = 10 simultaneous bookings.")
    cancellation_period = serializers.IntegerField(
        help_text="Hours before the start after which members may no longer change or delete their booking."
    )
    can_book = serializers.BooleanField(help_text="Whether the requester may book it (false: a booking is 403).")
    color = serializers.CharField(allow_null=True)
    photo = serializers.URLField(allow_null=True)
    min_booking_duration = serializers.IntegerField(allow_null=True, help_text="Minutes (members).")
    max_booking_duration = serializers.IntegerField(allow_null=True, help_text="Minutes (members).")
    booking_url = serializers.URLField(help_text="POST bookings here.")
    booking_times = BookingTimeSerializer(many=True, help_text="Empty: any time.")

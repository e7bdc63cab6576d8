"""Input and output shapes of the booking endpoints (partner API and integrations feed)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bookings.models import Booking
from bookings.versions import SINCE_PATTERN, Cursor, format_version, parse_since
from coliving.api.converters import MAX_ID
from coliving.api.fields import StrictCharField
from coliving.api.filters import QueryParamsSerializer
from coliving.api.timestamps import TimestampField

VERSION_HELP = (
    "`YYYY-MM-DD HH:MM:SS` (UTC), the time of the booking's last change. Changes on every modification: a "
    "booking's next version is at least one second after its previous one. Versions never go backwards in change "
    "order, so they compare as strings (changes in the same second share one)."
)
BREAKDOWN_HELP = (
    "How the total was computed (snapshot at booking time): `nights`; `rent`, one line per calendar month "
    "(`month`, `nights`, `days_in_month`, `month_price`, `amount` = month_price × nights / days_in_month); "
    "`rent_total`; `long_stay_discount` (`min_nights` 90/180/360, `percent`, negative `amount`) or null; "
    "`fees`, the listing's mandatory fees (`name`, `type`, `frequency`, `rate`, `quantity`, `amount`: fixed once "
    "→ once, fixed monthly → × ceil(nights / 30), percent → of the discounted rent); `fees_total`; `deposit` "
    "(shown separately, not included in the total) or null; `total`."
)
PRICING_HELP = (
    "A night costs its month's price divided by the days of that month; stays of at least 90/180/360 nights get "
    "the room type's long-stay discount (the largest that applies) on the rent; mandatory fees are added; the "
    "deposit is not part of the total. Every line is rounded to cents, half up."
)


class BookingStatusField(serializers.ChoiceField):
    """A booking's status: the named component ``BookingStatusEnum`` (ENUM_NAME_OVERRIDES)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "`pending` (waiting for the host) → `confirmed` or `declined`; `cancelled`.")
        super().__init__(choices=Booking.Status.choices, **kwargs)


class BookingCreateSerializer(serializers.Serializer):
    user_id = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="A user your key created.")
    listing_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    room_type_id = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="A room type of the listing.")
    # ``source``: the names the booking service uses (``checkin``, ``checkout``), so its
    # errors about them are rendered under these fields' names.
    checkin_at = serializers.DateField(
        source="checkin", input_formats=["%Y-%m-%d"], help_text="First night, YYYY-MM-DD."
    )
    checkout_at = serializers.DateField(
        source="checkout", input_formats=["%Y-%m-%d"], help_text="Departure day, YYYY-MM-DD."
    )
    guests = serializers.IntegerField(min_value=1, max_value=100)
    message = StrictCharField(required=False, allow_blank=True, default="", max_length=5000)

    def validate(self, attrs):
        if attrs["checkout"] <= attrs["checkin"]:
            raise serializers.ValidationError({"checkout_at": ["Check-out must be after check-in."]})
        return attrs


class PricingSerializer(serializers.Serializer):
    currency = serializers.CharField(help_text="ISO 4217")
    total = serializers.FloatField(help_text="Rent after the long-stay discount, plus mandatory fees.")
    breakdown = serializers.JSONField(source="price_breakdown", help_text=BREAKDOWN_HELP)

    class Meta:
        ref_name = "BookingPricing"


class BookingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(help_text="e.g. CO-1002")
    status = BookingStatusField()
    user_id = serializers.IntegerField(source="guest_id")
    listing_id = serializers.IntegerField()
    room_type_id = serializers.IntegerField()
    checkin_at = serializers.DateField(source="checkin")
    checkout_at = serializers.DateField(source="checkout")
    guests = serializers.IntegerField()
    message = serializers.CharField()
    pricing = PricingSerializer(source="*", help_text=PRICING_HELP)
    version = serializers.CharField(help_text=VERSION_HELP)
    created_at = TimestampField()
    updated_at = TimestampField()


class BookingMessageCreateSerializer(serializers.Serializer):
    message = StrictCharField(max_length=5000, trim_whitespace=True)


class BookingMessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    booking_id = serializers.IntegerField()
    sender_id = serializers.IntegerField()
    message = serializers.CharField(source="body")
    created_at = TimestampField()


# --- Integrations: the bookings feed and the booking detail -------------------------------


class SinceField(StrictCharField):
    def schema_rules(self) -> dict:
        return {"pattern": SINCE_PATTERN}


class FeedParamsSerializer(QueryParamsSerializer):
    since = SinceField(
        required=False,
        max_length=40,
        help_text="The `next_since` of your last answer: only the changes after it, none ever skipped. Or a "
        "time `YYYY-MM-DD HH:MM:SS` (UTC), e.g. the latest `version` you hold: the changes whose version is at or "
        "after it (never misses one either, but that second's changes come again: when they outnumber `limit`, "
        "follow `next_since`). Omitted: from the beginning.",
    )
    listing_id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    status = BookingStatusField(required=False)
    limit = serializers.IntegerField(required=False, default=100, min_value=1, max_value=500)

    def validate_since(self, value: str) -> Cursor:
        try:
            return parse_since(value)
        except ValueError:
            raise serializers.ValidationError(
                "Expected the next_since of an earlier answer or a time YYYY-MM-DD HH:MM:SS."
            ) from None


class FeedBookingSerializer(serializers.Serializer):
    booking_id = serializers.IntegerField()
    listing_id = serializers.IntegerField()
    room_type_id = serializers.IntegerField()
    status = BookingStatusField()
    version = serializers.CharField(help_text=VERSION_HELP)


class FeedSerializer(serializers.Serializer):
    Bookings = FeedBookingSerializer(many=True, help_text="Changed bookings, oldest change first.")
    next_since = serializers.CharField(
        allow_null=True,
        help_text="Pass as `since` next time (an opaque cursor: keep it as is): after the last change returned. "
        "Your `since` when nothing changed; null when nothing ever did.",
    )


def feed_item(row: dict) -> dict:
    return {
        "booking_id": row["id"],
        "listing_id": row["listing_id"],
        "room_type_id": row["room_type_id"],
        "status": row["status"],
        "version": format_version(row["changed_at"]),
    }


class GuestSerializer(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.EmailField()
    phone = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_phone(self, user) -> str | None:
        return getattr(user, "phone", None) or None


class IntegrationPricingSerializer(serializers.Serializer):
    total = serializers.FloatField()
    currency = serializers.CharField()
    breakdown = serializers.JSONField(source="price_breakdown", help_text=BREAKDOWN_HELP)


class IntegrationBookingSerializer(serializers.Serializer):
    booking_id = serializers.IntegerField(source="id")
    reference = serializers.CharField()
    status = BookingStatusField()
    listing_id = serializers.IntegerField()
    listing_name = serializers.CharField(source="listing.name")
    room_type_id = serializers.IntegerField()
    room_type_name = serializers.CharField(source="room_type.name")
    checkin_at = serializers.DateField(source="checkin")
    checkout_at = serializers.DateField(source="checkout")
    guests = serializers.IntegerField()
    guest = GuestSerializer()
    pricing = IntegrationPricingSerializer(source="*", help_text=PRICING_HELP)
    message = serializers.CharField()
    created_at = TimestampField()
    updated_at = TimestampField()
    version = serializers.CharField(help_text=VERSION_HELP)


class BookingMessageOutSerializer(BookingMessageSerializer):
    duplicate = serializers.BooleanField(
        help_text="True when the same text from the same sender was already stored in the last 60 s."
    )


class IntegrationBookingDetailSerializer(serializers.Serializer):
    """``data`` of the integrations booking detail: ``{"Booking": …}`` (capital B, as documented)."""

    Booking = IntegrationBookingSerializer()

"""Input and output serializers of the listings endpoints (Partner API "List Listings",
Integrations API "List Room Types", "Update Availability", "Update Rates", provider key).

Input serializers check shape, types and the limits that need no database (batch size,
date window, price bounds, currency); the services check ownership and room types.
Output serializers describe the responses for the OpenAPI document; the hot read paths
build their rows from ``.values()`` (see ``listings/querysets.py``) and a test keeps the
two in step.
"""

from __future__ import annotations

import re
from datetime import timedelta

from rest_framework import serializers
from rest_framework.settings import api_settings

from coliving.api.converters import MAX_ID
from coliving.api.fields import StrictCharField
from listings import limits
from listings.currencies import currency_pattern, normalise_currency
from listings.feed.enums import choices
from listings.models import Listing

MAX_AVAILABLE = 2**31 - 1
# An id as a string: what the integrations document's examples send ("5325"); up to 18 digits,
# so that every such string is an id (at most 10^18 - 1 < 2^63 - 1) and the schema can say so.
ID_TEXT = r"^[1-9][0-9]{0,17}$"
_DIGITS = re.compile(ID_TEXT)
MONEY_TEXT = r"^[0-9]{1,10}(?:\.[0-9]{1,2})?$"


class IdField(serializers.IntegerField):
    """An id sent as an integer or as a string of digits (``5325`` or ``"5325"``); ``5325.0`` is an
    integer too (JSON Schema's ``integer`` includes it)."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, float) and data.is_integer():
            data = int(data)
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            self.fail("invalid")
        if isinstance(data, str) and not _DIGITS.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)

    def schema_rules(self) -> dict:
        # The documents send ids as strings; a number keeps its minimum and maximum.
        return {"type": ["integer", "string"], "pattern": ID_TEXT, "format": None}


class StrictIntegerField(serializers.IntegerField):
    """An integer as a JSON number or a string of digits; not ``true``, not ``3.5``."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or isinstance(data, float) and not data.is_integer():
            self.fail("invalid")
        return super().to_internal_value(data)


class CurrencyField(StrictCharField):
    """An ISO 4217 code of a currency in circulation, any case; stored upper case."""

    default_error_messages = {"unknown": "Must be an ISO 4217 currency code, e.g. EUR."}

    def to_internal_value(self, data) -> str:
        code = normalise_currency(super().to_internal_value(data))
        if code is None:
            self.fail("unknown")
        return code

    def schema_rules(self) -> dict:
        # A pattern, not an enum: the codes are taken in any case, and partners send both.
        return {"pattern": currency_pattern()}


# --- GET /v2/listings -----------------------------------------------------------------------


class RoomTypeSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ListingSerializer(serializers.Serializer):
    """A listing the key's owner hosts or was granted, with its room types."""

    # Documents the rows of ``Listing.objects.summaries()`` + ``with_room_types``; a test keeps them in step.

    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=Listing.Status.choices)
    original_id = serializers.CharField(help_text="The listing's id in the host's system; empty when unknown.")
    city = serializers.CharField()
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2; empty when unknown.")
    room_types = RoomTypeSummarySerializer(many=True)


# --- GET /v2/integrations/{provider}/listings/{listing_id}/room-types -------------------------


def _price_field(help_text: str) -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, help_text=f"Monthly price in {help_text}")


class RoomTypePricesSerializer(serializers.Serializer):
    currency = serializers.CharField(help_text="ISO 4217")
    base_price = serializers.FloatField(help_text="Monthly price used for months without their own price.")
    price_jan = _price_field(help_text="January; null: base_price applies.")
    price_feb = _price_field(help_text="February; null: base_price applies.")
    price_mar = _price_field(help_text="March; null: base_price applies.")
    price_apr = _price_field(help_text="April; null: base_price applies.")
    price_may = _price_field(help_text="May; null: base_price applies.")
    price_jun = _price_field(help_text="June; null: base_price applies.")
    price_jul = _price_field(help_text="July; null: base_price applies.")
    price_aug = _price_field(help_text="August; null: base_price applies.")
    price_sep = _price_field(help_text="September; null: base_price applies.")
    price_oct = _price_field(help_text="October; null: base_price applies.")
    price_nov = _price_field(help_text="November; null: base_price applies.")
    price_dec = _price_field(help_text="December; null: base_price applies.")


class RoomTypeSerializer(serializers.Serializer):
    room_type_id = serializers.IntegerField()
    name = serializers.CharField()
    room_type = serializers.ChoiceField(choices=choices("room_type"))
    amount = serializers.IntegerField(help_text="Number of rentable units.")
    prices = RoomTypePricesSerializer()


class RoomTypeListSerializer(serializers.Serializer):
    room_types = RoomTypeSerializer(many=True)


# --- POST /v2/integrations/{provider}/availability -----------------------------------------


def _date_window_errors(value, name: str, *, past_allowed: bool = False) -> None:
    first = limits.today()
    last = first + timedelta(days=limits.MAX_DAYS_AHEAD)
    if value < first and not past_allowed:
        raise serializers.ValidationError(f"The {name} must not be in the past (today is {first.isoformat()}).")
    if value > last:
        raise serializers.ValidationError(
            f"The {name} must be at most {limits.MAX_DAYS_AHEAD} days ahead ({last.isoformat()})."
        )


class AvailabilityItemSerializer(serializers.Serializer):
    listing_id = IdField()
    room_type_id = IdField()
    available = StrictIntegerField(
        min_value=0,
        max_value=MAX_AVAILABLE,
        help_text="Units still sellable on each night of the range; at most the room type's amount.",
    )
    start_date = serializers.DateField(
        input_formats=["%Y-%m-%d"],
        help_text="First night, YYYY-MM-DD. Nights before today (UTC) are skipped and counted in "
        "`skipped_past_nights`.",
    )
    end_date = serializers.DateField(
        input_formats=["%Y-%m-%d"],
        help_text=f"Last night (inclusive), from today (UTC) to {limits.MAX_DAYS_AHEAD} days ahead.",
    )

    def validate_start_date(self, value):
        # A PMS's "today" in its own zone is often UTC's yesterday: past nights are skipped
        # by the service, not refused.
        _date_window_errors(value, "start_date", past_allowed=True)
        return value

    def validate_end_date(self, value):
        if value < limits.today():
            raise serializers.ValidationError(limits.past_range_message(limits.today()))
        _date_window_errors(value, "end_date")
        return value

    def validate(self, attrs) -> limits.AvailabilityItem:
        if attrs["start_date"] > attrs["end_date"]:
            raise serializers.ValidationError({"end_date": ["The end_date must be on or after the start_date."]})
        return limits.AvailabilityItem(**attrs)


class BatchSerializer(serializers.Serializer):
    # ``{"data": [item, …]}``. An error about the list itself (empty, too long, not a list)
    # is reported under ``data``, not ``data.non_field_errors`` where DRF nests it.

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            detail = exc.detail
            if isinstance(detail, dict) and isinstance(detail.get("data"), dict):
                nested = detail["data"]
                if list(nested) == [api_settings.NON_FIELD_ERRORS_KEY]:
                    detail["data"] = nested[api_settings.NON_FIELD_ERRORS_KEY]
            raise


class AvailabilityUpdateSerializer(BatchSerializer):
    # ``source``: what ``availability_update`` calls them, so its errors (``items.3.available``)
    # are rendered as ``data.3.available``.
    data = AvailabilityItemSerializer(many=True, allow_empty=False, max_length=limits.MAX_ITEMS, source="items")


class MessageSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()


class AvailabilityUpdatedSerializer(MessageSerializer):
    skipped_past_nights = serializers.IntegerField(
        min_value=0, help_text="Nights of the items' ranges before today (UTC), left unchanged."
    )


# --- POST /v2/integrations/{provider}/rates -------------------------------------------------


class MoneyField(serializers.DecimalField):
    """A price of at most 10 digits and 2 decimals: a JSON number (the spec's examples), or its
    decimal text (``"999.99"``). ``true``, ``""`` or ``"1e3"`` are refused; the schema says which
    forms are accepted (``pattern`` applies to strings only, ``multipleOf`` to numbers only)."""

    def __init__(self, **kwargs):
        super().__init__(coerce_to_string=False, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, float, str)):
            self.fail("invalid")
        if isinstance(data, str) and not re.fullmatch(MONEY_TEXT, data):
            self.fail("invalid")
        return super().to_internal_value(data)

    def schema_rules(self) -> dict:
        types = ["number", "string", "null"] if self.allow_null else ["number", "string"]
        return {"type": types, "multipleOf": 0.01, "pattern": MONEY_TEXT}


def _money(name: str, **kwargs) -> serializers.DecimalField:
    return MoneyField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        error_messages={"min_value": f"The {name} must be at least 0."},
        **kwargs,
    )


def _month(name: str, month: str) -> serializers.DecimalField:
    return _money(name, allow_null=True, help_text=f"Monthly price in {month}; null clears it (base_price applies).")


class RateItemSerializer(serializers.Serializer):
    listing_id = IdField()
    room_type_id = IdField()
    currency = CurrencyField(
        required=False,
        help_text="ISO 4217 code of a currency in circulation, any case (EUR or eur); stored upper case.",
    )
    base_price = _money("base_price", help_text="Monthly price for months without their own price.")
    price_jan = _month("price_jan", "January")
    price_feb = _month("price_feb", "February")
    price_mar = _month("price_mar", "March")
    price_apr = _month("price_apr", "April")
    price_may = _month("price_may", "May")
    price_jun = _month("price_jun", "June")
    price_jul = _month("price_jul", "July")
    price_aug = _month("price_aug", "August")
    price_sep = _month("price_sep", "September")
    price_oct = _month("price_oct", "October")
    price_nov = _month("price_nov", "November")
    price_dec = _month("price_dec", "December")

    schema_one_of_required = limits.PRICE_FIELDS  # stated in the document (coliving/api/schema.py)

    def validate(self, attrs) -> limits.RateItem:
        if not any(name in attrs for name in self.schema_one_of_required):
            raise serializers.ValidationError(
                {"base_price": ["Send base_price or at least one of price_jan … price_dec."]}
            )
        return limits.RateItem(
            listing_id=attrs["listing_id"],
            room_type_id=attrs["room_type_id"],
            currency=attrs.get("currency"),
            prices={name: attrs[name] for name in limits.PRICE_FIELDS if name in attrs},
        )


class RatesUpdateSerializer(BatchSerializer):
    data = RateItemSerializer(many=True, allow_empty=False, max_length=limits.MAX_ITEMS, source="items")


# --- POST /v2/integrations/{provider}/provider-key ------------------------------------------


class ProviderKeySerializer(serializers.Serializer):
    provider_api_key = StrictCharField(
        max_length=255, help_text="The host's API key at the provider (surrounding spaces are ignored)."
    )


class ProviderKeyLinkSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["created", "updated", "unchanged"])


# --- POST /v2/listings, GET /v2/listings/{id} (the host JSON feed's shape) -----------------


class ListingBatchSerializer(serializers.Serializer):
    """Several listings in one request; each is applied or refused on its own."""

    listings = serializers.ListField(
        child=serializers.DictField(),
        min_length=1,
        max_length=limits.MAX_FEED_LISTINGS,
        help_text=f"1 to {limits.MAX_FEED_LISTINGS} listings, each in the JSON feed shape (ListingFeed).",
    )


class ListingImportItemSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the listing in the request (0 for a single listing).")
    original_id = serializers.CharField(allow_null=True)
    listing_id = serializers.IntegerField(allow_null=True, help_text="The listing on this platform, when known.")
    action = serializers.ChoiceField(choices=["created", "updated", "unchanged", "failed"])
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Why the listing was not applied, keyed by feed path (room_types.0.prices.price_jan).",
    )
    warnings = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Applied anyway: missing recommended fields, unknown fields, staff edits overwritten.",
    )


class ListingImportCountsSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    failed = serializers.IntegerField()


class ListingImportReportSerializer(serializers.Serializer):
    listings = ListingImportItemSerializer(many=True)
    counts = ListingImportCountsSerializer()

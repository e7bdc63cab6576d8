"""What the listings API and services share: the inventory calendar's today, the limits of a
push or a stay, and the items a push is made of.

It imports no service or serializer, so the API's input serializers, the services
(listings and bookings), the admin and background tasks read one definition without
pulling each other in. Tests pin the calendar by replacing ``today`` here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone

from listings.models import MONTH_PRICE_FIELDS

# One horizon for inventory and bookings: nights may be pushed, and stays booked, from
# today to this many days ahead.
MAX_DAYS_AHEAD = 730
# Items in one availability or rates push.
MAX_ITEMS = 5000
# Nights one availability push may write (items × their nights): 200 room types × 730
# nights fits; a request for 1000 × 731 would hold a worker for seconds and much memory.
MAX_NIGHTS = 150_000

# Listings in one POST /v2/listings ({"listings": [...]}).
MAX_FEED_LISTINGS = 100

# The prices a rates push may set.
PRICE_FIELDS = ("base_price", *MONTH_PRICE_FIELDS)


def today() -> date:
    """The inventory calendar's today (UTC, like the rest of the platform)."""
    return timezone.localdate()


def past_range_message(today: date) -> str:
    """Why an availability item whose last night is before ``today`` is refused."""
    return f"The end_date must not be in the past (today is {today.isoformat()}): the whole range is."


@dataclass(frozen=True)
class AvailabilityItem:
    """Set ``available`` units on every night from ``start_date`` to ``end_date`` (inclusive)."""

    listing_id: int
    room_type_id: int
    available: int
    start_date: date
    end_date: date  # inclusive


@dataclass(frozen=True)
class AvailabilityPushed:
    """What an availability push did: nights written, and nights before today left alone."""

    nights: int
    skipped_past_nights: int


@dataclass(frozen=True)
class RateItem:
    """Set the prices sent (``None`` clears a month) and, optionally, the currency of a room type."""

    listing_id: int
    room_type_id: int
    prices: dict[str, Decimal | None] = field(default_factory=dict)  # only the fields sent
    currency: str | None = None

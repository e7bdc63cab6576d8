"""Query filters for ``GET /v2/bookings``."""

from __future__ import annotations

import django_filters

from bookings.models import Booking
from coliving.api.filters import IdFilter, StrictFilterSet


class BookingFilterSet(StrictFilterSet):
    status = django_filters.ChoiceFilter(choices=Booking.Status.choices, help_text="Only bookings in this status.")
    listing_id = IdFilter(field_name="listing_id", help_text="Only bookings of this listing.")
    checkin_from = django_filters.DateFilter(
        field_name="checkin", lookup_expr="gte", help_text="Check-in on or after this date (YYYY-MM-DD)."
    )
    checkin_to = django_filters.DateFilter(
        field_name="checkin",
        lookup_expr="lte",
        help_text="Check-in on or before this date (YYYY-MM-DD); not before checkin_from.",
    )

    ranges = (("checkin_from", "checkin_to"),)

    class Meta:
        model = Booking
        fields = ["status", "listing_id", "checkin_from", "checkin_to"]

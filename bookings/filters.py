"""Query filters for ``GET /v2/bookings``."""

from __future__ import annotations

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from bookings.models import Booking
from coliving.api.converters import MAX_ID


@extend_schema_field(OpenApiTypes.INT64)
class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class BookingFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Booking.Status.choices, help_text="Only bookings in this status.")
    listing_id = IntegerFilter(
        field_name="listing_id", min_value=1, max_value=MAX_ID, help_text="Only bookings of this listing."
    )
    checkin_from = django_filters.DateFilter(
        field_name="checkin", lookup_expr="gte", help_text="Check-in on or after this date (YYYY-MM-DD)."
    )
    checkin_to = django_filters.DateFilter(
        field_name="checkin", lookup_expr="lte", help_text="Check-in on or before this date (YYYY-MM-DD)."
    )

    class Meta:
        model = Booking
        fields = ["status", "listing_id", "checkin_from", "checkin_to"]

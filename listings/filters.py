"""Query parameters of ``GET /v2/listings``."""

from __future__ import annotations

import django_filters

from coliving.api.filters import StrictFilterSet, TextFilter
from listings.models import Listing


class ListingFilterSet(StrictFilterSet):
    status = django_filters.ChoiceFilter(choices=Listing.Status.choices, help_text="Only listings in this status.")
    city = TextFilter(lookup_expr="iexact", help_text="Only listings in this city (any case).")
    country = TextFilter(
        lookup_expr="iexact", help_text="Only listings in this country (ISO 3166-1 alpha-2, any case)."
    )

    class Meta:
        model = Listing
        fields = ["status", "city", "country"]

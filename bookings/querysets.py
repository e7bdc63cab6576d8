"""Reads of bookings: which bookings an API key's owner may see, the change feed order, and
the stays that overlap some nights. Selectors built on them are in ``selectors.py``."""

from __future__ import annotations

from datetime import date

from bookings.intervals import overlap_q
from coliving.api.tenancy import TenantQuerySet


class BookingQuerySet(TenantQuerySet):
    sandbox_lookup = "is_sandbox"

    def for_owner(self, user) -> BookingQuerySet:
        """Bookings on the listings ``user`` hosts or was granted (``Listing.objects.for_owner``)."""
        from listings.models import Listing

        return self.filter(listing__in=Listing.objects.for_owner(user))

    def in_change_order(self) -> BookingQuerySet:
        return self.order_by("change_seq")

    def overlapping(self, start: date, end: date) -> BookingQuerySet:
        """Stays with a night in ``[start, end)`` (a stay checking out on ``start`` has none)."""
        return self.filter(overlap_q(start, end, start_field="checkin", end_field="checkout"))

    def holding(self) -> BookingQuerySet:
        """Bookings that hold their nights (pending or confirmed)."""
        return self.filter(status__in=self.model.HOLDING)

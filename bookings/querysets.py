"""Reads of bookings: which bookings an API key's owner may see, and the change feed order."""

from __future__ import annotations

from django.db import models


class BookingQuerySet(models.QuerySet):
    def for_owner(self, user) -> BookingQuerySet:
        """Bookings on the listings ``user`` hosts or was granted (``Listing.objects.for_owner``)."""
        from listings.models import Listing

        return self.filter(listing__in=Listing.objects.for_owner(user))

    def in_change_order(self) -> BookingQuerySet:
        return self.order_by("change_seq")

"""Reads of resource bookings with tenancy built in: a booking belongs to its resource's space."""

from __future__ import annotations

from datetime import datetime

from bookings.intervals import overlap_q
from coliving.api.tenancy import TenantQuerySet


class ResourceBookingQuerySet(TenantQuerySet):
    space_lookup = "resource__space_id"

    def overlapping(self, start: datetime, end: datetime) -> ResourceBookingQuerySet:
        """Bookings with a moment in ``[start, end)``: ``booking.from < end and booking.to > start``."""
        return self.filter(overlap_q(start, end))

    def of_membership(self, membership) -> ResourceBookingQuerySet:
        return self.filter(membership=membership)

    def not_invoiced(self) -> ResourceBookingQuerySet:
        return self.filter(invoiced_at__isnull=True)

    def not_free(self) -> ResourceBookingQuerySet:
        return self.filter(price__gt=0)

    def not_over(self, now: datetime) -> ResourceBookingQuerySet:
        """Bookings that have not ended yet (one under way included)."""
        return self.filter(end__gt=now)

    def in_calendar_order(self) -> ResourceBookingQuerySet:
        return self.order_by("start", "id")

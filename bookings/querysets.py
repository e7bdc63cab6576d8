"""Reads of bookings: which bookings an API key's owner may see, the change feed order, and
the stays that overlap some nights. Selectors built on them are in ``selectors.py``."""

from __future__ import annotations

from datetime import date

from django.db.models import F

from bookings.intervals import overlap_q
from coliving.api.tenancy import TenantQuerySet


class BookingQuerySet(TenantQuerySet):
    sandbox_lookup = "is_sandbox"

    def for_owner(self, user) -> BookingQuerySet:
        """Bookings on the listings ``user`` hosts or was granted (``Listing.objects.for_owner``,
        in its ``ids_for_owner`` form, so that the user's listings drive the query)."""
        from listings.models import Listing

        return self.filter(listing_id__in=Listing.objects.ids_for_owner(user))

    def in_change_order(self) -> BookingQuerySet:
        """Oldest change first. ``change_seq + 0``, not the column: ordered by the column, the
        planner walks the ``change_seq`` index across every tenant's changes until it has a
        page of this tenant's, which, for a tenant with nothing new, is every change numbered
        above its cursor — platform-wide. With the expression it fetches the tenant's own
        changes after the cursor through ``(listing_id, change_seq)`` and sorts those: a poll
        costs what the tenant's listings and new changes cost, whatever the table's size
        (measured: docs/scaling.md)."""
        return self.order_by(F("change_seq") + 0)

    def overlapping(self, start: date, end: date) -> BookingQuerySet:
        """Stays with a night in ``[start, end)`` (a stay checking out on ``start`` has none)."""
        return self.filter(overlap_q(start, end, start_field="checkin", end_field="checkout"))

    def holding(self) -> BookingQuerySet:
        """Bookings that hold their nights (pending or confirmed)."""
        return self.filter(status__in=self.model.HOLDING)

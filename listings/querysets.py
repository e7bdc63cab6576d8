"""Reads of listings: which listings a user (an API key's owner) may use, and the row
shapes the read endpoints render straight from ``.values()`` (no model instances, no
nested serializers on the hot path)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Q

from coliving.api.tenancy import TenantQuerySet

# What a partner is told for a listing that does not exist or is not theirs (the spec's words).
LISTING_NOT_FOUND = "Listing not found or unauthorized"
# The same for a room type that is not one of a listing that is theirs, in the same words.
ROOM_TYPE_NOT_FOUND = "Room type not found or unauthorized"

LISTING_SUMMARY_FIELDS = ("id", "name", "status", "original_id", "city", "country")


def money(value: Decimal | None) -> int | float | None:
    """A price as a JSON number: ``750`` for 750.00 (as the spec shows it), ``799.5`` otherwise."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


class ListingQuerySet(TenantQuerySet):
    sandbox_lookup = "is_sandbox"

    def for_owner(self, user) -> ListingQuerySet:
        """Listings hosted by ``user`` plus those staff granted to ``user`` (no duplicates)."""
        from listings.models import ListingGrant

        granted = ListingGrant.objects.filter(listing=OuterRef("pk"), grantee=user)
        return self.filter(Q(host=user) | Exists(granted))

    def ids_for_owner(self, user) -> models.QuerySet:
        """The ids of ``for_owner(user)``'s listings, as ``hosted UNION granted``: a subquery the
        planner drives from the user's side, each half on its own index, where ``for_owner``'s
        ``host = user OR EXISTS (grant)`` filters every listing in the table. For reads that
        start from a user's listings and grow with the whole table otherwise (the bookings
        feed); a test keeps the two forms equal."""
        from listings.models import ListingGrant

        hosted = self.filter(host=user).order_by().values("pk")  # no ORDER BY inside a UNION (SQLite refuses it)
        return hosted.union(ListingGrant.objects.filter(grantee=user).order_by().values("listing_id"))

    def summaries(self) -> models.QuerySet:
        """Rows of ``LISTING_SUMMARY_FIELDS``; pass a page of them to ``with_room_types``."""
        return self.values(*LISTING_SUMMARY_FIELDS)


def with_room_types(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add ``room_types: [{id, name}]`` to listing rows, with one query for the whole page."""
    from listings.models import RoomType

    by_listing: dict[int, list[dict[str, Any]]] = {row["id"]: [] for row in rows}
    for row in rows:
        row["room_types"] = by_listing[row["id"]]
    if by_listing:
        room_types = RoomType.objects.filter(listing_id__in=by_listing, is_active=True).order_by("listing_id", "id")
        for listing_id, pk, name in room_types.values_list("listing_id", "id", "name"):
            by_listing[listing_id].append({"id": pk, "name": name})
    return rows


class RoomTypeQuerySet(TenantQuerySet):
    sandbox_lookup = "listing__is_sandbox"  # a room type is its listing's

    def for_owner(self, user) -> RoomTypeQuerySet:
        """Active room types of the listings ``user`` may use: a room type deactivated by a
        feed import (it had bookings, so it was kept) is no longer sold, pushed or listed."""
        from listings.models import Listing

        return self.filter(listing__in=Listing.objects.for_owner(user)).sellable()

    def sellable(self) -> RoomTypeQuerySet:
        """Room types still offered: not deactivated by a feed import."""
        return self.filter(is_active=True)

    def integration_rows(self) -> list[dict[str, Any]]:
        """The ``room_types`` of the Integrations API's "List Room Types", every month included."""
        from listings.models import MONTH_PRICE_FIELDS

        columns = ("id", "name", "room_type", "amount", "currency", "base_price", *MONTH_PRICE_FIELDS)
        return [
            {
                "room_type_id": row[0],
                "name": row[1],
                "room_type": row[2],
                "amount": row[3],
                "prices": {
                    "currency": row[4],
                    "base_price": money(row[5]),
                    **{name: money(value) for name, value in zip(MONTH_PRICE_FIELDS, row[6:], strict=True)},
                },
            }
            for row in self.order_by("id").values_list(*columns)
        ]

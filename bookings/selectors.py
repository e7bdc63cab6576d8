"""Reads of bookings with tenancy applied: the integrations feed, and what a new booking
is checked against. Views, tasks and commands call these; the querysets they build on are
in ``bookings/querysets.py`` (and ``listings/querysets.py``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from bookings.models import Booking
from bookings.versions import Cursor
from coliving.api.errors import NotFound
from coliving.api.tenancy import Tenant
from listings.models import Listing, RoomType
from listings.querysets import LISTING_NOT_FOUND, ROOM_TYPE_NOT_FOUND

FEED_FIELDS = ("id", "listing_id", "room_type_id", "status", "change_seq", "changed_at")


def booking_feed(
    *,
    tenant: Tenant,
    limit: int,
    listing_id: int | None = None,
    status: str | None = None,
    since: Cursor | None = None,
) -> list[dict[str, Any]]:
    """Rows of ``FEED_FIELDS`` for the bookings on the tenant's listings that changed after
    ``since``, in change order, at most ``limit``: one query (two with ``listing_id``).

    Raises ``NotFound`` when ``listing_id`` is not a listing the tenant may use.
    """
    if listing_id is not None:
        if not Listing.objects.for_tenant(tenant, "owner").filter(pk=listing_id).exists():
            raise NotFound(LISTING_NOT_FOUND)
        # Checked above: the plain filter lets the planner use the listing index alone.
        bookings = Booking.objects.filter(listing_id=listing_id)
    else:
        bookings = Booking.objects.for_tenant(tenant, "owner")
    if status is not None:
        bookings = bookings.filter(status=status)
    if since is not None:
        bookings = since.filter(bookings)
    return list(bookings.in_change_order().values(*FEED_FIELDS)[:limit])


def bookable_room_type(*, tenant: Tenant, listing_id: int, room_type_id: int) -> RoomType:
    """The tenant's room type ``room_type_id`` of listing ``listing_id``, with its listing: one query.

    Raises ``NotFound`` naming what was not found: the listing when it is not one the tenant
    may use, else the room type (missing, another tenant's, or of another listing).
    """
    room_type = (
        RoomType.objects.for_tenant(tenant, "owner")
        .select_related("listing")
        .filter(pk=room_type_id, listing_id=listing_id)
        .first()
    )
    if room_type is not None:
        return room_type
    if not Listing.objects.for_tenant(tenant, "owner").filter(pk=listing_id).exists():
        raise NotFound(LISTING_NOT_FOUND)
    raise NotFound(ROOM_TYPE_NOT_FOUND)


def booking_guest(*, tenant: Tenant, user_id: int):
    """The user ``user_id`` if the tenant's owner created it (``User.created_by``, what
    ``POST /v2/users`` records), with only its id loaded: all a booking needs of it."""
    return get_user_model().objects.for_tenant(tenant, "owner").filter(pk=user_id).only("pk").first()

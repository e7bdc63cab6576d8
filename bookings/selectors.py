"""Reads of bookings with tenancy applied: the integrations feed, and what a new booking
is checked against. Views, tasks and commands call these; the querysets they build on are
in ``bookings/querysets.py`` (and ``listings/querysets.py``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from bookings.models import Booking
from bookings.versions import Cursor
from coliving.api.errors import NotFound
from listings.models import Listing, RoomType
from listings.querysets import LISTING_NOT_FOUND

FEED_FIELDS = ("id", "listing_id", "room_type_id", "status", "change_seq", "changed_at")


def booking_feed(
    *,
    owner,
    limit: int,
    listing_id: int | None = None,
    status: str | None = None,
    since: Cursor | None = None,
) -> list[dict[str, Any]]:
    """Rows of ``FEED_FIELDS`` for the bookings on ``owner``'s listings that changed after
    ``since``, in change order, at most ``limit``: one query (two with ``listing_id``).

    Raises ``NotFound`` when ``listing_id`` is not a listing ``owner`` may use.
    """
    bookings = Booking.objects.all()
    if listing_id is not None:
        if not Listing.objects.for_owner(owner).filter(pk=listing_id).exists():
            raise NotFound(LISTING_NOT_FOUND)
        bookings = bookings.filter(listing_id=listing_id)
    else:
        bookings = bookings.for_owner(owner)
    if status is not None:
        bookings = bookings.filter(status=status)
    if since is not None:
        bookings = since.filter(bookings)
    return list(bookings.in_change_order().values(*FEED_FIELDS)[:limit])


def bookable_room_type(*, owner, listing_id: int, room_type_id: int) -> RoomType | None:
    """``owner``'s room type ``room_type_id`` of listing ``listing_id``, with its listing."""
    return (
        RoomType.objects.for_owner(owner)
        .select_related("listing")
        .filter(pk=room_type_id, listing_id=listing_id)
        .first()
    )


def booking_guest(*, owner, user_id: int):
    """The user ``user_id`` if ``owner`` created it (``User.created_by``, what
    ``POST /v2/users`` records), with only its id loaded: all a booking needs of it."""
    return get_user_model().objects.filter(pk=user_id, created_by=owner).only("pk").first()

"""``bookings/selectors.py``, called as a task or a command would: no request, no wire."""

from __future__ import annotations

from datetime import date

import pytest

from bookings import selectors, services
from bookings.models import Booking
from bookings.tests.factories import guest_of, make_booking
from bookings.versions import Cursor
from coliving.api.errors import NotFound
from coliving.api.tenancy import Tenant
from listings.models import Listing
from listings.tests.factories import ListingFactory, RoomTypeFactory

pytestmark = pytest.mark.django_db


def test_the_feed_returns_the_owners_changes_after_the_cursor_in_change_order():
    room_type = RoomTypeFactory(amount=5)
    owner = room_type.listing.host
    first = make_booking(room_type=room_type)
    second = make_booking(room_type=room_type, checkin=date(2024, 3, 1), checkout=date(2024, 3, 5))
    make_booking(room_type=RoomTypeFactory())  # another host's
    services.booking_confirm(booking=first)

    rows = selectors.booking_feed(tenant=Tenant(owner), limit=10)
    assert [(row["id"], row["status"]) for row in rows] == [(second.pk, "pending"), (first.pk, "confirmed")]
    since = Cursor(seq=Booking.objects.get(pk=second.pk).change_seq)
    assert [row["id"] for row in selectors.booking_feed(tenant=Tenant(owner), limit=10, since=since)] == [first.pk]
    assert [row["id"] for row in selectors.booking_feed(tenant=Tenant(owner), limit=1)] == [second.pk]
    assert selectors.booking_feed(tenant=Tenant(owner), limit=10, status="cancelled") == []


def test_the_feed_of_a_listing_that_is_not_the_owners_is_not_found():
    room_type = RoomTypeFactory()
    make_booking(room_type=room_type)

    with pytest.raises(NotFound):
        selectors.booking_feed(tenant=Tenant(ListingFactory().host), limit=10, listing_id=room_type.listing_id)
    assert (
        len(selectors.booking_feed(tenant=Tenant(room_type.listing.host), limit=10, listing_id=room_type.listing_id))
        == 1
    )


def test_a_room_type_is_bookable_only_by_its_owner_and_with_its_own_listing():
    room_type = RoomTypeFactory()
    owner = room_type.listing.host

    found = selectors.bookable_room_type(
        tenant=Tenant(owner), listing_id=room_type.listing_id, room_type_id=room_type.pk
    )
    assert found == room_type and found.listing == room_type.listing
    other_listing = ListingFactory(host=owner)
    with pytest.raises(NotFound, match="^Room type not found or unauthorized$"):
        selectors.bookable_room_type(tenant=Tenant(owner), listing_id=other_listing.pk, room_type_id=room_type.pk)
    stranger = ListingFactory().host
    with pytest.raises(NotFound, match="^Listing not found or unauthorized$"):
        selectors.bookable_room_type(
            tenant=Tenant(stranger), listing_id=room_type.listing_id, room_type_id=room_type.pk
        )


def test_a_guest_is_one_the_owner_created():
    owner = ListingFactory().host
    guest = guest_of(owner)

    assert selectors.booking_guest(tenant=Tenant(owner), user_id=guest.pk).pk == guest.pk
    assert selectors.booking_guest(tenant=Tenant(ListingFactory().host), user_id=guest.pk) is None
    assert selectors.booking_guest(tenant=Tenant(owner), user_id=owner.pk) is None


def test_a_tenant_reaches_its_sandbox_rows_or_its_live_rows_never_both():
    live = ListingFactory()
    sandbox = ListingFactory(host=live.host, is_sandbox=True)
    for is_sandbox, expected in ((False, live), (True, sandbox)):
        assert list(Listing.objects.for_tenant(Tenant(live.host, sandbox=is_sandbox), "owner")) == [expected]

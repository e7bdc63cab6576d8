"""``bookings/demo.py``: a demo booking on the demo host's listing, once."""

from __future__ import annotations

import pytest

from accounts import demo as accounts_demo
from accounts.tests.factories import UserFactory
from bookings import demo
from bookings.models import Booking
from listings.tests.factories import ListingFactory, RoomTypeFactory

pytestmark = pytest.mark.django_db


def test_it_books_the_demo_listing_once():
    owner = UserFactory()
    listing = ListingFactory(host=owner)
    RoomTypeFactory(listing=listing)
    context = {"owner": owner, "listings": [listing]}
    demo.seed(context)
    demo.seed(dict(context))
    booking = Booking.objects.get()
    assert booking.listing == listing and booking.guest.email == accounts_demo.DEMO_GUEST
    assert booking.guest.created_by == owner
    assert context["booking"] == booking


def test_without_a_demo_listing_it_does_nothing():
    demo.seed({"owner": UserFactory()})
    assert not Booking.objects.exists()


def test_it_uses_the_listings_the_listings_demo_made():
    owner = UserFactory()
    ListingFactory(host=owner)  # not a demo listing
    demo_listing = ListingFactory(host=owner)
    RoomTypeFactory(listing=demo_listing)
    demo.seed({"owner": owner, "listings": [demo_listing]})
    assert Booking.objects.get().listing == demo_listing

"""``bookings/demo.py``: a demo booking on the demo host's listing, once."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from bookings import demo
from bookings.models import Booking
from listings.tests.factories import ListingFactory, RoomTypeFactory

pytestmark = pytest.mark.django_db


def test_it_books_the_demo_listing_once():
    owner = UserFactory()
    listing = ListingFactory(host=owner)
    RoomTypeFactory(listing=listing)
    context = {"owner": owner}
    demo.seed(context)
    demo.seed(dict(context))
    booking = Booking.objects.get()
    assert booking.listing == listing and booking.guest.email == demo.DEMO_GUEST
    assert context["booking"] == booking


def test_without_a_demo_listing_it_does_nothing():
    demo.seed({"owner": UserFactory()})
    assert not Booking.objects.exists()

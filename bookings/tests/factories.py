"""Bookings are made through the service, so their nights are really taken."""

from __future__ import annotations

from datetime import date

from accounts.models import User
from accounts.tests.factories import UserFactory
from bookings import services
from bookings.models import Booking

TODAY = date(2024, 1, 10)  # the tests' "today" (see conftest.py): the spec's example dates are in 2024


def guest_of(owner, **kwargs) -> User:
    """A user ``owner`` created (what ``POST /v2/users`` records in ``User.created_by``)."""
    return UserFactory(created_by=owner, **kwargs)


def make_booking(
    *,
    room_type,
    checkin: date = date(2024, 2, 1),
    checkout: date = date(2024, 2, 15),
    guest=None,
    guests: int = 1,
    status: str = Booking.Status.PENDING,
    message: str = "",
) -> Booking:
    listing = room_type.listing
    booking = services.booking_create(
        owner=listing.host,
        guest=guest or guest_of(listing.host),
        listing=listing,
        room_type=room_type,
        checkin=checkin,
        checkout=checkout,
        guests=guests,
        message=message,
        on=TODAY,
    )
    if status == Booking.Status.CONFIRMED:
        services.booking_confirm(booking=booking)
    elif status == Booking.Status.DECLINED:
        services.booking_decline(booking=booking)
    elif status == Booking.Status.CANCELLED:
        services.booking_cancel(booking=booking)
    return booking

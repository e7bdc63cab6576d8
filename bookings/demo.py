"""Demo bookings for ``manage.py seed_demo``: one pending stay of the demo guest on the demo
host's first listing, if the listings demo created one (idempotent: nothing is added once
the demo guest has a booking there), and the resource bookings demo
(``bookings/resources/demo.py``)."""

from __future__ import annotations

from datetime import timedelta

from accounts import demo as accounts_demo
from bookings import services
from bookings.models import Booking
from bookings.resources import demo as resources_demo
from coliving.api.errors import ApplicationError
from listings import limits
from listings.models import Listing, RoomType


def demo_stay(listing: Listing) -> tuple:
    """(check-in, check-out) of a stay ``listing``'s own rules allow from today: at least its
    notice (14 days), at least its minimum stay (a month or more)."""
    checkin = limits.today() + timedelta(days=max(listing.notice_min_days or 0, 14))
    nights = max((listing.stay_min or 1) * services.NIGHTS_PER_STAY_MIN_MONTH, 30)
    return checkin, checkin + timedelta(days=nights)


def seed(context: dict[str, object]) -> None:
    _seed_stay(context)
    resources_demo.seed(context)


def _seed_stay(context: dict[str, object]) -> None:
    owner = context["owner"]
    listings = context.get("listings") or list(Listing.objects.filter(host=owner, status=Listing.Status.ACTIVE)[:1])
    if not listings:
        return
    listing = listings[0]
    room_type = RoomType.objects.filter(listing=listing).first()
    if room_type is None:
        return
    guest = _demo_guest(context)
    if Booking.objects.filter(guest=guest, listing=listing).exists():
        return
    checkin, checkout = demo_stay(listing)
    try:
        booking = services.booking_create(
            owner=owner,
            guest=guest,
            listing=listing,
            room_type=room_type,
            checkin=checkin,
            checkout=checkout,
            guests=1,
            message="Demo booking: looking forward to my stay!",
            source=Booking.Source.ADMIN,
        )
    except ApplicationError:
        return  # the demo listing's rules or inventory do not allow it: no demo booking
    context["booking"] = booking


def _demo_guest(context: dict[str, object]):
    """The demo partner's guest, made by the accounts demo (through the sign-up pipeline).

    ``seed_demo`` runs the accounts demo first; should this run on its own, the accounts
    demo (idempotent) is asked for the guest.
    """
    if context.get("demo_guest") is None:
        accounts_demo.seed(context)
    return context["demo_guest"]

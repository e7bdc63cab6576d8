"""Demo booking for ``manage.py seed_demo``: one pending stay on the demo host's first
listing, if the listings demo created one. Idempotent: nothing is added once the demo
guest has a booking there."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from bookings import services
from bookings.models import Booking
from coliving.api.errors import ApplicationError
from listings.models import Listing, RoomType

DEMO_GUEST = "demo-guest@example.com"


def seed(context: dict[str, object]) -> None:
    owner = context["owner"]
    listing = context.get("listing") or Listing.objects.filter(host=owner, status=Listing.Status.ACTIVE).first()
    if listing is None:
        return
    room_type = RoomType.objects.filter(listing=listing).first()
    if room_type is None:
        return
    User = get_user_model()
    defaults = {"first_name": "Demo", "last_name": "Guest"}
    if any(field.name == "created_by" for field in User._meta.get_fields()):
        defaults["created_by"] = owner
    guest, _ = User.objects.get_or_create(email=DEMO_GUEST, defaults=defaults)
    if Booking.objects.filter(guest=guest, listing=listing).exists():
        return
    on = services.today()
    checkin = on + timedelta(days=max(listing.notice_min_days or 0, 14))
    nights = max((listing.stay_min or 1) * services.NIGHTS_PER_STAY_MIN_MONTH, 30)
    try:
        booking = services.booking_create(
            owner=owner,
            guest=guest,
            listing=listing,
            room_type=room_type,
            checkin=checkin,
            checkout=checkin + timedelta(days=nights),
            guests=1,
            message="Demo booking: looking forward to my stay!",
            source=Booking.Source.ADMIN,
        )
    except (ApplicationError, ValidationError):
        return  # the demo listing's rules or inventory do not allow it: no demo booking
    context["booking"] = booking

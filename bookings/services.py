"""Every booking write: create (takes the nights), confirm, decline and cancel (give them
back), and messages.

The inventory invariant (DESIGN.md, "Inventory and bookings"): a booking takes one unit
from every night of its stay in one conditional UPDATE inside the booking's transaction;
if any night has no unit left, nothing is taken and the request is 409 ``unavailable``.
Every change ends with ``versions.next_change()`` so the integrations feed never misses it.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Least
from django.utils import timezone

from apikeys.models import ApiKey, Provider
from bookings.models import Booking, BookingMessage
from bookings.pricing import stay_price
from bookings.versions import next_change
from coliving.api.errors import Conflict
from listings.models import Listing, RoomType, RoomTypeNight
from listings.services import MAX_DAYS_AHEAD  # one booking and inventory horizon

NIGHTS_PER_STAY_MIN_MONTH = 30  # Listing.stay_min is in months; a month counts as 30 nights
DUPLICATE_MESSAGE_WINDOW = timedelta(seconds=60)
UNAVAILABLE_MESSAGE = "Room type is not available for the requested dates"
TAKE_NIGHTS = """
UPDATE listings_roomtypenight
   SET available = available - 1
 WHERE room_type_id = %s AND "date" >= %s AND "date" < %s AND available >= 1
RETURNING "date"
"""


def today() -> date:
    """The booking calendar's today (UTC, like the rest of the platform); tests replace it."""
    return timezone.localdate()


def user_created_by(user, owner) -> bool:
    """Whether ``owner`` created ``user`` through ``POST /v2/users`` (``User.created_by``)."""
    return user is not None and user.created_by_id == owner.pk


def nights_of(checkin: date, checkout: date) -> list[date]:
    return [checkin + timedelta(days=offset) for offset in range((checkout - checkin).days)]


def booking_rules_check(
    *, listing: Listing, room_type: RoomType, checkin: date, checkout: date, guests: int, on: date
) -> None:
    """Raise a ``ValidationError`` keyed by the API's field names listing every rule broken."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if listing.status != Listing.Status.ACTIVE:
        add("listing_id", "The listing is not active.")
    if room_type.listing_id != listing.pk:
        add("room_type_id", "The room type does not belong to the listing.")
    if guests > room_type.max_occupancy:
        add("guests", f"This room type takes at most {room_type.max_occupancy} guest(s).")
    if checkout <= checkin:
        add("checkout_at", "Check-out must be after check-in.")
    if checkin < on:
        add("checkin_at", "Check-in cannot be in the past.")
    if listing.notice_min_days and checkin < on + timedelta(days=listing.notice_min_days):
        add("checkin_at", f"Check-in must be at least {listing.notice_min_days} day(s) from today (notice_min_days).")
    if listing.move_in_max_days is not None and checkin > on + timedelta(days=listing.move_in_max_days):
        add("checkin_at", f"Check-in must be at most {listing.move_in_max_days} day(s) from today (move_in_max_days).")
    if checkout > on + timedelta(days=MAX_DAYS_AHEAD) or checkin > on + timedelta(days=MAX_DAYS_AHEAD):
        add("checkout_at", f"Dates must be at most {MAX_DAYS_AHEAD} days ahead.")
    if listing.stay_min and checkout > checkin:
        min_nights = listing.stay_min * NIGHTS_PER_STAY_MIN_MONTH
        if (checkout - checkin).days < min_nights:
            add(
                "checkout_at",
                f"The stay must be at least {listing.stay_min} month(s), {min_nights} nights (stay_min).",
            )
    if errors:
        raise ValidationError(errors)


def nights_take(*, room_type: RoomType, checkin: date, checkout: date) -> None:
    """Take one unit of ``room_type`` on every night of the stay, or raise 409 and take none.

    1. Make sure every night has a row: ``INSERT … ON CONFLICT DO NOTHING`` with
       ``available = amount`` (a night nobody pushed has the room type's ``amount``).
    2. One conditional ``UPDATE … SET available = available - 1 WHERE … AND available >= 1``.
       On PostgreSQL its row locks serialise concurrent bookings of the same nights (a
       waiting UPDATE re-checks ``available`` on the committed row); SQLite serialises
       writers. If fewer rows changed than there are nights, some night was full: raise,
       and the caller's transaction rolls the partial decrement back. ``RETURNING date``
       (the ORM's ``update()`` only returns a count) tells which nights were full.
    """
    nights = nights_of(checkin, checkout)
    RoomTypeNight.objects.bulk_create(
        [RoomTypeNight(room_type=room_type, date=night, available=room_type.amount) for night in nights],
        ignore_conflicts=True,
    )
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        cursor.execute(TAKE_NIGHTS, [room_type.pk, adapt(checkin), adapt(checkout)])
        taken = {str(row[0]) for row in cursor.fetchall()}
    if len(taken) != len(nights):
        full = [night.isoformat() for night in nights if night.isoformat() not in taken]
        raise Conflict(UNAVAILABLE_MESSAGE, code="unavailable", details={"unavailable_dates": full})


def nights_release(*, booking: Booking) -> int:
    """Give back the unit ``booking`` took on each night: +1, never above the room type's
    ``amount`` (a PMS push may since have set the night to what the host has in hand)."""
    amount = RoomType.objects.filter(pk=booking.room_type_id).values_list("amount", flat=True).get()
    return RoomTypeNight.objects.filter(
        room_type_id=booking.room_type_id, date__gte=booking.checkin, date__lt=booking.checkout
    ).update(available=Least(F("available") + 1, Value(amount)))


def _stamp(booking: Booking, **fields) -> Booking:
    """Write ``fields`` and a new version. The last write of every booking transaction."""
    seq, at = next_change()
    fields.update(change_seq=seq, changed_at=at, updated_at=timezone.now())
    Booking.objects.filter(pk=booking.pk).update(**fields)
    for name, value in fields.items():
        setattr(booking, name, value)
    return booking


@transaction.atomic
def booking_create(
    *,
    owner,
    guest,
    listing: Listing,
    room_type: RoomType,
    checkin: date,
    checkout: date,
    guests: int,
    message: str = "",
    key: ApiKey | None = None,
    provider: Provider | None = None,
    source: str = Booking.Source.PARTNER,
    on: date | None = None,
) -> Booking:
    """Book ``room_type`` for ``guest`` from ``checkin`` to ``checkout`` (nights in between).

    ``owner`` is whose listing it is (the API key's owner, or the host for admin
    bookings); ``listing`` must already have been fetched through ``for_owner``. Raises
    ``ValidationError`` (rules, 400) or ``Conflict`` (no unit left on some night, 409).
    """
    booking_rules_check(
        listing=listing, room_type=room_type, checkin=checkin, checkout=checkout, guests=guests, on=on or today()
    )
    price = stay_price(
        room_type=room_type,
        checkin=checkin,
        checkout=checkout,
        fees=list(listing.fees.filter(mandatory=True)),
        deposit=listing.deposit,
    )
    nights_take(room_type=room_type, checkin=checkin, checkout=checkout)
    seq, at = next_change()
    booking = Booking.objects.create(
        guest=guest,
        listing=listing,
        room_type=room_type,
        checkin=checkin,
        checkout=checkout,
        guests=guests,
        message=message,
        source=source,
        api_key=key,
        provider=provider,
        currency=price.currency,
        total=price.total,
        price_breakdown=price.breakdown,
        change_seq=seq,
        changed_at=at,
    )
    # The reference comes from the primary key, which the database hands out without races.
    booking.reference = f"CO-{1000 + booking.pk}"
    Booking.objects.filter(pk=booking.pk).update(reference=booking.reference)
    return booking


def _locked(booking: Booking) -> Booking:
    return Booking.objects.select_for_update().get(pk=booking.pk)


def _status_conflict(booking: Booking, action: str) -> Conflict:
    return Conflict(
        f"A {booking.status} booking cannot be {action}",
        code="invalid_status",
        details={"status": booking.status},
    )


@transaction.atomic
def booking_confirm(*, booking: Booking) -> Booking:
    """The host accepts a pending booking."""
    current = _locked(booking)
    if current.status != Booking.Status.PENDING:
        raise _status_conflict(current, "confirmed")
    return _stamp(booking, status=Booking.Status.CONFIRMED)


@transaction.atomic
def booking_decline(*, booking: Booking) -> Booking:
    """The host refuses a pending booking; its nights are given back."""
    current = _locked(booking)
    if current.status != Booking.Status.PENDING:
        raise _status_conflict(current, "declined")
    nights_release(booking=current)
    return _stamp(booking, status=Booking.Status.DECLINED)


@transaction.atomic
def booking_cancel(*, booking: Booking) -> Booking:
    """Cancel a pending or confirmed booking; its nights are given back.

    The booking's row is locked first, so two concurrent cancellations give the nights
    back once: the second sees ``cancelled`` and is 409.
    """
    current = _locked(booking)
    if current.status not in Booking.HOLDING:
        raise _status_conflict(current, "cancelled")
    nights_release(booking=current)
    return _stamp(booking, status=Booking.Status.CANCELLED)


@transaction.atomic
def booking_message_create(*, booking: Booking, sender, body: str) -> tuple[BookingMessage, bool]:
    """Add a message; the same text from the same sender within 60 s is not stored twice.

    Returns ``(message, created)``. The booking row is locked so that two identical
    messages sent at once still store one.
    """
    _locked(booking)
    recent = (
        BookingMessage.objects.filter(
            booking=booking, sender=sender, body=body, created_at__gte=timezone.now() - DUPLICATE_MESSAGE_WINDOW
        )
        .order_by("-created_at")
        .first()
    )
    if recent is not None:
        return recent, False
    return BookingMessage.objects.create(booking=booking, sender=sender, body=body), True

"""Every booking write: create (takes the nights), confirm, decline and cancel (give them
back), and messages.

The inventory invariant (DESIGN.md, "Inventory and bookings"): a booking takes one unit
from every night of its stay inside the booking's transaction, through
``listings.inventory`` (which owns every write to nights and their lock order); if any
night has no unit left, nothing is taken and the request is 409 ``unavailable``. Every
change ends with ``versions.next_change()`` so the integrations feed never misses it.

Services speak the domain: a broken rule is ``InvalidInput`` with paths named after the
booking's own attributes (``checkin``, ``checkout``, ``guests``, ``listing_id``,
``room_type_id``); the API's input serializer names them on the wire.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from apikeys.models import ApiKey, Provider
from bookings.models import Booking, BookingMessage
from bookings.pricing import stay_price
from bookings.versions import next_change, next_change_and_booking_id
from coliving.api.errors import Conflict, FieldError, InvalidInput
from listings import limits
from listings.inventory import nights_release, nights_take
from listings.models import Listing, RoomType

NIGHTS_PER_STAY_MIN_MONTH = 30  # Listing.stay_min is in months; a month counts as 30 nights
DUPLICATE_MESSAGE_WINDOW = timedelta(seconds=60)
UNAVAILABLE_MESSAGE = "Room type is not available for the requested dates"


def booking_reference(pk: int) -> str:
    """What people quote for a booking: ``CO-1002`` for id 2."""
    return f"CO-{1000 + pk}"


def booking_rules_check(
    *, listing: Listing, room_type: RoomType, checkin: date, checkout: date, guests: int, on: date
) -> None:
    """Raise ``InvalidInput`` listing every rule the stay breaks (no query)."""
    errors: list[FieldError] = []

    def add(name: str, message: str, code: str) -> None:
        errors.append(FieldError((name,), message, code))

    if listing.status != Listing.Status.ACTIVE:
        add("listing_id", "The listing is not active.", "listing_inactive")
    if room_type.listing_id != listing.pk:
        add("room_type_id", "The room type does not belong to the listing.", "room_type_mismatch")
    if guests > room_type.max_occupancy:
        add("guests", f"This room type takes at most {room_type.max_occupancy} guest(s).", "max_occupancy")
    if checkout <= checkin:
        add("checkout", "Check-out must be after check-in.", "checkout_before_checkin")
    if checkin < on:
        add("checkin", "Check-in cannot be in the past.", "in_the_past")
    if listing.notice_min_days and checkin < on + timedelta(days=listing.notice_min_days):
        add(
            "checkin",
            f"Check-in must be at least {listing.notice_min_days} day(s) from today (notice_min_days).",
            "notice_min_days",
        )
    if listing.move_in_max_days is not None and checkin > on + timedelta(days=listing.move_in_max_days):
        add(
            "checkin",
            f"Check-in must be at most {listing.move_in_max_days} day(s) from today (move_in_max_days).",
            "move_in_max_days",
        )
    horizon = on + timedelta(days=limits.MAX_DAYS_AHEAD)
    if checkout > horizon or checkin > horizon:
        add("checkout", f"Dates must be at most {limits.MAX_DAYS_AHEAD} days ahead.", "max_days_ahead")
    if listing.stay_min and checkout > checkin:
        min_nights = listing.stay_min * NIGHTS_PER_STAY_MIN_MONTH
        if (checkout - checkin).days < min_nights:
            add(
                "checkout",
                f"The stay must be at least {listing.stay_min} month(s), {min_nights} nights (stay_min).",
                "stay_min",
            )
    if errors:
        raise InvalidInput(errors)


def _stamp(booking: Booking, *, current: Booking, **fields) -> Booking:
    """Write ``fields`` and a new version. The last write of every booking transaction;
    ``current`` is the booking as read under its row lock (its last change time)."""
    seq, at = next_change(listing_id=current.listing_id, previous=current.changed_at)
    fields.update(change_seq=seq, changed_at=at, updated_at=timezone.now())
    Booking.objects.filter(pk=booking.pk).update(**fields)
    for name, value in fields.items():
        setattr(booking, name, value)
    return booking


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
    bookings); ``listing`` must already have been fetched through ``for_owner``. A booking
    of a sandbox listing is a sandbox booking: it takes that listing's (sandbox) nights. Raises
    ``InvalidInput`` (rules, 400) or ``Conflict`` (no unit left on some night, 409).

    The rules and the price (its one query: the listing's mandatory fees) come before the
    transaction, so the nights stay locked only for the three statements that need them
    on PostgreSQL: the take, the version bump (which also draws the booking's id), and the
    INSERT (which already carries the reference).
    """
    booking_rules_check(
        listing=listing,
        room_type=room_type,
        checkin=checkin,
        checkout=checkout,
        guests=guests,
        on=on or limits.today(),
    )
    price = stay_price(
        room_type=room_type,
        checkin=checkin,
        checkout=checkout,
        fees=list(listing.fees.filter(mandatory=True)),
        deposit=listing.deposit,
    )
    # No savepoint: nights_take takes every night or none, and nothing in this block raises
    # to undo a write, so inside a caller's transaction (an Idempotency-Key's, the demo
    # seed's, a test's) it costs no SAVEPOINT / RELEASE. The 409 is raised after the block.
    with transaction.atomic(savepoint=False):
        full = nights_take(room_type_id=room_type.pk, checkin=checkin, checkout=checkout)
        if not full:
            seq, at, booking_id = next_change_and_booking_id(listing_id=listing.pk)
            booking = Booking.objects.create(
                id=booking_id,
                reference=booking_reference(booking_id) if booking_id is not None else None,
                guest=guest,
                listing=listing,
                room_type=room_type,
                checkin=checkin,
                checkout=checkout,
                guests=guests,
                message=message,
                source=source,
                is_sandbox=listing.is_sandbox,
                api_key=key,
                provider=provider,
                currency=price.currency,
                total=price.total,
                price_breakdown=price.breakdown,
                change_seq=seq,
                changed_at=at,
            )
            if booking_id is None:  # the INSERT picked the id (not PostgreSQL): a second statement
                booking.reference = booking_reference(booking.pk)
                Booking.objects.filter(pk=booking.pk).update(reference=booking.reference)
    if full:
        dates = [night.isoformat() for night in full]
        raise Conflict(UNAVAILABLE_MESSAGE, code="unavailable", details={"unavailable_dates": dates})
    return booking


def _locked(booking: Booking) -> Booking:
    return Booking.objects.select_for_update().get(pk=booking.pk)


def _status_conflict(booking: Booking, action: str) -> Conflict:
    return Conflict(
        f"A {booking.status} booking cannot be {action}",
        code="invalid_status",
        details={"status": booking.status},
    )


def booking_confirm(*, booking: Booking) -> Booking:
    """The host accepts a pending booking."""
    with transaction.atomic():
        current = _locked(booking)
        if current.status != Booking.Status.PENDING:
            raise _status_conflict(current, "confirmed")
        return _stamp(booking, current=current, status=Booking.Status.CONFIRMED)


def booking_decline(*, booking: Booking) -> Booking:
    """The host refuses a pending booking; its nights are given back."""
    with transaction.atomic():
        current = _locked(booking)
        if current.status != Booking.Status.PENDING:
            raise _status_conflict(current, "declined")
        nights_release(room_type_id=current.room_type_id, checkin=current.checkin, checkout=current.checkout)
        return _stamp(booking, current=current, status=Booking.Status.DECLINED)


def booking_cancel(*, booking: Booking) -> Booking:
    """Cancel a pending or confirmed booking; its nights are given back.

    The booking's row is locked first, so two concurrent cancellations give the nights
    back once: the second sees ``cancelled`` and is 409.
    """
    with transaction.atomic():
        current = _locked(booking)
        if current.status not in Booking.HOLDING:
            raise _status_conflict(current, "cancelled")
        nights_release(room_type_id=current.room_type_id, checkin=current.checkin, checkout=current.checkout)
        return _stamp(booking, current=current, status=Booking.Status.CANCELLED)


def booking_message_create(*, booking: Booking, sender, body: str) -> tuple[BookingMessage, bool]:
    """Add a message; the same text from the same sender within 60 s is not stored twice.

    Returns ``(message, created)``. The booking row is locked so that two identical
    messages sent at once still store one.
    """
    with transaction.atomic():
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

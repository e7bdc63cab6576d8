"""Booking services: the rules, taking and giving back nights, status changes, messages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from bookings import services
from bookings.models import Booking, BookingMessage
from bookings.tests.factories import TODAY, guest_of, make_booking
from coliving.api.errors import Conflict, InvalidInput
from conftest import as_another_database
from listings.models import Listing, RoomTypeNight
from listings.tests.factories import ListingFactory, RoomTypeFactory

pytestmark = pytest.mark.django_db


def nights_by_date(room_type) -> dict[date, int]:
    return dict(RoomTypeNight.objects.filter(room_type=room_type).values_list("date", "available"))


def nights(room_type, start=date(2024, 2, 1), end=date(2024, 2, 15)) -> list[int]:
    rows = RoomTypeNight.objects.filter(room_type=room_type, date__gte=start, date__lt=end).order_by("date")
    return [row.available for row in rows]


def by_path(error: InvalidInput) -> dict[tuple, list[str]]:
    found: dict[tuple, list[str]] = {}
    for field_error in error.errors:
        found.setdefault(field_error.path, []).append(field_error.message)
    return found


def create(room_type, *, checkin=date(2024, 2, 1), checkout=date(2024, 2, 15), guests=1, on=TODAY, **extra):
    listing = room_type.listing
    return services.booking_create(
        owner=listing.host,
        guest=extra.pop("guest", None) or guest_of(listing.host),
        listing=extra.pop("listing", listing),
        room_type=room_type,
        checkin=checkin,
        checkout=checkout,
        guests=guests,
        on=on,
        **extra,
    )


def test_it_takes_one_unit_from_every_night_creating_the_missing_rows_from_amount():
    room_type = RoomTypeFactory(amount=5)
    RoomTypeNight.objects.create(room_type=room_type, date=date(2024, 2, 3), available=2)  # pushed by a PMS
    booking = create(room_type)
    assert nights(room_type) == [4, 4, 1] + [4] * 11
    assert booking.reference == f"CO-{1000 + booking.pk}"
    assert booking.status == Booking.Status.PENDING
    assert booking.total > 0 and booking.currency == "EUR"
    assert Booking.objects.get().reference == booking.reference


def test_a_full_night_is_409_with_the_full_dates_and_nothing_is_taken():
    room_type = RoomTypeFactory(amount=5)
    for day in (date(2024, 2, 3), date(2024, 2, 10)):
        RoomTypeNight.objects.create(room_type=room_type, date=day, available=0)
    with pytest.raises(Conflict) as caught:
        create(room_type)
    assert caught.value.code == "unavailable"
    assert caught.value.message == "Room type is not available for the requested dates"
    assert caught.value.details == {"unavailable_dates": ["2024-02-03", "2024-02-10"]}
    assert not Booking.objects.exists()
    # Every night keeps all its units; the nights that had no row may have one now, holding
    # the room type's amount (what no row means).
    full = {date(2024, 2, 3), date(2024, 2, 10)}
    assert all(available == (0 if night in full else 5) for night, available in nights_by_date(room_type).items())


def test_the_last_unit_is_sold_once():
    room_type = RoomTypeFactory(amount=1)
    create(room_type)
    with pytest.raises(Conflict):
        create(room_type, checkin=date(2024, 2, 14), checkout=date(2024, 2, 20))
    create(room_type, checkin=date(2024, 2, 15), checkout=date(2024, 2, 20))  # check-out day is free
    assert set(nights(room_type, end=date(2024, 2, 20))) == {0}


PAST = ("checkin", "Check-in cannot be in the past.", "in_the_past")
BEFORE_CHECKIN = ("checkout", "Check-out must be after check-in.", "checkout_before_checkin")
TOO_FAR = ("checkout", "Dates must be at most 730 days ahead.", "max_days_ahead")


@pytest.mark.parametrize(
    "listing_rules, checkin, checkout, guests, expected",
    [
        ({}, date(2024, 1, 9), date(2024, 2, 1), 1, [PAST]),
        ({}, date(2024, 2, 1), date(2024, 2, 1), 1, [BEFORE_CHECKIN]),
        ({}, date(2024, 2, 1), date(2024, 1, 30), 1, [BEFORE_CHECKIN]),
        (
            {"notice_min_days": 30},
            date(2024, 2, 8),
            date(2024, 3, 1),
            1,
            [("checkin", "Check-in must be at least 30 day(s) from today (notice_min_days).", "notice_min_days")],
        ),
        (
            {"move_in_max_days": 10},
            date(2024, 1, 21),
            date(2024, 3, 1),
            1,
            [("checkin", "Check-in must be at most 10 day(s) from today (move_in_max_days).", "move_in_max_days")],
        ),
        (
            {"stay_min": 2},
            date(2024, 2, 1),
            date(2024, 3, 31),  # 59 < 60 nights
            1,
            [("checkout", "The stay must be at least 2 month(s), 60 nights (stay_min).", "stay_min")],
        ),
        ({"stay_min": 2}, date(2024, 2, 1), date(2024, 2, 1), 1, [BEFORE_CHECKIN]),  # no length to judge
        ({}, date(2024, 2, 1), TODAY + timedelta(days=731), 1, [TOO_FAR]),
        ({}, TODAY + timedelta(days=731), TODAY + timedelta(days=732), 1, [TOO_FAR]),
        ({}, TODAY + timedelta(days=730), TODAY + timedelta(days=729), 1, [BEFORE_CHECKIN]),  # the last day allowed
        (
            {},
            date(2024, 2, 1),
            date(2024, 2, 15),
            3,
            [("guests", "This room type takes at most 2 guest(s).", "max_occupancy")],
        ),
        (
            {"status": Listing.Status.INACTIVE},
            date(2024, 2, 1),
            date(2024, 2, 15),
            1,
            [("listing_id", "The listing is not active.", "listing_inactive")],
        ),
    ],
)
def test_it_enforces_the_rules(listing_rules, checkin, checkout, guests, expected):
    room_type = RoomTypeFactory(amount=5, max_occupancy=2, listing=ListingFactory(**listing_rules))
    with pytest.raises(InvalidInput) as caught:
        create(room_type, checkin=checkin, checkout=checkout, guests=guests)
    # Each rule's message is what the partner reads in the 400 body; its code names it in the domain.
    assert [(*error.path, error.message, error.code) for error in caught.value.errors] == expected
    assert not Booking.objects.exists()
    assert not RoomTypeNight.objects.exists()


@pytest.mark.parametrize(
    "listing_rules, checkin, checkout",
    [
        ({"notice_min_days": 22}, date(2024, 2, 1), date(2024, 2, 15)),  # exactly the notice
        ({"move_in_max_days": 22}, date(2024, 2, 1), date(2024, 2, 15)),  # exactly the furthest move-in
        ({"stay_min": 2}, date(2024, 2, 1), date(2024, 4, 1)),  # 60 nights
        ({}, TODAY, TODAY + timedelta(days=730)),  # today, and the last day allowed
    ],
)
def test_it_accepts_stays_on_the_edges_of_the_rules(listing_rules, checkin, checkout):
    room_type = RoomTypeFactory(amount=5, listing=ListingFactory(**listing_rules))
    assert create(room_type, checkin=checkin, checkout=checkout).pk


def test_a_room_type_of_another_listing_is_refused():
    room_type = RoomTypeFactory()
    with pytest.raises(InvalidInput) as caught:
        create(room_type, listing=ListingFactory(host=room_type.listing.host))
    assert [(error.path, error.message, error.code) for error in caught.value.errors] == [
        (("room_type_id",), "The room type does not belong to the listing.", "room_type_mismatch")
    ]


def test_the_price_is_snapshotted():
    room_type = RoomTypeFactory(base_price="750.00")
    booking = create(room_type)
    room_type.base_price = 900
    room_type.save()
    booking.refresh_from_db()
    assert str(booking.total) == "362.07"
    assert booking.price_breakdown["rent"][0]["month_price"] == 750.0


def test_a_booking_keeps_its_channel_its_sandbox_and_its_listings_deposit(provider):
    listing = ListingFactory(is_sandbox=True, deposit="500.00")
    booking = create(RoomTypeFactory(amount=5, listing=listing), provider=provider, source=Booking.Source.INTEGRATION)
    plain = create(RoomTypeFactory(amount=5))

    booking.refresh_from_db()
    plain.refresh_from_db()
    assert (booking.provider, booking.source, booking.is_sandbox) == (provider, "integration", True)
    assert booking.price_breakdown["deposit"] == 500.0
    assert (plain.provider, plain.source, plain.is_sandbox, plain.message) == (None, "partner", False, "")


@pytest.mark.parametrize(
    "service, from_status, to_status, released",
    [
        (services.booking_confirm, Booking.Status.PENDING, Booking.Status.CONFIRMED, False),
        (services.booking_decline, Booking.Status.PENDING, Booking.Status.DECLINED, True),
        (services.booking_cancel, Booking.Status.PENDING, Booking.Status.CANCELLED, True),
        (services.booking_cancel, Booking.Status.CONFIRMED, Booking.Status.CANCELLED, True),
    ],
)
def test_status_changes_bump_the_version_and_give_nights_back(service, from_status, to_status, released):
    room_type = RoomTypeFactory(amount=5)
    booking = make_booking(room_type=room_type, status=from_status)
    last_week = timezone.now() - timedelta(days=7)
    Booking.objects.filter(pk=booking.pk).update(updated_at=last_week)
    before = Booking.objects.get(pk=booking.pk)
    service(booking=booking)
    after = Booking.objects.get(pk=booking.pk)
    assert after.status == to_status
    assert after.change_seq > before.change_seq
    assert after.version > before.version
    assert after.updated_at > last_week  # partners read it (integrations API); the write is an update()
    assert nights(room_type) == [5 if released else 4] * 14


def test_a_released_night_never_exceeds_the_room_types_amount():
    room_type = RoomTypeFactory(amount=5)
    booking = make_booking(room_type=room_type, status=Booking.Status.PENDING)
    # The host's PMS has since pushed "all 5 free" for these nights: the release must not make it 6.
    RoomTypeNight.objects.filter(room_type=room_type).update(available=5)
    services.booking_cancel(booking=booking)
    assert nights(room_type) == [5] * 14


@pytest.mark.parametrize(
    "service, status, refusal",
    [
        (services.booking_confirm, Booking.Status.CONFIRMED, "A confirmed booking cannot be confirmed"),
        (services.booking_confirm, Booking.Status.CANCELLED, "A cancelled booking cannot be confirmed"),
        (services.booking_decline, Booking.Status.CONFIRMED, "A confirmed booking cannot be declined"),
        (services.booking_decline, Booking.Status.DECLINED, "A declined booking cannot be declined"),
        (services.booking_cancel, Booking.Status.CANCELLED, "A cancelled booking cannot be cancelled"),
        (services.booking_cancel, Booking.Status.DECLINED, "A declined booking cannot be cancelled"),
    ],
)
def test_impossible_status_changes_are_409_and_change_nothing(service, status, refusal):
    room_type = RoomTypeFactory(amount=5)
    booking = make_booking(room_type=room_type, status=status)
    before = Booking.objects.get(pk=booking.pk)
    available = nights(room_type)
    with pytest.raises(Conflict) as caught:
        service(booking=booking)
    # What the partner reads in the 409 body: the message, and the status it was refused in.
    assert (caught.value.code, caught.value.message, caught.value.details) == (
        "invalid_status",
        refusal,
        {"status": status},
    )
    after = Booking.objects.get(pk=booking.pk)
    assert (after.status, after.change_seq) == (before.status, before.change_seq)
    assert nights(room_type) == available


def test_a_release_is_plus_one_even_after_a_pms_push():
    room_type = RoomTypeFactory(amount=5)
    booking = make_booking(room_type=room_type)
    RoomTypeNight.objects.filter(room_type=room_type).update(available=0)  # the PMS says: full
    services.booking_cancel(booking=booking)
    assert nights(room_type) == [1] * 14


def test_versions_never_go_backwards_and_each_change_of_a_booking_moves_its_version():
    room_type = RoomTypeFactory(amount=50)
    bookings = [make_booking(room_type=room_type) for _ in range(5)]  # likely in one second: may share a version
    own = [Booking.objects.get(pk=bookings[0].pk).version]
    for change in (services.booking_confirm, services.booking_cancel):  # the same booking, within the second
        change(booking=bookings[0])
        own.append(Booking.objects.get(pk=bookings[0].pk).version)

    assert own == sorted(set(own))  # three changes, three versions, each later
    in_change_order = [booking.version for booking in Booking.objects.order_by("change_seq")]
    assert in_change_order == sorted(in_change_order)


def test_a_message_is_stored_once_within_60_seconds():
    booking = make_booking(room_type=RoomTypeFactory())
    sender = booking.listing.host
    first, created = services.booking_message_create(booking=booking, sender=sender, body="Hello")
    again, created_again = services.booking_message_create(booking=booking, sender=sender, body="Hello")
    assert created and not created_again
    assert again.pk == first.pk
    BookingMessage.objects.update(created_at=first.created_at - timedelta(seconds=61))
    _later, created_later = services.booking_message_create(booking=booking, sender=sender, body="Hello")
    assert created_later
    _other, created_other = services.booking_message_create(booking=booking, sender=booking.guest, body="Hello")
    assert created_other
    assert BookingMessage.objects.count() == 3


def test_the_same_message_on_another_booking_is_stored():
    room_type = RoomTypeFactory()
    first, second = make_booking(room_type=room_type), make_booking(room_type=room_type)
    sender = room_type.listing.host
    services.booking_message_create(booking=first, sender=sender, body="Welcome")
    _message, created = services.booking_message_create(booking=second, sender=sender, body="Welcome")
    assert created
    assert list(BookingMessage.objects.order_by("pk").values_list("booking", flat=True)) == [first.pk, second.pk]


def test_elsewhere_the_insert_picks_the_id_and_the_reference_follows_in_a_second_statement():
    # What SQLite runs, run on this database too: no id is drawn before the INSERT.
    room_type = RoomTypeFactory(amount=5)

    with as_another_database():
        booking = create(room_type)

    assert booking.reference == f"CO-{1000 + booking.pk}"
    assert Booking.objects.get().reference == booking.reference
    assert nights(room_type) == [4] * 14

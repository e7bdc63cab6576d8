"""``bookings/intervals.py``: half-open overlap and the peak of units in use, for days and times."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from bookings.intervals import overlaps, peak_units
from bookings.models import Booking
from bookings.tests.factories import make_booking
from listings.tests.factories import RoomTypeFactory

D = date(2024, 2, 1)
NINE = datetime(2024, 2, 1, 9, 0)
HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    "first, second, expected",
    [
        ((D, D + timedelta(days=3)), (D + timedelta(days=2), D + timedelta(days=5)), True),
        ((D, D + timedelta(days=3)), (D + timedelta(days=3), D + timedelta(days=5)), False),  # check-out = check-in
        ((D, D + timedelta(days=9)), (D + timedelta(days=2), D + timedelta(days=3)), True),  # one inside the other
        ((NINE, NINE + HOUR), (NINE + HOUR, NINE + 2 * HOUR), False),  # back-to-back meetings
        ((NINE, NINE + 2 * HOUR), (NINE + HOUR, NINE + 3 * HOUR), True),
    ],
)
def test_overlaps_is_half_open_and_symmetric(first, second, expected):
    assert overlaps(first, second) is expected
    assert overlaps(second, first) is expected


def test_peak_units_counts_the_busiest_moment_not_the_sum():
    bookings = [(NINE, NINE + 2 * HOUR, 1), (NINE + HOUR, NINE + 3 * HOUR, 2), (NINE + 2 * HOUR, NINE + 4 * HOUR, 1)]

    # 9–10: 1, 10–11: 3, 11–12: 3 (the first has ended as the third starts), 12–13: 1
    assert peak_units(bookings) == 3
    assert peak_units(bookings, within=(NINE, NINE + HOUR)) == 1
    assert peak_units(bookings, within=(NINE + 3 * HOUR, NINE + 5 * HOUR)) == 1
    assert peak_units(bookings, within=(NINE + 4 * HOUR, NINE + 5 * HOUR)) == 0
    assert peak_units([]) == 0


def test_back_to_back_intervals_never_add_up():
    assert peak_units([(NINE + n * HOUR, NINE + (n + 1) * HOUR, 2) for n in range(5)]) == 2


@pytest.mark.django_db
def test_bookings_overlapping_some_nights_are_the_stays_that_hold_one_of_them():
    room_type = RoomTypeFactory(amount=5)
    early = make_booking(room_type=room_type, checkin=D, checkout=D + timedelta(days=3))
    late = make_booking(room_type=room_type, checkin=D + timedelta(days=3), checkout=D + timedelta(days=6))
    cancelled = make_booking(
        room_type=room_type, checkin=D, checkout=D + timedelta(days=6), status=Booking.Status.CANCELLED
    )

    def found(start, end):
        return set(Booking.objects.overlapping(start, end).values_list("pk", flat=True))

    assert found(D + timedelta(days=2), D + timedelta(days=3)) == {early.pk, cancelled.pk}
    assert found(D + timedelta(days=3), D + timedelta(days=4)) == {late.pk, cancelled.pk}
    assert set(Booking.objects.overlapping(D, D + timedelta(days=9)).holding()) == {early, late}
    assert not found(D + timedelta(days=6), D + timedelta(days=7))  # everyone has checked out

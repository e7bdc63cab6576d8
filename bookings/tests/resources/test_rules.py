"""Cobot's booking rules as values: booking windows, price, durations across DST, who may change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from bookings.resources import rules
from coliving.api.errors import Conflict, Forbidden

BERLIN = ZoneInfo("Europe/Berlin")
WEEKDAYS = [{"from": "09:00", "to": "17:00", "weekdays": [1, 2, 3, 4, 5]}]


def local(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


@pytest.mark.parametrize(
    "start, end, fits",
    [
        (local(2031, 5, 5, 9), local(2031, 5, 5, 17), True),  # Monday, the whole window
        (local(2031, 5, 5, 8, 59), local(2031, 5, 5, 10), False),
        (local(2031, 5, 5, 16), local(2031, 5, 5, 17, 1), False),
        (local(2031, 5, 10, 10), local(2031, 5, 10, 11), False),  # Saturday
        (local(2031, 5, 5, 16), local(2031, 5, 6, 10), False),  # overnight
    ],
)
def test_a_booking_fits_one_window_on_one_local_day(start, end, fits):
    assert rules.within_booking_times(WEEKDAYS, start, end, BERLIN) is fits


def test_no_windows_means_any_time_and_no_weekdays_every_day():
    assert rules.within_booking_times([], local(2031, 5, 10, 3), local(2031, 5, 12, 3), BERLIN)
    every_day = [{"from": "07:00", "to": "24:00", "weekdays": []}]
    assert rules.within_booking_times(every_day, local(2031, 5, 10, 20), local(2031, 5, 11, 0), BERLIN)  # to midnight
    assert not rules.within_booking_times(every_day, local(2031, 5, 10, 6), local(2031, 5, 10, 8), BERLIN)


def test_windows_are_wall_clock_times_on_both_sides_of_a_dst_change():
    every_day = [{"from": "09:00", "to": "17:00"}]
    winter = datetime(2031, 3, 29, 8, tzinfo=UTC)  # 09:00 CET
    summer = datetime(2031, 3, 30, 7, tzinfo=UTC)  # 09:00 CEST
    assert rules.within_booking_times(every_day, winter, winter + timedelta(hours=8), BERLIN)
    assert rules.within_booking_times(every_day, summer, summer + timedelta(hours=8), BERLIN)
    assert not rules.within_booking_times(every_day, summer - timedelta(hours=1), summer, BERLIN)  # 08:00 CEST


def test_a_booking_across_the_spring_change_lasts_what_the_clock_says():
    # 00:00 to 04:00 on the wall in Berlin, 30 March 2031: the hour 02:00–03:00 does not exist.
    start, end = local(2031, 3, 30, 0), local(2031, 3, 30, 4)
    assert rules.elapsed(start, end) == timedelta(hours=3)
    assert end - start == timedelta(hours=4)  # what Python says of the same tzinfo: the trap elapsed() avoids
    assert rules.booking_price(price_per_hour=Decimal("10.00"), start=start, end=end, units=2) == Decimal("60.00")


def test_a_booking_across_the_autumn_change_lasts_an_hour_more():
    start, end = local(2031, 10, 26, 0), local(2031, 10, 26, 4)
    assert rules.elapsed(start, end) == timedelta(hours=5)
    assert rules.booking_price(price_per_hour=Decimal("10.00"), start=start, end=end, units=1) == Decimal("50.00")


def test_prices_are_rounded_to_the_cent_half_up():
    start = datetime(2031, 5, 5, 9, tzinfo=UTC)
    assert rules.booking_price(
        price_per_hour=Decimal("3.33"), start=start, end=start + timedelta(minutes=45), units=1
    ) == Decimal("2.50")  # 2.4975


@pytest.mark.parametrize(
    "value, text",
    [
        (None, None),
        (Decimal("20.00"), "20.0"),
        (Decimal("7.50"), "7.5"),
        (Decimal("12.25"), "12.25"),
        (Decimal("0"), "0.0"),
    ],
)
def test_decimals_are_written_as_cobot_writes_them(value, text):
    assert rules.decimal_text(value) == text


NOW = datetime(2031, 5, 5, 12, tzinfo=UTC)
MEMBER = SimpleNamespace(pk=1, is_admin=False)
ADMIN = SimpleNamespace(pk=2, is_admin=True)


def refusal(actor, *, membership_id=1, start=NOW + timedelta(days=2), event_id=None, period=0, deleting=False):
    return rules.change_refusal(
        actor=actor,
        membership_id=membership_id,
        start=start,
        event_id=event_id,
        cancellation_period=period,
        now=NOW,
        deleting=deleting,
    )


def test_members_change_their_own_future_bookings_before_the_cancellation_period():
    assert refusal(MEMBER) is None
    assert refusal(MEMBER, period=47) is None
    assert isinstance(refusal(MEMBER, period=49), Forbidden)
    assert isinstance(refusal(MEMBER, membership_id=3), Forbidden)
    assert isinstance(refusal(MEMBER, start=NOW), Forbidden)


def test_admins_and_the_platform_change_anything_but_an_events_booking():
    for actor in (ADMIN, None):
        assert refusal(actor, membership_id=3, start=NOW - timedelta(days=3), period=100) is None
        assert isinstance(refusal(actor, event_id=9), Conflict)
    assert "deleted" in refusal(MEMBER, event_id=9, deleting=True).message

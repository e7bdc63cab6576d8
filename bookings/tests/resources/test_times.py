"""Cobot's time formats: what ``from``/``to`` accept, and what responses carry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bookings.resources.times import format_time, parse_time

BERLIN = ZoneInfo("Europe/Berlin")
NOON = datetime(2012, 4, 12, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    "text, moment",
    [
        ("2012-04-12 12:00 +0000", NOON),  # the spec's queries and bodies
        ("2012-04-12 12:00  0000", NOON),  # the same sent raw in a query string: "+" reads as a space
        ("2012-04-12 12:00 0000", NOON),
        ("2012-4-12 12:00 +0000", NOON),  # unpadded, as the spec's PUT example ("2012-01-1")
        ("2012/04/12 12:00:00 +0000", NOON),  # what responses carry
        ("2012-04-12T12:00:00Z", NOON),
        ("2012-04-12T12:00:00.000Z", NOON),
        ("2012-04-12T14:00:00+02:00", NOON),
        ("2012-04-12 14:00 +0200", NOON),
        ("2012-04-12T07:00-05:00", NOON),
        ("2012-04-12T12:00Z", NOON),
        ("2012-04-12 14:00", NOON),  # no offset: the given zone (Berlin, summer time)
        ("2012-04-12", datetime(2012, 4, 11, 22, tzinfo=UTC)),  # a date: its local midnight
    ],
)
def test_it_reads_every_documented_form(text, moment):
    assert parse_time(text, BERLIN) == moment


@pytest.mark.parametrize(
    "text",
    ["", "yesterday", "2012-04-1212:00", "2012-13-01", "2012-02-30", "2012-04-12 24:00", "2012-04-12 1200", "12:00"],
)
def test_it_refuses_anything_else(text):
    with pytest.raises(ValueError):
        parse_time(text)


def test_an_offset_out_of_range_is_refused():
    with pytest.raises(ValueError):
        parse_time("2012-04-12 12:00 +2400")


def test_times_are_written_in_utc_as_the_spec_shows_them():
    assert (
        format_time(datetime(2012, 1, 1, 13, 0, 5, tzinfo=timezone(timedelta(hours=1)))) == "2012/01/01 12:00:05 +0000"
    )
    assert format_time(parse_time("2031-03-30 03:30", BERLIN)) == "2031/03/30 01:30:00 +0000"


def test_local_times_follow_daylight_saving():
    assert parse_time("2031-03-29 12:00", BERLIN).utcoffset() == timedelta(hours=1)
    assert parse_time("2031-03-30 12:00", BERLIN).utcoffset() == timedelta(hours=2)

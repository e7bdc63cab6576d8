"""Cobot's time formats (``shared/spec/cobot-bookings-api.txt``).

In: ``2012-04-12 12:00 +0000`` (what the spec's queries and bodies send; the day may be
unpadded, ``2012-01-1``), the same with seconds or ``/`` between the date's parts (what
responses carry, so a client can send back what it read), ISO 8601 (``2012-04-12T12:00:00Z``,
``+02:00``), and a date alone (its midnight). A query string's ``+`` arrives as a space
unless the client encoded it (``12:00 +0000`` sent raw reads ``12:00  0000``); a space
followed by four digits is that offset. A time without an offset is the space's local time.

Out: ``2012/01/01 12:00:00 +0000``, in UTC, the form every response of the spec shows.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo

_TIME = re.compile(
    r"""
    (?P<year>\d{4})[-/](?P<month>\d{1,2})[-/](?P<day>\d{1,2})
    (?:
        (?:[ T]|\s+)(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,6})\d*)?)?
    )?
    \s*
    (?P<offset>Z|z|UTC|[+-]\d{2}(?::?\d{2})?|(?<=\s)\d{4})?
    """,
    re.VERBOSE,
)


def parse_time(value: str, default_tz: tzinfo = UTC) -> datetime:
    """The aware datetime ``value`` names; ``ValueError`` when it is none of the accepted forms."""
    match = _TIME.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{value!r} is not a time")
    parts = match.groupdict()
    moment = datetime(
        int(parts["year"]),
        int(parts["month"]),
        int(parts["day"]),
        int(parts["hour"] or 0),
        int(parts["minute"] or 0),
        int(parts["second"] or 0),
        int((parts["fraction"] or "0").ljust(6, "0")),
    )
    offset = parts["offset"]
    if offset is None:
        # The wall clock of the space. A wall time that a DST change skips or repeats takes
        # the offset in force before the change (zoneinfo's fold=0).
        return moment.replace(tzinfo=default_tz)
    if offset.isdigit() and parts["hour"] is None:
        raise ValueError(f"{value!r} is not a time")  # "2012-04-12 1200": no time for an offset to follow
    return moment.replace(tzinfo=_offset(offset))


def _offset(text: str) -> tzinfo:
    if text in ("Z", "z", "UTC"):
        return UTC
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-").replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(f"{text!r} is not a UTC offset")
    delta = sign * timedelta(hours=hours, minutes=minutes)
    return timezone(delta) if delta else UTC


def format_time(value: datetime) -> str:
    """``2012/01/01 12:00:00 +0000`` (UTC). Four per booking of a list: formatted by hand, at
    about half the cost of ``strftime``; rows come from the database in UTC already."""
    if value.utcoffset():
        value = value.astimezone(UTC)
    return (
        f"{value.year:04d}/{value.month:02d}/{value.day:02d} "
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d} +0000"
    )

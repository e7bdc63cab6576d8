"""Which nights a host's iCalendar blocks (RFC 5545, parsed by ``icalendar``; recurrences
expanded by ``recurring-ical-events``).

- An all-day event (``DTSTART;VALUE=DATE``) blocks from its start up to the night before
  ``DTEND``: ``DTEND`` is the check-out day, exclusive. Without ``DTEND`` it is one day.
- A timed event blocks every night whose day it touches, in its own time zone (a floating
  time as written): 10:00 to 12:00 on the 3rd blocks the 3rd; 15:00 on the 3rd to 10:00 on
  the 5th blocks the 3rd, 4th and 5th — ending exactly at midnight does not touch the next.
  Calendars disagree on what a stay's times mean, so a timed event errs on the blocked side.
- Recurring events (``RRULE``, ``RDATE``, ``EXDATE``, moved occurrences) are expanded over
  the window only.
- Cancelled events (``STATUS:CANCELLED``, also a single cancelled occurrence) and free time
  (``TRANSP:TRANSPARENT``) block nothing, nor do events whose ``UID`` is one of our own
  exports (``export.UID_DOMAIN``) echoed back by a channel: that would be a loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import icalendar
import recurring_ical_events

from listings.ical.export import UID_DOMAIN


class CalendarError(ValueError):
    """The body is not an iCalendar the parser can read."""


@dataclass(frozen=True)
class CalendarNights:
    nights: frozenset[date]
    events: int  # occurrences in the window that blocked something


def calendar_nights(content: bytes, *, start: date, end: date) -> CalendarNights:
    """The nights from ``start`` to the night before ``end`` that the calendar blocks."""
    try:
        calendar = icalendar.Calendar.from_ical(content)
        occurrences = list(recurring_ical_events.of(calendar, skip_bad_series=True).between(start, end))
    except Exception as exc:  # icalendar and the expansion raise a variety of errors on bad input
        raise CalendarError(f"Not a readable iCalendar: {exc}") from None
    nights: set[date] = set()
    events = 0
    for event in occurrences:
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        if str(event.get("TRANSP", "")).upper() == "TRANSPARENT":
            continue
        if str(event.get("UID", "")).endswith(f"@{UID_DOMAIN}"):
            continue
        touched = {night for night in event_nights(event) if start <= night < end}
        if touched:
            events += 1
            nights |= touched
    return CalendarNights(frozenset(nights), events)


def event_nights(event) -> list[date]:
    """The nights one occurrence blocks (see the module docstring)."""
    begin = event.get("DTSTART")
    if begin is None:
        return []
    begin = begin.dt
    finish = event.get("DTEND")
    if finish is not None:
        finish = finish.dt
    elif event.get("DURATION") is not None:
        finish = begin + event.get("DURATION").dt
    if not isinstance(begin, datetime):  # all day
        last = finish if isinstance(finish, date) and not isinstance(finish, datetime) else begin + timedelta(days=1)
        last = max(last, begin + timedelta(days=1)) - timedelta(days=1)
        return [begin + timedelta(days=offset) for offset in range((last - begin).days + 1)]
    if not isinstance(finish, datetime) or finish <= begin:
        return [begin.date()]
    if finish.tzinfo is not None and begin.tzinfo is not None:
        finish = finish.astimezone(begin.tzinfo)
    last = (finish - timedelta(microseconds=1)).date()
    first = begin.date()
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]

"""Exported calendars: ``GET /v2/listings/{id}/room-types/{room_type_id}/calendar.ics?token=…``
(``&room={room_id}`` for one room) — what channel sites subscribe to, with no API key: the
listing's secret ``calendar_token`` is in the URL.

A room type's calendar lists, from today to ``ICAL_HORIZON_DAYS`` ahead:

- every booking holding a unit (pending or confirmed), one all-day event per stay,
  ``DTEND`` the check-out day (exclusive), ``UID booking-<id>@calendar.coliving``;
- the nights each of its active rooms is blocked by its host calendar, one event per run
  of consecutive nights, ``UID block-<room id>-<first night>@calendar.coliving``.

UIDs are stable: the same booking or block run keeps its UID from one fetch to the next
(a run that grows at its end keeps it; one that starts earlier is a new event). ``DTSTAMP``
is the booking's last change, or the run's first night, so an unchanged calendar is
byte-for-byte the same.

**Loops.** A room's own calendar (``&room=``) leaves out the nights imported from that
room's calendar URL: the channel that gave us the URL subscribes to the room's export, and
must not be sent its own events back (it would block them twice, and forever). Events we
export carry our UID domain, and the import ignores those too, should a channel echo them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
from django.apps import apps
from django.conf import settings

from listings import limits
from listings.models import Room, RoomNightBlock, RoomType

UID_DOMAIN = "calendar.coliving"
PRODID = "-//Coliving platform//Availability//EN"


def room_type_calendar(*, room_type: RoomType, room: Room | None = None) -> bytes:
    """The iCalendar of ``room_type`` (or of its room ``room``)."""
    booking_model = apps.get_model("bookings", "Booking")
    start = limits.today()
    end = start + timedelta(days=settings.ICAL_HORIZON_DAYS)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    name = room_type.name if room is None else f"{room_type.name} — {room.name}"
    calendar.add("x-wr-calname", name)

    bookings = booking_model.objects.filter(
        room_type=room_type, status__in=booking_model.HOLDING, checkout__gt=start, checkin__lt=end
    ).order_by("checkin", "id")
    for pk, checkin, checkout, changed in bookings.values_list("id", "checkin", "checkout", "updated_at"):
        calendar.add_component(_event(f"booking-{pk}", "Booked", checkin, checkout, changed))

    blocks = RoomNightBlock.objects.filter(
        room__room_type=room_type, room__is_active=True, date__gte=start, date__lt=end
    )
    if room is not None:
        blocks = blocks.filter(room=room)
        if room.ical_url:
            blocks = blocks.exclude(source_url=room.ical_url)
    rows = blocks.order_by("room_id", "date").values_list("room_id", "date")
    for room_id, first, after in _runs(rows):
        stamp = datetime(first.year, first.month, first.day, tzinfo=UTC)
        calendar.add_component(_event(f"block-{room_id}-{first:%Y%m%d}", "Blocked", first, after, stamp))
    return calendar.to_ical()


def _event(uid: str, summary: str, first: date, after: date, stamp: datetime) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", f"{uid}@{UID_DOMAIN}")
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", first)
    event.add("dtend", after)
    event.add("summary", summary)
    event.add("transp", "OPAQUE")
    return event


def _runs(rows) -> list[tuple[int, date, date]]:
    """``(room_id, date)`` rows, sorted, as ``(room_id, first night, day after the last)`` runs."""
    runs: list[list] = []
    for room_id, night in rows:
        if runs and runs[-1][0] == room_id and runs[-1][2] == night:
            runs[-1][2] = night + timedelta(days=1)
        else:
            runs.append([room_id, night, night + timedelta(days=1)])
    return [tuple(run) for run in runs]

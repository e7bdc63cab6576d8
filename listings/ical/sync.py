"""Fetching rooms' availability calendars (``Room.ical_url``, the feed's
``rooms[].availability.ical``) on a schedule, and applying them through the inventory.

- ``room_calendars_dispatch`` (periodic, from the scheduler) makes sure every active room
  with a calendar URL has a ``RoomCalendar``, claims the due ones (``next_fetch_at`` moved
  ``ICAL_SYNC_MINUTES`` on, rows locked ``SKIP LOCKED``) and enqueues one
  ``room_calendar_sync`` per room when it commits.
- ``room_calendar_sync`` fetches the URL through the outbound guard (conditional GET; the
  validators are only sent once per day, so the window moves on daily even for an
  unchanged calendar), reads the nights it blocks from today to ``ICAL_HORIZON_DAYS``
  ahead (``parse.py``) and hands them to ``listings.inventory.room_blocks_apply`` — the
  only writer of nights — which recomputes availability and flags bookings that collide.
  A room whose URL was removed, or that was deactivated, has its blocks lifted. A failed
  fetch changes nothing (the last blocks stay) and is recorded on the ``RoomCalendar``.
  Applying the same calendar twice changes nothing the second time.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from coliving.http import FetchError, fetch
from listings import inventory, limits
from listings.ical.parse import CalendarError, calendar_nights
from listings.models import Room, RoomCalendar

USER_AGENT = "coliving-calendars/1.0"


@transaction.atomic
def room_calendars_dispatch(*, now=None) -> list[int]:
    """Claim the rooms whose calendar is due and enqueue a sync of each; return their ids."""
    from listings.tasks import room_calendar_sync

    now = now or timezone.now()
    with_url = Room.objects.filter(is_active=True, room_type__is_active=True).exclude(ical_url="")
    missing = with_url.filter(calendar__isnull=True).values_list("pk", flat=True)
    RoomCalendar.objects.bulk_create([RoomCalendar(room_id=pk) for pk in missing], ignore_conflicts=True)
    due = (
        RoomCalendar.objects.select_for_update(skip_locked=True)
        .filter(Q(next_fetch_at__isnull=True) | Q(next_fetch_at__lte=now))
        .order_by("id")
    )
    rooms = []
    for calendar in due:
        RoomCalendar.objects.filter(pk=calendar.pk).update(
            next_fetch_at=now + timedelta(minutes=settings.ICAL_SYNC_MINUTES)
        )
        rooms.append(calendar.room_id)
    for room_id in rooms:
        transaction.on_commit(lambda room_id=room_id: room_calendar_sync.enqueue(room_id))
    return rooms


def room_calendar_sync(*, room_id: int) -> str:
    """Fetch and apply one room's calendar; return what happened."""
    room = Room.objects.select_related("room_type").filter(pk=room_id).first()
    if room is None:
        return "gone"
    calendar, _ = RoomCalendar.objects.get_or_create(room=room)
    start = limits.today()
    end = start + timedelta(days=settings.ICAL_HORIZON_DAYS)
    now = timezone.now()
    if not room.ical_url or not room.is_active or not room.room_type.is_active:
        inventory.room_blocks_apply(room=room, nights=set(), source_url=calendar.url, start=start, end=end)
        calendar.delete()
        return "cleared"
    fresh = calendar.url == room.ical_url and calendar.fetched_at is not None
    fresh = fresh and timezone.localdate(calendar.fetched_at) == timezone.localdate(now)
    try:
        fetched = fetch(
            room.ical_url,
            etag=calendar.etag if fresh else "",
            last_modified=calendar.last_modified if fresh else "",
            accept="text/calendar",
            user_agent=USER_AGENT,
        )
        if fetched.not_modified:
            RoomCalendar.objects.filter(pk=calendar.pk).update(fetched_at=now, error="")
            return "not_modified"
        found = calendar_nights(fetched.content, start=start, end=end)
    except (FetchError, CalendarError) as exc:
        RoomCalendar.objects.filter(pk=calendar.pk).update(error=str(exc)[:2000])
        return "failed"
    inventory.room_blocks_apply(room=room, nights=set(found.nights), source_url=room.ical_url, start=start, end=end)
    RoomCalendar.objects.filter(pk=calendar.pk).update(
        url=room.ical_url,
        etag=fetched.etag[:500],
        last_modified=fetched.last_modified[:100],
        fetched_at=now,
        events=found.events,
        blocked_nights=len(found.nights),
        error="",
    )
    return "applied"

"""iCal: host calendars block rooms' nights (parsing rules; fetched from a real HTTP server on
127.0.0.1; applied through the inventory with collisions flagged), and the exported
calendar.ics (token, contents, stable UIDs, no loops)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import transaction
from django.urls import reverse

from bookings.models import Booking
from bookings.tests.factories import make_booking
from listings import inventory
from listings.ical.export import room_type_calendar
from listings.ical.parse import CalendarError, calendar_nights
from listings.ical.sync import room_calendar_sync, room_calendars_dispatch
from listings.models import BookingConflict, RoomCalendar, RoomNightBlock, RoomTypeNight
from listings.tests.conftest import TODAY
from listings.tests.factories import RoomFactory, RoomTypeFactory

pytestmark = pytest.mark.django_db
WINDOW = {"start": date(2024, 5, 1), "end": date(2024, 7, 1)}


def ics(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{event.strip()}\r\nEND:VEVENT\r\n" for event in events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Host//EN\r\n{body}END:VCALENDAR\r\n".encode()


def event(uid: str, *lines: str) -> str:
    return "\r\n".join((f"UID:{uid}", "DTSTAMP:20240401T000000Z", *lines))


def days(first: str, last: str) -> set[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return {start + timedelta(days=n) for n in range((end - start).days + 1)}


# --- parsing ----------------------------------------------------------------------------------


def test_an_all_day_event_ends_on_the_check_out_day_exclusive():
    found = calendar_nights(ics(event("a", "DTSTART;VALUE=DATE:20240510", "DTEND;VALUE=DATE:20240513")), **WINDOW)

    assert found.nights == days("2024-05-10", "2024-05-12")
    assert found.events == 1


def test_an_all_day_event_without_an_end_is_one_day():
    found = calendar_nights(ics(event("a", "DTSTART;VALUE=DATE:20240510")), **WINDOW)

    assert found.nights == {date(2024, 5, 10)}


def test_timed_events_block_the_nights_they_touch():
    calendar = ics(
        event("short", "DTSTART:20240503T100000Z", "DTEND:20240503T120000Z"),
        event("stay", "DTSTART;TZID=Europe/Berlin:20240510T150000", "DTEND;TZID=Europe/Berlin:20240512T100000"),
        event("midnight", "DTSTART:20240520T180000", "DTEND:20240521T000000"),
    )

    assert calendar_nights(calendar, **WINDOW).nights == {date(2024, 5, 3)} | days("2024-05-10", "2024-05-12") | {
        date(2024, 5, 20)
    }


def test_recurring_events_are_expanded_and_exceptions_honoured():
    calendar = ics(
        event(
            "weekly",
            "DTSTART;VALUE=DATE:20240506",
            "DTEND;VALUE=DATE:20240508",
            "RRULE:FREQ=WEEKLY;COUNT=4",
            "EXDATE;VALUE=DATE:20240513",
        ),
        # The third occurrence is cancelled on its own.
        event("weekly", "RECURRENCE-ID;VALUE=DATE:20240520", "DTSTART;VALUE=DATE:20240520", "STATUS:CANCELLED"),
    )

    assert calendar_nights(calendar, **WINDOW).nights == days("2024-05-06", "2024-05-07") | days(
        "2024-05-27", "2024-05-28"
    )


def test_cancelled_free_and_echoed_events_block_nothing():
    calendar = ics(
        event("c", "DTSTART;VALUE=DATE:20240510", "DTEND;VALUE=DATE:20240512", "STATUS:CANCELLED"),
        event("t", "DTSTART;VALUE=DATE:20240514", "DTEND;VALUE=DATE:20240515", "TRANSP:TRANSPARENT"),
        event("booking-7@calendar.coliving", "DTSTART;VALUE=DATE:20240516", "DTEND;VALUE=DATE:20240517"),
        event("outside", "DTSTART;VALUE=DATE:20240801", "DTEND;VALUE=DATE:20240803"),
    )

    assert calendar_nights(calendar, **WINDOW).nights == frozenset()


def test_a_body_that_is_not_a_calendar_is_an_error():
    with pytest.raises(CalendarError):
        calendar_nights(b"<html>nope</html>", **WINDOW)


# --- applying blocks through the inventory ----------------------------------------------------


@pytest.fixture
def rooms(today):
    room_type = RoomTypeFactory(amount=2)
    return RoomFactory(room_type=room_type, name="Room 1"), RoomFactory(room_type=room_type, name="Room 2")


def available(room_type, first: str, last: str) -> dict[date, int]:
    nights = RoomTypeNight.objects.filter(room_type=room_type, date__in=days(first, last))
    stored = dict(nights.values_list("date", "available"))
    return {night: stored.get(night, room_type.amount) for night in sorted(days(first, last))}


def apply(room, nights, url="https://host.example.com/room.ics"):
    return inventory.room_blocks_apply(
        room=room, nights=nights, source_url=url, start=TODAY, end=TODAY + timedelta(days=365)
    )


def test_blocks_take_units_and_lifting_them_gives_them_back(rooms):
    first, second = rooms
    room_type = first.room_type

    apply(first, days("2024-05-10", "2024-05-12"))
    apply(second, days("2024-05-12", "2024-05-13"))

    assert list(available(room_type, "2024-05-09", "2024-05-14").values()) == [2, 1, 1, 0, 1, 2]
    result = apply(first, set())
    assert result["removed"] == sorted(days("2024-05-10", "2024-05-12"))
    assert list(available(room_type, "2024-05-09", "2024-05-14").values()) == [2, 2, 2, 1, 1, 2]


def test_a_block_counts_the_bookings_and_flags_the_one_it_collides_with(rooms):
    first, second = rooms
    room_type = first.room_type
    early = make_booking(room_type=room_type, checkin=date(2024, 5, 1), checkout=date(2024, 5, 20))
    late = make_booking(room_type=room_type, checkin=date(2024, 5, 10), checkout=date(2024, 5, 12))
    assert list(available(room_type, "2024-05-09", "2024-05-12").values()) == [1, 0, 0, 1]

    apply(first, days("2024-05-09", "2024-05-11"))

    # Units not blocked minus bookings, never below zero.
    assert list(available(room_type, "2024-05-08", "2024-05-12").values()) == [1, 0, 0, 0, 1]
    [conflict] = BookingConflict.objects.all()
    assert conflict.booking == late  # the latest booking of the oversold nights
    assert conflict.nights == ["2024-05-10", "2024-05-11"]
    assert conflict.source_url == "https://host.example.com/room.ics"
    assert Booking.objects.get(pk=late.pk).status == "pending"  # flagged, not dropped
    assert Booking.objects.get(pk=early.pk).status == "pending"

    # The second room blocked too: on the 11th both rooms are blocked under two bookings, so the
    # early booking is over as well (the 12th fits: one room free, one booking). Applied twice,
    # the open conflicts stay one per booking.
    apply(second, days("2024-05-11", "2024-05-12"))
    apply(second, days("2024-05-11", "2024-05-12"))
    conflicts = {c.booking_id: c.nights for c in BookingConflict.objects.all()}
    assert conflicts == {late.pk: ["2024-05-10", "2024-05-11"], early.pk: ["2024-05-11"]}
    assert list(available(room_type, "2024-05-11", "2024-05-13").values()) == [0, 0, 1]


def test_only_the_nights_of_the_window_are_blocked_its_first_in_and_its_end_out(rooms):
    first, _ = rooms
    start, end = TODAY + timedelta(days=10), TODAY + timedelta(days=13)
    old, new = "https://old.example/x.ics", "https://new.example/x.ics"
    for night in (start - timedelta(days=1), start, end):  # the night before and the end: outside the window
        RoomNightBlock.objects.create(room=first, date=night, source_url=old)
    asked = {start - timedelta(days=1), start, end - timedelta(days=1), end}

    result = inventory.room_blocks_apply(room=first, nights=asked, source_url=new, start=start, end=end)

    assert (result["added"], result["removed"]) == ([end - timedelta(days=1)], [])
    blocks = dict(RoomNightBlock.objects.order_by("date").values_list("date", "source_url"))
    assert blocks == {start - timedelta(days=1): old, start: new, end - timedelta(days=1): new, end: old}


def test_a_night_counts_the_active_rooms_and_holding_bookings_of_its_own_room_type_only(rooms):
    first, _ = rooms
    room_type = first.room_type
    night = date(2024, 5, 10)
    RoomNightBlock.objects.create(room=RoomFactory(room_type=room_type, is_active=False), date=night)
    RoomNightBlock.objects.create(room=RoomFactory(), date=night)  # another room type's room
    make_booking(room_type=room_type, checkin=night, checkout=night + timedelta(days=1), status="cancelled")
    make_booking(room_type=RoomTypeFactory(), checkin=night, checkout=night + timedelta(days=1))

    apply(first, {night})

    assert available(room_type, "2024-05-10", "2024-05-10") == {night: 1}  # 2 units, 1 blocked


def test_the_latest_booking_is_flagged_into_one_open_conflict_that_grows(rooms):
    first, _ = rooms
    room_type = first.room_type
    made_first, made_second = (
        make_booking(room_type=room_type, checkin=date(2024, 5, 10), checkout=date(2024, 5, 13)) for _ in range(2)
    )
    # Imported with a later creation time than the booking made after it: the time decides.
    later = made_second.created_at + timedelta(minutes=1)
    Booking.objects.filter(pk=made_first.pk).update(created_at=later)

    assert apply(first, days("2024-05-10", "2024-05-10"))["flagged"] == [made_first.pk]
    BookingConflict.objects.update(resolved_at=later)  # staff settled it
    apply(first, days("2024-05-10", "2024-05-11"))
    apply(first, days("2024-05-10", "2024-05-12"))

    conflicts = BookingConflict.objects.filter(booking=made_first).order_by("pk")
    assert [(c.nights, c.resolved_at is None) for c in conflicts] == [
        (["2024-05-10"], False),
        (["2024-05-11", "2024-05-12"], True),
    ]
    assert not BookingConflict.objects.filter(booking=made_second).exists()


def test_applying_the_same_blocks_twice_changes_nothing(rooms, django_assert_num_queries):
    first, _ = rooms
    apply(first, days("2024-05-10", "2024-05-12"))

    # 1. savepoint  2. lock the room type  3. the room's current blocks  4. source URL check  5. release
    with django_assert_num_queries(5):
        result = apply(first, days("2024-05-10", "2024-05-12"))
    assert result == {"added": [], "removed": [], "flagged": []}


def test_a_booking_after_a_block_cannot_take_the_blocked_unit(rooms):
    first, second = rooms
    apply(first, days("2024-05-10", "2024-05-12"))
    apply(second, days("2024-05-11", "2024-05-11"))

    with transaction.atomic():
        full = inventory.nights_take(
            room_type_id=first.room_type_id, checkin=date(2024, 5, 10), checkout=date(2024, 5, 13)
        )
    assert full == [date(2024, 5, 11)]


# --- fetching on a schedule -------------------------------------------------------------------


@pytest.fixture
def immediate(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}


def test_the_dispatch_fetches_due_calendars_and_blocks_their_nights(
    http_server, rooms, immediate, django_capture_on_commit_callbacks
):
    first, second = rooms
    first.ical_url = http_server.serve(
        "/room-1.ics", ics(event("x", "DTSTART;VALUE=DATE:20240510", "DTEND;VALUE=DATE:20240513")), etag='"1"'
    )
    first.save()

    with django_capture_on_commit_callbacks(execute=True):
        assert room_calendars_dispatch() == [first.pk]  # the room without a URL is not fetched

    assert set(RoomNightBlock.objects.values_list("date", flat=True)) == days("2024-05-10", "2024-05-12")
    assert list(available(first.room_type, "2024-05-10", "2024-05-13").values()) == [1, 1, 1, 2]
    calendar = RoomCalendar.objects.get(room=first)
    assert (calendar.events, calendar.blocked_nights, calendar.etag, calendar.error) == (1, 3, '"1"', "")
    assert http_server.requests[0]["headers"]["Accept"] == "text/calendar"
    # Not due again for ICAL_SYNC_MINUTES.
    assert room_calendars_dispatch() == []
    # Fetched again the same day: a conditional GET, 304, nothing changes.
    assert room_calendar_sync(room_id=first.pk) == "not_modified"
    assert http_server.requests[-1]["headers"]["If-None-Match"] == '"1"'

    # The host frees two nights and blocks another.
    http_server.serve("/room-1.ics", ics(event("x", "DTSTART;VALUE=DATE:20240512", "DTEND;VALUE=DATE:20240514")))
    assert room_calendar_sync(room_id=first.pk) == "applied"
    assert list(available(first.room_type, "2024-05-10", "2024-05-14").values()) == [2, 2, 1, 1, 2]


def test_a_failed_fetch_keeps_the_last_blocks(http_server, rooms, settings):
    first, _ = rooms
    first.ical_url = http_server.serve("/room.ics", ics(event("x", "DTSTART;VALUE=DATE:20240510")))
    first.save()
    assert room_calendar_sync(room_id=first.pk) == "applied"

    http_server.serve("/room.ics", "down", status=503)
    assert room_calendar_sync(room_id=first.pk) == "failed"
    http_server.serve("/room.ics", "<html>")
    assert room_calendar_sync(room_id=first.pk) == "failed"
    settings.FETCH_ALLOWED_NETWORKS = []
    assert room_calendar_sync(room_id=first.pk) == "failed"

    assert "non-public address" in RoomCalendar.objects.get(room=first).error
    assert set(RoomNightBlock.objects.values_list("date", flat=True)) == {date(2024, 5, 10)}


def test_a_room_whose_calendar_is_removed_is_unblocked(http_server, rooms):
    first, _ = rooms
    first.ical_url = http_server.serve("/room.ics", ics(event("x", "DTSTART;VALUE=DATE:20240510")))
    first.save()
    room_calendar_sync(room_id=first.pk)

    first.ical_url = ""
    first.save()

    assert room_calendar_sync(room_id=first.pk) == "cleared"
    assert not RoomNightBlock.objects.exists()
    assert not RoomCalendar.objects.exists()
    assert available(first.room_type, "2024-05-10", "2024-05-10") == {date(2024, 5, 10): 2}


# --- export -----------------------------------------------------------------------------------


def calendar_url(room_type) -> str:
    return reverse("room-type-calendar", kwargs={"listing_id": room_type.listing_id, "room_type_id": room_type.pk})


def test_the_calendar_lists_bookings_and_blocks_with_stable_uids(api_client, rooms):
    first, second = rooms
    room_type = first.room_type
    booking = make_booking(room_type=room_type, checkin=date(2024, 5, 1), checkout=date(2024, 5, 5))
    apply(first, days("2024-05-10", "2024-05-12"))
    url = calendar_url(room_type)
    token = room_type.listing.calendar_token

    response = api_client.get(url, {"token": token})
    again = api_client.get(url, {"token": token})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.content == again.content  # stable: same UIDs and stamps
    text = response.content.decode()
    assert f"UID:booking-{booking.pk}@calendar.coliving" in text
    assert "DTSTART;VALUE=DATE:20240501" in text and "DTEND;VALUE=DATE:20240505" in text
    assert f"UID:block-{first.pk}-20240510@calendar.coliving" in text
    assert "DTEND;VALUE=DATE:20240513" in text
    # Imported back (a channel echoing it), it blocks nothing: no loop.
    assert calendar_nights(response.content, **WINDOW).nights == frozenset()


def test_a_rooms_calendar_leaves_out_what_came_from_its_own_url(api_client, rooms):
    first, second = rooms
    first.ical_url = "https://channel.example.com/room-1.ics"
    first.save()
    apply(first, days("2024-05-10", "2024-05-12"), url=first.ical_url)
    apply(second, days("2024-05-20", "2024-05-21"), url="https://other.example.com/room-2.ics")
    url, token = calendar_url(first.room_type), first.room_type.listing.calendar_token

    own = api_client.get(url, {"token": token, "room": first.pk}).content.decode()
    other = api_client.get(url, {"token": token, "room": second.pk}).content.decode()
    whole = api_client.get(url, {"token": token}).content.decode()

    assert "block-" not in own
    assert f"block-{second.pk}-20240520" in other and f"block-{first.pk}" not in other
    assert f"block-{first.pk}-20240510" in whole and f"block-{second.pk}-20240520" in whole


@pytest.mark.parametrize("case", ["no token", "wrong token", "other listing", "unknown room", "bad room"])
def test_a_bad_token_or_id_is_a_json_404(api_client, rooms, case):
    first, _ = rooms
    room_type = first.room_type
    other = RoomTypeFactory()
    token = room_type.listing.calendar_token
    url, params = calendar_url(room_type), {"token": token}
    if case == "no token":
        params = {}
    elif case == "wrong token":
        params = {"token": other.listing.calendar_token}
    elif case == "other listing":
        url = reverse("room-type-calendar", kwargs={"listing_id": other.listing_id, "room_type_id": room_type.pk})
    elif case == "unknown room":
        params["room"] = RoomFactory(room_type=other).pk
    else:
        params["room"] = "x"

    response = api_client.get(url, params, HTTP_ACCEPT="text/calendar")

    assert response.status_code == 404
    body = response.json()
    assert (body["success"], body["error"], body["code"]) == (False, "Calendar not found", "not_found")


def test_each_listing_has_its_own_token(rooms):
    other = RoomTypeFactory()
    token = rooms[0].room_type.listing.calendar_token
    assert len(token) >= 43 and token != other.listing.calendar_token
    assert room_type_calendar(room_type=other).startswith(b"BEGIN:VCALENDAR")


def test_of_bookings_made_at_the_same_instant_the_one_made_last_is_flagged(rooms):
    first, _ = rooms
    night = date(2024, 5, 10)
    made_first, made_second = (
        make_booking(room_type=first.room_type, checkin=night, checkout=night + timedelta(days=1)) for _ in range(2)
    )
    Booking.objects.filter(pk__in=[made_first.pk, made_second.pk]).update(created_at=made_first.created_at)

    assert apply(first, {night})["flagged"] == [made_second.pk]  # the id breaks the tie


def test_every_booking_a_calendar_oversells_gets_its_own_conflict(rooms):
    first, second = rooms
    night = date(2024, 5, 10)
    made = [make_booking(room_type=first.room_type, checkin=night, checkout=night + timedelta(days=1)) for _ in "ab"]
    apply(second, {night})
    BookingConflict.objects.update(resolved_at=made[1].created_at)  # staff settled the first collision

    result = apply(first, {night})  # both rooms blocked under two bookings: both over

    assert result["flagged"] == sorted(booking.pk for booking in made)
    opened = BookingConflict.objects.filter(resolved_at__isnull=True).order_by("booking_id")
    assert [(c.booking_id, c.nights) for c in opened] == [(booking.pk, ["2024-05-10"]) for booking in made]

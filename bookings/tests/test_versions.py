"""Booking versions: format, cursor parsing, and that a poller never misses a change —
including, on PostgreSQL, transactions that would otherwise commit out of order."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import connection, transaction

from bookings import services
from bookings.models import Booking
from bookings.tests.factories import guest_of, make_booking
from bookings.tests.feed_polling import confirmations_missed_while_polling, follow, poll
from bookings.versions import Cursor, encode_cursor, format_version, parse_since
from coliving.tests.locks import wait_for_lock_waiters
from conftest import requires_postgres
from listings.tests.factories import ListingFactory, RoomTypeFactory


def test_a_version_is_exactly_the_specs_format():
    at = datetime(2024, 5, 20, 14, 30, 0, 999999, tzinfo=UTC)
    assert format_version(at) == "2024-05-20 14:30:00"
    assert format_version(at.astimezone(timezone(timedelta(hours=2)))) == "2024-05-20 14:30:00"


def test_the_cursor_is_opaque_and_url_safe():
    cursor = encode_cursor(42)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", cursor)
    assert parse_since(cursor) == Cursor(seq=42)
    assert parse_since(encode_cursor(10**17)) == Cursor(seq=10**17)


@pytest.mark.parametrize(
    "value, cursor",
    [
        ("2024-05-20 14:30:00", Cursor(changed_from=datetime(2024, 5, 20, 14, 30, 0, tzinfo=UTC))),
        ("9999-12-31 23:59:59", Cursor(changed_from=datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC))),
        # Cursors handed out before versions lost their ".seq": still read as that seq.
        ("2024-05-20 14:30:00.000000042", Cursor(seq=42)),
        ("2024-05-20 14:30:00.7", Cursor(seq=7)),
    ],
)
def test_since_accepts_a_plain_second_or_an_earlier_cursor(value, cursor):
    assert parse_since(value) == cursor


@pytest.mark.parametrize(
    "value",
    [
        "",
        "2024-05-20",
        "2024-05-20T14:30:00",
        "2024-02-30 00:00:00",
        "2024-05-20 14:30:00.",
        "x",
        "c2VxOng",  # "seq:x"
        "bm90IGEgY3Vyc29y",  # "not a cursor"
        "c2VxOjQy!",
        "c2Vx+jQy",  # not the URL-safe alphabet
    ],
)
def test_since_refuses_anything_else(value):
    with pytest.raises(ValueError):
        parse_since(value)


@pytest.mark.django_db
def test_a_booking_changed_twice_in_one_second_gets_versions_a_second_apart(monkeypatch):
    from django.utils import timezone as django_timezone

    frozen = datetime(2100, 11, 30, 8, 59, 18, 250000, tzinfo=UTC)  # after any committed change
    monkeypatch.setattr(django_timezone, "now", lambda: frozen)
    room_type = RoomTypeFactory(amount=10)
    booking = make_booking(room_type=room_type)
    versions = [Booking.objects.get(pk=booking.pk).version]
    services.booking_confirm(booking=booking)
    versions.append(Booking.objects.get(pk=booking.pk).version)
    services.booking_cancel(booking=booking)
    versions.append(Booking.objects.get(pk=booking.pk).version)

    assert versions == ["2100-11-30 08:59:18", "2100-11-30 08:59:19", "2100-11-30 08:59:20"]
    # The counter carries the time forward: a later change of another booking is never earlier.
    other = make_booking(room_type=room_type, guest=booking.guest)
    assert Booking.objects.get(pk=other.pk).version == "2100-11-30 08:59:20"


@pytest.mark.django_db
def test_change_times_never_go_backwards_even_if_the_clock_does(monkeypatch):
    room_type = RoomTypeFactory(amount=10)
    first = make_booking(room_type=room_type)
    from django.utils import timezone

    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now().replace(year=2000))  # a clock stepped back
    second = make_booking(room_type=room_type, guest=first.guest)
    monkeypatch.setattr(timezone, "now", real_now)
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.changed_at >= first.changed_at
    assert second.version >= first.version


# --- PostgreSQL: the feed never skips a change ----------------------------------------------


@pytest.fixture
def host(key_client, provider):
    # The poller polls far more often than a real one would: lift the per-minute limit.
    client = key_client(["bookings.read", "bookings.write"], rate_limit_per_minute=1_000_000)
    client.room_type = RoomTypeFactory(listing=ListingFactory(host=client.owner), amount=500)
    client.guest = guest_of(client.owner)
    return client


POLLERS = pytest.mark.parametrize("mode", ["cursor", "timestamp"])


@requires_postgres
@pytest.mark.django_db(transaction=True)
@POLLERS
def test_a_later_writer_waits_so_a_poller_in_between_skips_nothing(host, mode):
    """Writer A takes its change number and stays open; writer B changes another booking
    meanwhile. Were B to take a higher number and commit first, a poll in between would
    return B and move the cursor past A's lower number, and A would be skipped for good.
    Instead B waits for A's commit, so a poll in between sees neither, and the next sees
    A, then B. A poller sending the latest version it holds (a plain time) may see the
    changes of that second again, never skip one."""
    first = make_booking(room_type=host.room_type, guest=host.guest)
    second = make_booking(room_type=host.room_type, guest=host.guest)
    items, next_since = poll(host.raw_key, None)
    cursor = follow(mode, items, next_since, None)

    a_stamped, a_release, b_started, b_done = (threading.Event() for _ in range(4))
    errors: list[BaseException] = []

    def writer_a():
        try:
            with transaction.atomic():
                services.booking_confirm(booking=first)
                a_stamped.set()
                assert a_release.wait(timeout=30)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def writer_b():
        try:
            assert a_stamped.wait(timeout=30)
            b_started.set()
            services.booking_cancel(booking=second)
            b_done.set()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer_a), threading.Thread(target=writer_b)]
    for thread in threads:
        thread.start()
    try:  # A is released and both joined whatever happens here, so a failure is clean
        assert b_started.wait(timeout=30)
        wait_for_lock_waiters(1, unless=b_done, why="B committed while A, holding a lower change number, was open")
        items, next_since = poll(host.raw_key, cursor)
    finally:
        a_release.set()
        for thread in threads:
            thread.join(timeout=30)
    assert not errors, errors
    assert b_done.is_set()
    if mode == "cursor":
        assert items == [] and next_since == cursor
    else:  # at most the changes of the latest second seen, again: nothing new
        assert {item["status"] for item in items} <= {"pending"}
    cursor_between = follow(mode, items, next_since, cursor)

    items, _next = poll(host.raw_key, cursor_between)
    assert [(item["booking_id"], item["status"]) for item in items] == [
        (first.pk, "confirmed"),
        (second.pk, "cancelled"),
    ]
    assert items[0]["version"] <= items[1]["version"]


@requires_postgres
@pytest.mark.django_db(transaction=True)
@POLLERS
def test_a_poller_racing_many_writers_never_misses_a_change(host, mode):
    """Writers change bookings and hold their transactions open a random while after
    taking their change number; a poller follows ``next_since`` all along. Each booking
    changes once, so no later version can hide a skipped one: every change committed
    must have been returned to the poller. (With a bare sequence instead of the counter,
    this test and the one above fail.) Many changes share a second here: the plain-time
    poller sees those again and still misses none."""
    bookings = [make_booking(room_type=host.room_type, guest=host.guest) for _ in range(80)]
    assert confirmations_missed_while_polling(host.raw_key, mode, bookings, writers=8, max_hold=0.03) == []

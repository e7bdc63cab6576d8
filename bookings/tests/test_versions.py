"""Booking versions: format, cursor parsing, and that a poller never misses a change —
including, on PostgreSQL, transactions that would otherwise commit out of order."""

from __future__ import annotations

import random
import threading
import time
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from bookings import services
from bookings.models import Booking
from bookings.tests.factories import guest_of, make_booking
from bookings.versions import Cursor, format_version, parse_since
from conftest import requires_postgres
from listings.tests.factories import ListingFactory, RoomTypeFactory

FEED = "/v2/integrations/mangobeds/bookings"


def test_a_version_keeps_the_specs_look_and_sorts_like_its_seq():
    at = datetime(2024, 5, 20, 14, 30, 0, 123456, tzinfo=UTC)
    assert format_version(at, 42) == "2024-05-20 14:30:00.000000042"
    assert format_version(at, 9) < format_version(at, 10) < format_version(at, 100)


@pytest.mark.parametrize(
    "value, cursor",
    [
        ("2024-05-20 14:30:00.000000042", Cursor(seq=42)),
        ("2024-05-20 14:30:00.7", Cursor(seq=7)),
        ("2024-05-20 14:30:00", Cursor(changed_from=datetime(2024, 5, 20, 14, 30, 1, tzinfo=UTC))),
    ],
)
def test_since_accepts_a_version_or_a_plain_second(value, cursor):
    assert parse_since(value) == cursor


@pytest.mark.parametrize(
    "value", ["", "2024-05-20", "2024-05-20T14:30:00", "2024-02-30 00:00:00.1", "2024-05-20 14:30:00.", "x"]
)
def test_since_refuses_anything_else(value):
    with pytest.raises(ValueError):
        parse_since(value)


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
    assert second.version > first.version


# --- PostgreSQL: the feed never skips a change ----------------------------------------------


@pytest.fixture
def host(key_client, provider):
    # The poller polls far more often than a real one would: lift the per-minute limit.
    client = key_client(["bookings.read", "bookings.write"], rate_limit_per_minute=1_000_000)
    client.room_type = RoomTypeFactory(listing=ListingFactory(host=client.owner), amount=500)
    client.guest = guest_of(client.owner)
    return client


def poll(raw_key: str, since: str | None) -> tuple[list[dict], str | None]:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=raw_key)
    response = client.get(FEED, {"since": since} if since else {})
    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    return data["Bookings"], data["next_since"]


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_later_writer_waits_so_a_poller_in_between_skips_nothing(host):
    """Writer A takes its change number and stays open; writer B changes another booking
    meanwhile. Were B to take a higher number and commit first, a poll in between would
    return B and move the cursor past A's lower number, and A would be skipped for good.
    Instead B waits for A's commit, so a poll in between sees neither, and the next sees
    A, then B."""
    first = make_booking(room_type=host.room_type, guest=host.guest)
    second = make_booking(room_type=host.room_type, guest=host.guest)
    _items, cursor = poll(host.raw_key, None)

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
    assert b_started.wait(timeout=30)
    time.sleep(0.5)
    assert not b_done.is_set(), "B committed while A, holding a lower change number, was still open"
    items, cursor_between = poll(host.raw_key, cursor)
    assert items == [] and cursor_between == cursor

    a_release.set()
    assert b_done.wait(timeout=30)
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors

    items, _next = poll(host.raw_key, cursor_between)
    assert [(item["booking_id"], item["status"]) for item in items] == [
        (first.pk, "confirmed"),
        (second.pk, "cancelled"),
    ]
    assert items[0]["version"] < items[1]["version"]


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_poller_racing_many_writers_never_misses_a_change(host):
    """Writers change bookings and hold their transactions open a random while after
    taking their change number; a poller follows ``next_since`` all along. Each booking
    changes once, so no later version can hide a skipped one: every change committed
    must have been returned to the poller. (With a bare sequence instead of the counter,
    this test and the one above fail.)"""
    bookings = [make_booking(room_type=host.room_type, guest=host.guest) for _ in range(80)]
    _items, start = poll(host.raw_key, None)
    committed: list[tuple[int, int]] = []
    seen: dict[int, int] = {}
    lock = threading.Lock()
    writers_done = threading.Event()
    errors: list[BaseException] = []

    def writer(chunk: list[Booking], seed: int):
        rng = random.Random(seed)
        try:
            for booking in chunk:
                with transaction.atomic():
                    changed = services.booking_confirm(booking=booking)
                    time.sleep(rng.uniform(0, 0.03))  # commit later, while others want to write
                with lock:
                    committed.append((changed.pk, changed.change_seq))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def poller():
        cursor = start
        try:
            while True:
                finished = writers_done.is_set()
                items, cursor = poll(host.raw_key, cursor)
                for item in items:
                    seq = int(item["version"].rsplit(".", 1)[1])
                    seen[item["booking_id"]] = max(seen.get(item["booking_id"], 0), seq)
                if finished and not items:
                    return
                time.sleep(0.002)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    writers = [threading.Thread(target=writer, args=(bookings[i::8], i)) for i in range(8)]
    watcher = threading.Thread(target=poller)
    watcher.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=120)
    writers_done.set()
    watcher.join(timeout=60)
    assert not errors, errors

    assert len(committed) == len(bookings)
    missed = [(pk, seq) for pk, seq in committed if seen.get(pk, 0) < seq]
    assert missed == []

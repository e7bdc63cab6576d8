"""The inventory invariant under real concurrency (PostgreSQL): no night is ever oversold.

Each client runs in its own thread with its own database connection (closed when the
thread ends); a ``threading.Barrier`` releases them together onto the real endpoint.
"""

from __future__ import annotations

import random
import threading
from datetime import date, timedelta

import httpx
import pytest
from django.db import connection
from rest_framework.test import APIClient

from bookings.models import Booking
from bookings.tests.factories import guest_of, make_booking
from conftest import requires_postgres
from listings.models import RoomTypeNight
from listings.tests.factories import ListingFactory, RoomTypeFactory

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]
CLIENTS = 24
CHECKIN, CHECKOUT = date(2024, 2, 1), date(2024, 2, 15)


def race(count: int, send) -> list[tuple[int, dict]]:
    """Run ``send(index)`` in ``count`` threads released at once; return their (status, body)."""
    barrier = threading.Barrier(count)
    results: list[tuple[int, dict]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcome = send(index)
            with lock:
                results.append(outcome)
        except BaseException as exc:  # reported below, on the main thread
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(results) == count
    return results


@pytest.fixture
def host(key_client):
    client = key_client(["bookings.read", "bookings.write"])
    client.listing = ListingFactory(host=client.owner)
    client.guest = guest_of(client.owner)
    return client


def body(host, room_type, checkin=CHECKIN, checkout=CHECKOUT) -> dict:
    return {
        "user_id": host.guest.pk,
        "listing_id": host.listing.pk,
        "room_type_id": room_type.pk,
        "checkin_at": checkin.isoformat(),
        "checkout_at": checkout.isoformat(),
        "guests": 1,
        "message": "race",
    }


def api_post(host, payload):
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=host.raw_key)
    response = client.post("/v2/bookings", payload, format="json")
    return response.status_code, response.json()


@pytest.mark.parametrize("pushed", [True, False], ids=["3 left pushed by the PMS", "amount 3, no rows yet"])
def test_concurrent_clients_sell_exactly_the_units_left(host, pushed):
    if pushed:
        room_type = RoomTypeFactory(listing=host.listing, amount=10)
        RoomTypeNight.objects.bulk_create(
            RoomTypeNight(room_type=room_type, date=CHECKIN + timedelta(days=n), available=3) for n in range(14)
        )
    else:  # every client also races to create the night rows (INSERT … ON CONFLICT DO NOTHING)
        room_type = RoomTypeFactory(listing=host.listing, amount=3)

    results = race(CLIENTS, lambda _index: api_post(host, body(host, room_type)))

    statuses = sorted(status for status, _ in results)
    assert statuses == [201] * 3 + [409] * (CLIENTS - 3), statuses
    assert {b["code"] for status, b in results if status == 409} == {"unavailable"}
    assert Booking.objects.count() == 3
    assert len({b["data"]["reference"] for status, b in results if status == 201}) == 3
    nights = list(RoomTypeNight.objects.filter(room_type=room_type).values_list("available", flat=True))
    assert nights == [0] * 14


def test_overlapping_stays_never_take_a_night_below_zero(host):
    room_type = RoomTypeFactory(listing=host.listing, amount=3)
    rng = random.Random(7)
    stays = []
    for _ in range(CLIENTS):
        start = CHECKIN + timedelta(days=rng.randrange(0, 20))
        stays.append((start, start + timedelta(days=rng.randrange(1, 10))))

    results = race(CLIENTS, lambda index: api_post(host, body(host, room_type, *stays[index])))

    assert {status for status, _ in results} <= {201, 409}
    available = dict(RoomTypeNight.objects.filter(room_type=room_type).values_list("date", "available"))
    for night, units in available.items():
        sold = Booking.objects.filter(room_type=room_type).overlapping(night, night + timedelta(days=1)).count()
        assert units == 3 - sold >= 0, night
    assert sum(1 for status, _ in results if status == 201) == Booking.objects.count() > 3


def test_cancelling_twice_at_once_gives_the_nights_back_once(host):
    room_type = RoomTypeFactory(listing=host.listing, amount=3)
    status, created = api_post(host, body(host, room_type))
    assert status == 201
    booking_id = created["data"]["id"]

    def cancel(_index):
        client = APIClient()
        client.credentials(HTTP_X_API_KEY=host.raw_key)
        response = client.post(f"/v2/bookings/{booking_id}/cancel")
        return response.status_code, response.json()

    results = race(8, cancel)
    assert sorted(status for status, _ in results) == [200] + [409] * 7
    assert set(RoomTypeNight.objects.filter(room_type=room_type).values_list("available", flat=True)) == {3}


def test_concurrent_clients_over_a_real_http_server(host, live_server):
    room_type = RoomTypeFactory(listing=host.listing, amount=3)

    def send(_index):
        response = httpx.post(
            f"{live_server.url}/v2/bookings",
            json=body(host, room_type),
            headers={"X-API-Key": host.raw_key},
            timeout=60,
        )
        return response.status_code, response.json()

    results = race(CLIENTS, send)
    assert sorted(status for status, _ in results) == [201] * 3 + [409] * (CLIENTS - 3)
    assert set(RoomTypeNight.objects.filter(room_type=room_type).values_list("available", flat=True)) == {0}


def test_a_row_held_past_the_lock_timeout_is_409_with_retry_after(host):
    """Another transaction holds the booking's row; the cancel gives up after lock_timeout."""
    room_type = RoomTypeFactory(listing=host.listing, amount=3)
    booking = make_booking(room_type=room_type, status=Booking.Status.CONFIRMED)
    # A second connection, as another worker's would be, holding the row the cancel locks.
    holder = connection.get_new_connection(connection.get_connection_params())
    try:
        holder.execute("SELECT 1 FROM bookings_booking WHERE id = %s FOR UPDATE", [booking.pk])
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
        try:
            response = APIClient(HTTP_X_API_KEY=host.raw_key).post(f"/v2/bookings/{booking.pk}/cancel")
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")  # back to the connection's DATABASE_LOCK_TIMEOUT_MS
    finally:
        holder.rollback()
        holder.close()

    assert response.status_code == 409, response.content
    assert response["Retry-After"] == "1"
    assert response.json() == {
        "success": False,
        "error": "The resource is busy, retry shortly",
        "code": "lock_timeout",
        "retry_after": 1,
    }
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED  # the cancel changed nothing
    assert set(RoomTypeNight.objects.filter(room_type=room_type).values_list("available", flat=True)) == {2}

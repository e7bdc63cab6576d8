"""Never double-booked, under real concurrency (PostgreSQL): 20 members race for the same hour
of a 2-unit resource through the real endpoint; exactly 2 get it.

Each client runs in its own thread with its own database connection (closed when the thread
ends) and its own key (the create limit is 10 a minute per key); a ``threading.Barrier``
releases them together.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from bookings.intervals import peak_units
from bookings.models import ResourceBooking
from bookings.resources import services
from bookings.tests.resources.factories import ResourceBookingFactory, ResourceFactory, body, member_client, next_hour
from bookings.tests.test_concurrency import race
from coliving.api.errors import InvalidInput
from conftest import requires_postgres
from jobs.tests.factories import SpaceFactory

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]
CLIENTS = 20


def test_twenty_members_racing_for_two_units_get_exactly_two(key_client):
    space = SpaceFactory()
    resource = ResourceFactory(space=space, units=2)
    members = [member_client(key_client, space) for _ in range(CLIENTS)]
    start = next_hour(days=2)

    def send(index: int):
        client = APIClient()
        client.credentials(HTTP_X_API_KEY=members[index].raw_key)
        response = client.post(f"{members[index].base}/resources/{resource.pk}/bookings", body(start), format="json")
        return response.status_code, response.json()

    results = race(CLIENTS, send)

    statuses = sorted(status for status, _ in results)
    assert statuses == [201] * 2 + [422] * (CLIENTS - 2), statuses
    refusals = [data for status, data in results if status == 422]
    assert all(data == {"errors": {"base": ["The resource is already booked at this time"]}} for data in refusals)
    rows = list(ResourceBooking.objects.filter(resource=resource).values_list("start", "end", "units"))
    assert len(rows) == 2
    assert peak_units(rows) == 2


def test_racing_moves_into_the_last_unit_leave_it_taken_once(key_client):
    space = SpaceFactory()
    resource = ResourceFactory(space=space, units=1)
    start = next_hour(days=2)
    members = [member_client(key_client, space) for _ in range(8)]
    own = []
    for index, client in enumerate(members):  # each has a booking elsewhere in time, then moves it to ``start``
        response = client.post(
            f"{client.base}/resources/{resource.pk}/bookings",
            body(start + timedelta(hours=3 + 2 * index)),
            format="json",
        )
        own.append(response.json()["id"])

    def send(index: int):
        client = APIClient()
        client.credentials(HTTP_X_API_KEY=members[index].raw_key)
        payload = {"from": body(start)["from"], "to": body(start)["to"]}
        response = client.put(f"{members[index].base}/bookings/{own[index]}", payload, format="json")
        return response.status_code, response.json()

    results = race(len(members), send)

    assert sorted(status for status, _ in results) == [200] + [422] * (len(members) - 1)
    assert ResourceBooking.objects.filter(resource=resource, start=start).count() == 1


def test_a_booking_moved_by_a_writer_that_skips_the_lock_is_refused_by_the_exclusion_constraint():
    """Every service writer takes the resource's row lock before its peak check, so the
    exclusion constraint is only a backstop, for writers outside the services (an UPDATE run
    by hand, a script). One moves a booking onto the hour, uncommitted: the service's peak
    check still reads the old time, its INSERT waits for that writer, then violates the
    constraint; the caller gets the same refusal as from the peak check, not a 500."""
    room = ResourceFactory(units=1)
    start = next_hour(days=2)
    elsewhere = ResourceBookingFactory(resource=room, start=start + timedelta(days=1))
    moved, release = threading.Event(), threading.Event()
    outcome: list[BaseException | None] = []

    def move_without_the_lock():
        try:
            with transaction.atomic():
                ResourceBooking.objects.filter(pk=elsewhere.pk).update(start=start, end=start + timedelta(hours=2))
                moved.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def book():
        try:
            services.resource_booking_create(actor=None, resource=room, start=start, end=start + timedelta(hours=1))
            outcome.append(None)
        except BaseException as exc:  # reported below, on the main thread
            outcome.append(exc)
        finally:
            connection.close()

    writer, booker = threading.Thread(target=move_without_the_lock), threading.Thread(target=book)
    writer.start()
    assert moved.wait(timeout=30)
    booker.start()
    waiting = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    with connection.cursor() as cursor:
        for _ in range(300):  # the booker's INSERT waits for the writer's transaction
            cursor.execute(waiting)
            if cursor.fetchone()[0]:
                break
            time.sleep(0.1)
    release.set()
    writer.join(timeout=30)
    booker.join(timeout=30)

    [refused] = outcome
    assert isinstance(refused, InvalidInput), refused
    assert [(error.path, error.message, error.code) for error in refused.errors] == [
        (("base",), "The resource is already booked at this time", "fully_booked")
    ]
    assert list(ResourceBooking.objects.filter(resource=room).values_list("pk", "start")) == [(elsewhere.pk, start)]

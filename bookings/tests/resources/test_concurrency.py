"""Never double-booked, under real concurrency (PostgreSQL): 20 members race for the same hour
of a 2-unit resource through the real endpoint; exactly 2 get it.

Each client runs in its own thread with its own database connection (closed when the thread
ends) and its own key (the create limit is 10 a minute per key); a ``threading.Barrier``
releases them together.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from bookings.intervals import peak_units
from bookings.models import ResourceBooking
from bookings.tests.resources.factories import ResourceFactory, body, member_client, next_hour
from bookings.tests.test_concurrency import race
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

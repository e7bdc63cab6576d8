"""The examples of ``shared/spec/cobot-bookings-api.txt``, sent as the spec writes them (its
query strings unencoded, its bodies as they are) to ``co-up.cobot.me`` over HTTPS, and the
answers compared with the spec's field by field.

What cannot be equal is said where it happens: ids are ours (the spec's membership id
``123498y452346`` and event id ``event-id`` are not numbers), the spec's dates are from
2012, so a booking that must be upcoming is moved to the future, and its examples were
written by viewers with different rights (``can_change`` follows from who asks: an admin
may change any booking but an event's, a member only their own future ones).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bookings.models import ResourceBooking
from bookings.tests.resources.factories import ResourceBookingFactory, ResourceFactory, next_hour
from jobs.tests.factories import EventFactory

pytestmark = pytest.mark.django_db

LIST = json.loads("""[
  {
    "from": "2012/01/01 12:00:00 +0000",
    "to": "2012/01/01 14:00:00 +0000",
    "tax_rate": "20.0",
    "title": "event booking",
    "resource": { "name": "Meeting Room", "id": "123" },
    "price": 10.0,
    "has_custom_price": false,
    "currency": "EUR",
    "accounting_code": "B1",
    "url": "https://co-up.cobot.me/api/bookings/20723075",
    "id": "20723075",
    "can_change": false,
    "event": {
      "id": "event-id"
    },
    "comments": "coffee please",
    "units": 1,
    "created_at": "2012/01/01 10:00:00 +0000",
    "updated_at": "2012/01/01 10:30:00 +0000"
  }
]""")
RESOURCE_LIST = json.loads("""[
  {
    "id": "d58b612aaa62619aae546dd336587eb2",
    "from": "2012/04/12 12:00:00 +0000",
    "to": "2012/04/12 18:00:00 +0000",
    "tax_rate": "20.0",
    "title": "event booking",
    "resource": { "name": "Meeting Room", "id": "12345" },
    "price": 10.0,
    "has_custom_price": false,
    "currency": "EUR",
    "accounting_code": "B1",
    "url": "https://co-up.cobot.me/api/bookings/20723075",
    "id": "20723075",
    "can_change": false,
    "comments": "coffee please",
    "event": {
      "id": "event-id"
    },
    "units": 1,
    "created_at": "2012/01/01 10:00:00 +0000",
    "updated_at": "2012/01/01 10:30:00 +0000"
  }
]""")
MEMBERSHIP_LIST = json.loads("""[
  {
    "id": "d58b612aaa62619aae546dd336587eb2",
    "from": "2012/04/12 12:00:00 +0000",
    "to": "2012/04/12 18:00:00 +0000",
    "tax_rate": "20.0",
    "title": "test booking",
    "resource": { "name": "Meeting Room", "id": "12345" },
    "price": 10.0,
    "has_custom_price": false,
    "currency": "EUR",
    "accounting_code": "B1",
    "membership": {
      "id": "123498y452346",
      "name": "John Doe"
    },
    "url": "https://co-up.cobot.me/api/bookings/20723075",
    "id": "20723075",
    "can_change": true,
    "comments": "coffee please",
    "units": 1,
    "created_at": "2012/01/01 10:00:00 +0000",
    "updated_at": "2012/01/01 10:30:00 +0000"
  }
]""")
RECENT = json.loads("""[
  {
    "from": "2012/01/01 12:00:00 +0000",
    "to": "2012/01/01 14:00:00 +0000",
    "tax_rate": "20.0",
    "title": "test booking",
    "resource": { "name": "Meeting Room", "id": "123" },
    "price": 10.0,
    "has_custom_price": false,
    "currency": "EUR",
    "accounting_code": "B1",
    "membership": {
      "id": "123498y452346",
      "name": "John Doe"
    },
    "url": "https://co-up.cobot.me/api/bookings/20723075",
    "id": "20723075",
    "can_change": false,
    "comments": "tea please",
    "units": 1,
    "created_at": "2012/01/01 10:00:00 +0000",
    "updated_at": "2012/01/01 10:30:00 +0000"
  }
]""")
UPCOMING = json.loads("""[
  {
    "from": "2012/01/01 12:00:00 +0000",
    "to": "2012/01/01 14:00:00 +0000",
    "tax_rate": "20.0",
    "title": "test booking",
    "resource": { "name": "Meeting Room", "id": "123" },
    "price": 10.0,
    "currency": "EUR",
    "accounting_code": "B1",
    "membership": {
      "id": "123498y452346",
      "name": "John Doe"
    },
    "url": "https://co-up.cobot.me/api/bookings/20723075",
    "id": "20723075",
    "can_change": true,
    "comments": "tea please",
    "units": 1,
    "created_at": "2012/01/01 10:00:00 +0000",
    "updated_at": "2012/01/01 10:30:00 +0000"
  }
]""")
SINGLE = json.loads("""{
  "from": "2012/01/01 12:00:00 +0000",
  "to": "2012/01/01 14:00:00 +0000",
  "tax_rate": "20.0",
  "title": "test booking",
  "resource": { "name": "Meeting Room", "id": "123" },
  "price": 10.0,
  "has_custom_price": false,
  "currency": "EUR",
  "accounting_code": "B1",
  "membership": {
    "id": "123498y452346",
    "name": "John Doe"
  },
  "url": "https://co-up.cobot.me/api/bookings/20723075",
  "id": "20723075",
  "can_change": true,
  "comments": "tea please",
  "units": 1,
  "created_at": "2012/01/01 10:00:00 +0000",
  "updated_at": "2012/01/01 10:30:00 +0000"
}""")
CREATE_BODY = json.loads("""{
  "from": "2012-01-01 12:00 +0000",
  "to": "2012-01-01 14:00 +0000",
  "title": "test booking",
  "membership_id": "123498y452346",
  "comments": "tea please",
  "units": 1,
  "has_custom_price": false
}""")
CREATED = json.loads("""{
  "from": "2012/01/01 12:00:00 +0000",
  "to": "2012/01/01 14:00:00 +0000",
  "tax_rate": "20.0",
  "title": "test booking",
  "resource": { "name": "Meeting Room", "id": "123" },
  "price": 10.0,
  "has_custom_price": false,
  "currency": "EUR",
  "accounting_code": null,
  "membership": {
    "id": "123498y452346",
    "name": "John Doe"
  },
  "url": "https://co-up.cobot.me/api/bookings/20723075",
  "id": "20723075",
  "can_change": true,
  "comments": "tea please",
  "units": 1,
  "created_at": "2012/01/01 10:00:00 +0000",
  "updated_at": "2012/01/01 10:30:00 +0000"
}""")
UPDATE_BODY = json.loads("""{
  "from": "2012-01-1 12:00 +0000",
  "to": "2012-01-01 14:00 +0000",
  "title": "test booking",
  "membership_id": "123498y452346",
  "resource_id": "12345",
  "comments": "tea please",
  "units": 1
}""")
UPDATED = json.loads("""{
  "from": "2012/01/01 12:00:00 +0000",
  "to": "2012/01/01 14:00:00 +0000",
  "tax_rate": "20.0",
  "title": "test booking",
  "resource": {
    "name": "Meeting Room",
    "id": "123"
  },
  "price": 10.0,
  "has_custom_price": false,
  "currency": "EUR",
  "accounting_code": "B1",
  "membership": {
    "id": "123498y452346",
    "name": "John Doe"
  },
  "url": "https://co-up.cobot.me/api/bookings/23048762375",
  "id": "20723075",
  "can_change": true,
  "comments": "tea please",
  "units": 1,
  "created_at": "2012/01/01 10:00:00 +0000",
  "updated_at": "2012/01/01 10:30:00 +0000"
}""")

SPEC_CREATED_AT = datetime(2012, 1, 1, 10, 0, tzinfo=UTC)
SPEC_UPDATED_AT = datetime(2012, 1, 1, 10, 30, tzinfo=UTC)


def expected(example: dict, **ours) -> dict:
    """The spec's example with the values only the server can know (ids, urls) replaced by ours."""
    example = json.loads(json.dumps(example))
    for path, value in ours.items():
        *parents, name = path.split("__")
        target = example
        for parent in parents:
            target = target[parent]
        target[name] = value
    return example


def stamp(booking: ResourceBooking) -> ResourceBooking:
    """The example's created_at/updated_at (``update()`` leaves auto_now alone)."""
    ResourceBooking.objects.filter(pk=booking.pk).update(created_at=SPEC_CREATED_AT, updated_at=SPEC_UPDATED_AT)
    return booking


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y/%m/%d %H:%M:%S +0000").replace(tzinfo=UTC)


@pytest.fixture
def john(admin):
    """The examples' viewer for the lists of their own bookings: John Doe, an admin of co-up."""
    admin.membership.name = "John Doe"
    admin.membership.save(update_fields=["name"])
    return admin


def booking_like(example: dict, room, membership, **extra) -> ResourceBooking:
    return stamp(
        ResourceBookingFactory(
            pk=int(example["id"]),
            resource=room,
            membership=membership,
            start=at(example["from"]),
            end=at(example["to"]),
            title=example["title"],
            comments=example["comments"],
            price=example["price"],
            **extra,
        )
    )


def test_get_bookings_of_the_space(admin, space, cobot_host):
    room = ResourceFactory(pk=123, space=space, name="Meeting Room", tax_rate=20, accounting_code="B1")
    [example] = LIST
    event = EventFactory(space=space)
    # The query is the spec's, 12–18 April; its example booking (1 January) is not in it, so ours is moved in.
    booking = booking_like(
        {**example, "from": "2012/04/13 12:00:00 +0000", "to": "2012/04/13 14:00:00 +0000"},
        room,
        admin.membership,
        event=event,
    )

    response = admin.get(
        "/api/bookings?from=2012-04-12 12:00 +0000&to=2012-04-18 18:00 +0000", HTTP_HOST=cobot_host, secure=True
    )

    assert response.status_code == 200
    assert response.json() == [
        expected(
            example, event__id=str(event.pk), **{"from": "2012/04/13 12:00:00 +0000", "to": "2012/04/13 14:00:00 +0000"}
        )
    ]
    assert booking.pk == 20723075


def test_get_bookings_of_a_resource(admin, space, cobot_host):
    room = ResourceFactory(pk=12345, space=space, name="Meeting Room", tax_rate=20, accounting_code="B1")
    [example] = RESOURCE_LIST
    event = EventFactory(space=space)
    booking_like(example, room, admin.membership, event=event)

    response = admin.get(
        "/api/resources/12345/bookings?from=2012-04-12 12:00 +0000&to=2012-04-18 18:00 +0000",
        HTTP_HOST=cobot_host,
        secure=True,
    )

    assert response.status_code == 200
    assert response.json() == [expected(example, event__id=str(event.pk))]


@pytest.mark.parametrize("path", ["/api/memberships/bookings", "/api/membership/bookings"])
def test_get_bookings_of_the_membership(john, space, cobot_host, path):
    room = ResourceFactory(pk=12345, space=space, name="Meeting Room", tax_rate=20, accounting_code="B1")
    [example] = MEMBERSHIP_LIST
    booking_like(example, room, john.membership)

    response = john.get(
        f"{path}?from=2012-04-12 12:00 +0000&to=2012-04-18 18:00 +0000", HTTP_HOST=cobot_host, secure=True
    )

    assert response.status_code == 200
    assert response.json() == [expected(example, membership__id=str(john.membership.pk))]


def test_get_bookings_of_a_member_as_admin(admin, member, space, cobot_host):
    room = ResourceFactory(pk=12345, space=space, name="Meeting Room", tax_rate=20, accounting_code="B1")
    [example] = MEMBERSHIP_LIST
    booking_like(example, room, member.membership)

    response = admin.get(
        f"/api/memberships/{member.membership.pk}/bookings?from=2012-04-12 12:00 +0000&to=2012-04-18 18:00 +0000",
        HTTP_HOST=cobot_host,
        secure=True,
    )

    assert response.status_code == 200
    assert response.json() == [expected(example, membership__id=str(member.membership.pk))]


def test_get_recent_bookings(member, space, cobot_host):
    room = ResourceFactory(pk=123, space=space, name="Meeting Room", tax_rate=20, accounting_code="B1")
    [example] = RECENT
    booking_like(example, room, member.membership)  # a member's own, past: can_change false as in the example

    response = member.get("/api/membership/bookings/recent", HTTP_HOST=cobot_host, secure=True)

    assert response.status_code == 200
    assert response.json() == [expected(example, membership__id=str(member.membership.pk))]


def test_get_upcoming_bookings(member, space, cobot_host):
    room = ResourceFactory(pk=123, space=space, name="Meeting Room", tax_rate=20, accounting_code="B1")
    [example] = UPCOMING
    start = next_hour(days=3)
    upcoming = {
        **example,
        "from": f"{start:%Y/%m/%d %H:%M:%S +0000}",
        "to": f"{start + timedelta(hours=2):%Y/%m/%d %H:%M:%S +0000}",
    }
    booking_like(upcoming, room, member.membership)  # 2012 is not upcoming any more

    response = member.get("/api/membership/bookings/upcoming", HTTP_HOST=cobot_host, secure=True)

    assert response.status_code == 200
    # The example leaves out has_custom_price, which every other booking of the spec carries; so do we.
    assert response.json() == [
        expected(upcoming, membership__id=str(member.membership.pk)) | {"has_custom_price": False}
    ]


def test_get_a_booking(admin, member, space, cobot_host):
    room = ResourceFactory(pk=123, space=space, name="Meeting Room", tax_rate=20, accounting_code="B1")
    booking_like(SINGLE, room, member.membership)

    response = admin.get("/api/bookings/20723075", HTTP_HOST=cobot_host, secure=True)

    assert response.status_code == 200
    assert response.json() == expected(SINGLE, membership__id=str(member.membership.pk))


def test_post_a_booking(admin, member, space, cobot_host):
    ResourceFactory(pk=123, space=space, name="Meeting Room", price_per_hour=5, tax_rate=20, accounting_code="")
    # The spec's body books for John Doe; his membership id is ours to give.
    body = {**CREATE_BODY, "membership_id": str(member.membership.pk)}

    response = admin.post("/api/resources/123/bookings", body, format="json", HTTP_HOST=cobot_host, secure=True)

    assert response.status_code == 201, response.content
    booking = ResourceBooking.objects.get()
    now = f"{booking.created_at:%Y/%m/%d %H:%M:%S +0000}"
    assert response.json() == expected(
        CREATED,
        membership__id=str(member.membership.pk),
        url=f"https://co-up.cobot.me/api/bookings/{booking.pk}",
        id=str(booking.pk),
        created_at=now,
        updated_at=now,
    )
    assert response["Location"] == f"https://co-up.cobot.me/api/bookings/{booking.pk}"


def test_put_a_booking(admin, member, space, cobot_host):
    room = ResourceFactory(
        pk=12345, space=space, name="Meeting Room", price_per_hour=5, tax_rate=20, accounting_code="B1"
    )
    other = ResourceFactory(space=space, name="Phone Booth")
    booking = stamp(ResourceBookingFactory(pk=23048762375, resource=other, membership=admin.membership, title="draft"))
    # The spec's body moves the booking to resource 12345 and to John Doe (ids: ours).
    body = {**UPDATE_BODY, "membership_id": str(member.membership.pk), "resource_id": str(room.pk)}

    response = admin.put(f"/api/bookings/{booking.pk}", body, format="json", HTTP_HOST=cobot_host, secure=True)

    assert response.status_code == 200, response.content
    booking.refresh_from_db()
    assert response.json() == expected(
        UPDATED,
        resource__id="12345",
        membership__id=str(member.membership.pk),
        id="23048762375",
        updated_at=f"{booking.updated_at:%Y/%m/%d %H:%M:%S +0000}",
    )


def test_delete_a_booking(admin, member, space, cobot_host):
    booking = ResourceBookingFactory(pk=32947346, resource=ResourceFactory(space=space), membership=member.membership)

    response = admin.delete("/api/bookings/32947346", HTTP_HOST=cobot_host, secure=True)

    assert response.status_code == 204
    assert response.content == b""
    assert not ResourceBooking.objects.filter(pk=booking.pk).exists()

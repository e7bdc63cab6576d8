"""Reading bookings and resources: who sees what, the period, time formats, and query counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from bookings.tests.resources.factories import (
    MembershipFactory,
    ResourceBookingFactory,
    ResourceFactory,
    cobot,
    next_hour,
)
from jobs.tests.factories import EventFactory

pytestmark = pytest.mark.django_db
ALL_TIME = {"from": "2000-01-01", "to": "2100-01-01"}


@pytest.fixture
def bookings(room, member, admin, space):
    """John's, Jane's and a third member's bookings, in the future, each with a comment."""
    other = MembershipFactory(space=space, name="Other Member")
    start = next_hour(days=3)
    return {
        "john": ResourceBookingFactory(resource=room, membership=member.membership, start=start, comments="tea please"),
        "jane": ResourceBookingFactory(
            resource=room, membership=admin.membership, start=start + timedelta(hours=3), comments="admin note"
        ),
        "other": ResourceBookingFactory(
            resource=room, membership=other, start=start + timedelta(hours=6), comments="coffee please"
        ),
    }


def by_title(items):
    return {item["id"]: item for item in items}


def test_members_see_every_booking_of_the_space_but_only_their_own_comments(member, bookings):
    response = member.get(f"{member.base}/bookings", ALL_TIME)

    assert response.status_code == 200
    items = by_title(response.json())
    assert set(items) == {str(b.pk) for b in bookings.values()}
    assert items[str(bookings["john"].pk)]["comments"] == "tea please"
    assert items[str(bookings["jane"].pk)]["comments"] is None
    assert items[str(bookings["other"].pk)]["comments"] is None


def test_admins_see_every_comment(admin, bookings):
    items = by_title(admin.get(f"{admin.base}/bookings", ALL_TIME).json())

    assert {item["comments"] for item in items.values()} == {"tea please", "admin note", "coffee please"}


def test_a_single_booking_hides_another_members_comments_too(member, bookings):
    response = member.get(f"{member.base}/bookings/{bookings['other'].pk}")

    assert response.status_code == 200
    assert response.json()["comments"] is None
    assert response.json()["membership"]["name"] == "Other Member"


def test_the_space_calendars_name_no_member_and_the_member_lists_do(member, admin, room, bookings):
    calendars = [
        member.get(f"{member.base}/bookings", ALL_TIME).json(),
        member.get(f"{member.base}/resources/{room.pk}/bookings", ALL_TIME).json(),
    ]
    assert all("membership" not in item for items in calendars for item in items)
    own = [
        member.get(f"{member.base}/membership/bookings", ALL_TIME).json(),
        member.get(f"{member.base}/membership/bookings/upcoming").json(),
        admin.get(f"{admin.base}/memberships/{member.membership.pk}/bookings", ALL_TIME).json(),
    ]
    for items in own:
        assert [item["membership"] for item in items] == [{"id": str(member.membership.pk), "name": "John Doe"}]


def test_can_change_answers_for_the_requester(member, admin, room, space):
    start = next_hour(days=3)
    own = ResourceBookingFactory(resource=room, membership=member.membership, start=start)
    past = ResourceBookingFactory(
        resource=room, membership=member.membership, start=start - timedelta(days=10), end=start - timedelta(days=9)
    )
    others = ResourceBookingFactory(resource=room, membership=admin.membership, start=start + timedelta(hours=3))
    event = ResourceBookingFactory(
        resource=room, membership=admin.membership, start=start + timedelta(hours=6), event=EventFactory(space=space)
    )
    strict = ResourceFactory(space=space, cancellation_period=96)  # 4 days: John's booking in 3 is inside it
    late = ResourceBookingFactory(resource=strict, membership=member.membership, start=start)

    made = {"own": own, "past": past, "others": others, "event": event, "late": late}

    def flags(client):
        items = by_title(client.get(f"{client.base}/bookings", ALL_TIME).json())
        return {name: items[str(booking.pk)]["can_change"] for name, booking in made.items()}

    assert flags(member) == {"own": True, "past": False, "others": False, "event": False, "late": False}
    assert flags(admin) == {"own": True, "past": True, "others": True, "event": False, "late": True}


def test_event_is_there_only_for_an_event_booking(admin, room, space):
    event = EventFactory(space=space)
    with_event = ResourceBookingFactory(resource=room, event=event, start=next_hour(days=3))
    plain = ResourceBookingFactory(resource=room, start=next_hour(days=4))

    items = by_title(admin.get(f"{admin.base}/bookings", ALL_TIME).json())

    assert items[str(with_event.pk)]["event"] == {"id": str(event.pk)}
    assert items[str(with_event.pk)]["can_change"] is False
    assert "event" not in items[str(plain.pk)]


def test_overlap_is_from_before_to_and_to_after_from(member, room):
    ten = datetime(2031, 5, 6, 10, tzinfo=UTC)
    booking = ResourceBookingFactory(resource=room, start=ten, end=ten + timedelta(hours=2))

    def found(start, end):
        response = member.get(f"{member.base}/bookings", {"from": cobot(start), "to": cobot(end)})
        assert response.status_code == 200
        return [item["id"] for item in response.json()] == [str(booking.pk)]

    assert found(ten + timedelta(hours=1, minutes=59), ten + timedelta(hours=3))
    assert found(ten - timedelta(hours=1), ten + timedelta(minutes=1))
    assert found(ten + timedelta(minutes=30), ten + timedelta(minutes=40))  # inside it
    assert not found(ten + timedelta(hours=2), ten + timedelta(hours=3))  # starts when it ends
    assert not found(ten - timedelta(hours=1), ten)  # ends when it starts


@pytest.mark.parametrize(
    "query, errors",
    [
        ({}, {"from": ["can't be blank"], "to": ["can't be blank"]}),
        ({"from": "2012-04-12 12:00 +0000"}, {"to": ["can't be blank"]}),
        ({"from": "yesterday", "to": "2012-04-18"}, {"from": ["is not a valid time (e.g. 2012-04-12 12:00 +0000)"]}),
        ({"from": "2012-04-12", "to": "2012-02-30"}, {"to": ["is not a valid time (e.g. 2012-04-12 12:00 +0000)"]}),
        # Past the datetime range once moved to UTC: a 422, not a 500.
        (
            {"from": "0001-01-01 00:30 +0100", "to": "2012-04-18"},
            {"from": ["is not a valid time (e.g. 2012-04-12 12:00 +0000)"]},
        ),
        (
            {"from": "2012-04-12", "to": "9999-12-31 23:59 -0100"},
            {"to": ["is not a valid time (e.g. 2012-04-12 12:00 +0000)"]},
        ),
        ({"from": "2012-04-18", "to": "2012-04-12"}, {"to": ["must be after from"]}),
        (
            {"from": "2012-04-12", "to": "2012-04-13", "limit": "0"},
            {"limit": ["Ensure this value is greater than or equal to 1."]},
        ),
    ],
)
def test_a_bad_period_is_422_with_errors(member, query, errors):
    response = member.get(f"{member.base}/bookings", query)

    assert response.status_code == 422
    assert response.json() == {"errors": errors}


@pytest.mark.parametrize("path", ["membership/bookings", "memberships/bookings", "resources/{room}/bookings"])
def test_every_list_with_a_period_requires_it(member, room, path):
    response = member.get(f"{member.base}/{path.format(room=room.pk)}")

    assert response.status_code == 422
    assert response.json() == {"errors": {"from": ["can't be blank"], "to": ["can't be blank"]}}


@pytest.mark.parametrize(
    "query_string",
    [
        "from=2031-05-06 09:00 +0000&to=2031-05-06 11:00 +0000",  # the spec's, unencoded: "+" arrives as a space
        "from=2031-05-06%2009:00%20%2B0000&to=2031-05-06%2011:00%20%2B0000",  # encoded
        "from=2031/05/06 09:00:00 %2B0000&to=2031/05/06 11:00:00 %2B0000",  # what responses carry
        "from=2031-05-06T09:00:00Z&to=2031-05-06T11:00:00Z",
        "from=2031-05-06T11:00:00%2B02:00&to=2031-05-06T13:00:00%2B02:00",
        "from=2031-05-06T04:00:00-05:00&to=2031-05-06T06:00:00-05:00",
        "from=2031-5-6 09:00 +0000&to=2031-5-6 11:00 +0000",  # unpadded, as the spec's PUT example
        "from=2031-05-06&to=2031-05-07",  # dates alone: the space's midnight (UTC here)
        "from=2031-05-06 09:00&to=2031-05-06 11:00",  # no offset: the space's time zone
    ],
)
def test_the_period_takes_every_documented_time_format(member, room, query_string):
    booking = ResourceBookingFactory(resource=room, start=datetime(2031, 5, 6, 10, tzinfo=UTC))

    response = member.get(f"{member.base}/bookings?{query_string}")

    assert response.status_code == 200, response.content
    assert [item["id"] for item in response.json()] == [str(booking.pk)]
    assert response.json()[0]["from"] == "2031/05/06 10:00:00 +0000"


def test_a_time_without_offset_is_the_spaces_local_time(member, room, space):
    space.timezone = "America/New_York"
    space.save(update_fields=["timezone"])
    booking = ResourceBookingFactory(resource=room, start=datetime(2031, 5, 6, 14, tzinfo=UTC))  # 10:00 EDT

    inside = member.get(f"{member.base}/bookings", {"from": "2031-05-06 09:30", "to": "2031-05-06 10:30"}).json()
    outside = member.get(f"{member.base}/bookings", {"from": "2031-05-06 13:00", "to": "2031-05-06 14:00"}).json()

    assert [item["id"] for item in inside] == [str(booking.pk)]
    assert outside == []


def test_limit_keeps_the_earliest(member, desks):
    first = next_hour(days=3)
    made = [ResourceBookingFactory(resource=desks, start=first + timedelta(hours=n)) for n in (2, 0, 1)]

    response = member.get(f"{member.base}/bookings", {**ALL_TIME, "limit": 2})

    assert [item["id"] for item in response.json()] == [str(made[1].pk), str(made[2].pk)]


def test_a_resources_bookings_are_its_own(member, room, desks):
    mine = ResourceBookingFactory(resource=room)
    ResourceBookingFactory(resource=desks)

    response = member.get(f"{member.base}/resources/{room.pk}/bookings", ALL_TIME)

    assert [item["id"] for item in response.json()] == [str(mine.pk)]


def test_recent_lists_the_members_bookings_not_invoiced_and_not_free(member, admin, room):
    past = next_hour(days=-5)
    due = ResourceBookingFactory(resource=room, membership=member.membership, start=past)
    ResourceBookingFactory(resource=room, membership=member.membership, start=past + timedelta(hours=3), price=0)
    ResourceBookingFactory(
        resource=room, membership=member.membership, start=past + timedelta(hours=6), invoiced_at=timezone.now()
    )
    ResourceBookingFactory(resource=room, membership=admin.membership, start=past + timedelta(hours=9))
    upcoming = ResourceBookingFactory(resource=room, membership=member.membership, start=next_hour(days=2))

    response = member.get(f"{member.base}/membership/bookings/recent")

    assert [item["id"] for item in response.json()] == [str(due.pk), str(upcoming.pk)]


def test_upcoming_lists_the_members_bookings_not_over_yet(member, admin, room):
    now = timezone.now()
    ResourceBookingFactory(
        resource=room, membership=member.membership, start=now - timedelta(hours=3), end=now - timedelta(hours=1)
    )
    under_way = ResourceBookingFactory(
        resource=room, membership=member.membership, start=now - timedelta(hours=1), end=now + timedelta(hours=1)
    )
    later = ResourceBookingFactory(resource=room, membership=member.membership, start=next_hour(days=2))
    ResourceBookingFactory(resource=room, membership=admin.membership, start=next_hour(days=3))

    response = member.get(f"{member.base}/membership/bookings/upcoming")

    assert [item["id"] for item in response.json()] == [str(under_way.pk), str(later.pk)]


def test_another_members_bookings_are_for_admins(member, admin, room):
    ResourceBookingFactory(resource=room, membership=member.membership)

    refused = member.get(f"{member.base}/memberships/{admin.membership.pk}/bookings", ALL_TIME)
    allowed = admin.get(f"{admin.base}/memberships/{member.membership.pk}/bookings", ALL_TIME)

    assert refused.status_code == 403
    assert refused.json() == {"error": "Only admins of the space can read another member's bookings"}
    assert allowed.status_code == 200 and len(allowed.json()) == 1


def test_a_membership_of_another_space_is_not_found(admin):
    elsewhere = MembershipFactory()

    response = admin.get(f"{admin.base}/memberships/{elsewhere.pk}/bookings", ALL_TIME)

    assert response.status_code == 404
    assert response.json() == {"error": "Membership not found"}


def test_resources_list_what_the_requester_may_see_and_book(member, admin, space, room):
    ResourceFactory(space=space, name="Board Room", admins_only=True)
    ResourceFactory(space=space, name="Storage", hidden=True)
    ResourceFactory(name="Elsewhere")  # another space

    as_member = {item["name"]: item for item in member.get(f"{member.base}/resources").json()}
    as_admin = {item["name"]: item for item in admin.get(f"{admin.base}/resources").json()}

    assert set(as_member) == {"Board Room", "Meeting Room"}
    assert set(as_admin) == {"Board Room", "Meeting Room", "Storage"}
    assert (as_member["Board Room"]["can_book"], as_admin["Board Room"]["can_book"]) == (False, True)
    assert as_member["Meeting Room"] == {
        "id": str(room.pk),
        "name": "Meeting Room",
        "description": "A room for eight with a screen.",
        "price_per_hour": "5.0",
        "tax_rate": "20.0",
        "currency": "EUR",
        "hidden": False,
        "capacity": 8,
        "units": 1,
        "cancellation_period": 0,
        "can_book": True,
        "color": None,
        "photo": None,
        "min_booking_duration": None,
        "max_booking_duration": None,
        "booking_url": f"http://testserver{member.base}/resources/{room.pk}/bookings",
        "booking_times": [],
    }


def test_resources_need_read_resources(key_client, space):
    from bookings.tests.resources.factories import member_client

    client = member_client(key_client, space, scopes=("read_bookings", "write_bookings"))

    response = client.get(f"{client.base}/resources")

    assert response.status_code == 403
    assert response.json() == {"error": "Missing required scope: read_resources"}


def test_the_bookings_list_makes_the_same_queries_at_two_sizes(member, desks, django_assert_num_queries):
    start = next_hour(days=3)
    member.get(f"{member.base}/bookings", ALL_TIME)  # warm per-process caches
    made = 0
    for size in (2, 20):
        for hour in range(made, size):
            ResourceBookingFactory(
                resource=desks, start=start + timedelta(hours=hour), event=EventFactory() if hour % 2 else None
            )
        made = size
        # 1. the API key  2. the membership joined with its space
        # 3. the bookings joined with their resources and memberships
        with django_assert_num_queries(3):
            response = member.get(f"{member.base}/bookings", ALL_TIME)
        assert len(response.json()) == size

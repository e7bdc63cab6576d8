"""Creating, changing and deleting bookings: every rule with a member key and with an admin key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bookings.models import ResourceBooking, WebhookDelivery
from bookings.tests.resources.factories import (
    MembershipFactory,
    ResourceBookingFactory,
    ResourceFactory,
    WebhookSubscriptionFactory,
    body,
    cobot,
    next_hour,
)
from jobs.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def next_weekday(isoweekday: int, hour: int) -> datetime:
    """The next such weekday (at least two days ahead) at ``hour``:00 UTC."""
    day = (datetime.now(UTC) + timedelta(days=2)).replace(hour=hour, minute=0, second=0, microsecond=0)
    while day.isoweekday() != isoweekday:
        day += timedelta(days=1)
    return day


def post(client, resource, payload, **extra):
    return client.post(f"{client.base}/resources/{resource.pk}/bookings", payload, format="json", **extra)


# --- create --------------------------------------------------------------------------------------


def test_a_member_books_for_themselves_at_the_computed_price(member, desks):
    response = post(member, desks, body(next_hour(days=2), hours=1.5, units=3, comments="tea please"))

    assert response.status_code == 201, response.content
    booking = ResourceBooking.objects.get()
    assert (booking.membership, booking.units, booking.created_by) == (member.membership, 3, member.owner)
    assert booking.price == Decimal("13.50")  # 3.00 × 1.5 h × 3 units
    data = response.json()
    assert (data["price"], data["has_custom_price"], data["units"], data["comments"]) == (13.5, False, 3, "tea please")
    assert data["membership"] == {"id": str(member.membership.pk), "name": "John Doe"}
    assert data["can_change"] is True


def test_a_form_encoded_body_books_as_well(member, room):
    start = next_hour(days=2)
    payload = {"from": cobot(start), "to": cobot(start + timedelta(hours=1)), "title": "form", "units": "1"}

    multipart = member.post(f"{member.base}/resources/{room.pk}/bookings", payload, format="multipart")
    assert multipart.status_code == 415
    assert multipart.json()["error"].startswith('Unsupported media type "multipart/form-data')
    response = member.generic(
        "POST",
        f"{member.base}/resources/{room.pk}/bookings",
        "&".join(f"{k}={v.replace('+', '%2B').replace(' ', '+')}" for k, v in payload.items()),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 201, response.content
    assert ResourceBooking.objects.get().title == "form"


def test_units_default_to_one(member, desks):
    assert post(member, desks, body(next_hour(days=2))).json()["units"] == 1


@pytest.mark.parametrize("units", [0, -1, 11])
def test_units_stay_between_one_and_the_resources_units(member, admin, desks, units):
    for client in (member, admin):
        response = post(client, desks, body(next_hour(days=2), units=units))
        assert response.status_code == 422
        assert response.json() == {"errors": {"units": ["must be between 1 and 10"]}}
    assert not ResourceBooking.objects.exists()


@pytest.mark.parametrize("hours", [0, -1])
def test_to_must_be_after_from_for_everyone(member, admin, room, hours):
    for client in (member, admin):
        response = post(client, room, body(next_hour(days=2), hours=hours))
        assert response.status_code == 422
        assert response.json() == {"errors": {"to": ["must be after from"]}}


def test_the_past_is_closed_to_members_and_open_to_admins_unless_they_ask(member, admin, room):
    past = body(next_hour(days=-1))

    refused = post(member, room, past)
    assert refused.status_code == 422
    assert refused.json() == {"errors": {"from": ["can't be in the past"]}}
    strict = post(admin, room, {**past, "validate_times_for_admin": True})
    assert strict.status_code == 422
    assert strict.json() == {"errors": {"from": ["can't be in the past"]}}
    assert post(admin, room, past).status_code == 201


def test_booking_times_bind_members_and_admins_who_ask(member, admin, space):
    resource = ResourceFactory(
        space=space, booking_times=[{"from": "09:00", "to": "17:00", "weekdays": [1, 2, 3, 4, 5]}]
    )
    monday, saturday = next_weekday(1, 9), next_weekday(6, 10)

    assert post(member, resource, body(monday, hours=8)).status_code == 201  # 09:00–17:00, the whole window
    for start, hours in (
        (monday + timedelta(days=7, hours=-1), 2),
        (monday + timedelta(days=14, hours=7), 2),
        (saturday, 1),
    ):
        response = post(member, resource, body(start, hours=hours))
        assert response.status_code == 422, (start, response.content)
        assert response.json() == {"errors": {"from": ["is outside the booking times of this resource"]}}
        strict = post(admin, resource, {**body(start, hours=hours), "validate_times_for_admin": "true"})
        assert strict.status_code == 422
    assert post(admin, resource, body(saturday, hours=1)).status_code == 201


def test_durations_bind_members_and_admins_who_ask(member, admin, space):
    resource = ResourceFactory(space=space, min_booking_duration=60, max_booking_duration=180)
    start = next_hour(days=2)

    short, long = body(start, hours=0.5), body(start + timedelta(hours=1), hours=4)
    assert post(member, resource, short).json() == {"errors": {"to": ["booking must be at least 60 minutes long"]}}
    assert post(member, resource, long).json() == {"errors": {"to": ["booking must be at most 180 minutes long"]}}
    assert post(admin, resource, {**short, "validate_times_for_admin": True}).status_code == 422
    assert post(member, resource, body(start + timedelta(hours=6), hours=3)).status_code == 201
    assert post(admin, resource, short).status_code == 201
    assert post(admin, resource, long).status_code == 201


@pytest.mark.parametrize("flag", ["admins_only", "hidden"])
def test_a_resource_members_cannot_book_is_403_for_them(member, admin, space, flag):
    resource = ResourceFactory(space=space, **{flag: True})

    refused = post(member, resource, body(next_hour(days=2)))

    assert refused.status_code == 403
    assert refused.json() == {"error": "You are not allowed to book this resource"}
    assert post(admin, resource, body(next_hour(days=2))).status_code == 201


def test_admins_book_for_a_member_of_the_space(admin, member, room):
    response = post(admin, room, body(next_hour(days=2), membership_id=str(member.membership.pk)))

    assert response.status_code == 201
    assert ResourceBooking.objects.get().membership == member.membership
    assert response.json()["membership"]["name"] == "John Doe"


def test_members_book_only_for_themselves_whatever_membership_id_they_send(member, admin, room):
    # The spec: membership_id is "only applicable when booking as space admin"; a member's
    # client sending the spec's example body as written still books for the member.
    for_admin = post(member, room, body(next_hour(days=2), membership_id=admin.membership.pk))
    unknown = post(member, room, body(next_hour(days=3), membership_id="123498y452346"))

    assert (for_admin.status_code, unknown.status_code) == (201, 201)
    assert {booking.membership for booking in ResourceBooking.objects.all()} == {member.membership}


@pytest.mark.parametrize("membership_id", ["another-space", "123498y452346", "0"])
def test_a_membership_id_that_is_none_of_the_spaces_is_422(admin, room, membership_id):
    if membership_id == "another-space":
        membership_id = str(MembershipFactory().pk)

    response = post(admin, room, body(next_hour(days=2), membership_id=membership_id))

    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["membership_id"]


def test_an_inactive_membership_cannot_be_booked_for(admin, room, space):
    gone = MembershipFactory(space=space, is_active=False)

    response = post(admin, room, body(next_hour(days=2), membership_id=str(gone.pk)))

    assert response.json() == {"errors": {"membership_id": ["is not an active membership of this space"]}}


def test_admins_may_set_the_price_and_members_may_not(member, admin, room):
    by_admin = post(admin, room, body(next_hour(days=2), price=7.5))
    by_member = post(member, room, body(next_hour(days=3), price=0))

    assert by_admin.status_code == 201
    assert (by_admin.json()["price"], by_admin.json()["has_custom_price"]) == (7.5, True)
    assert by_member.status_code == 201  # "Admins can optionally pass in a price": a member's is ignored
    assert by_member.json()["has_custom_price"] is False
    assert post(admin, room, body(next_hour(days=4), price=-1)).json() == {
        "errors": {"price": ["must be greater than or equal to 0"]}
    }


def test_every_broken_rule_is_reported_at_once(member, room):
    response = post(member, room, body(next_hour(days=-1), units=5, price=1))  # the price is ignored

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"from", "units"}


def test_a_one_unit_room_is_never_double_booked(member, admin, room):
    start = next_hour(days=2)
    assert post(member, room, body(start)).status_code == 201

    for client in (member, admin):
        response = post(client, room, body(start + timedelta(hours=1)))
        assert response.status_code == 422
        assert response.json() == {"errors": {"base": ["The resource is already booked at this time"]}}
    assert post(member, room, body(start + timedelta(hours=2))).status_code == 201  # touching is not overlapping


def test_capacity_is_the_peak_of_concurrent_use_not_the_sum(member, space):
    pair = ResourceFactory(space=space, units=2)
    ten = next_hour(days=2).replace(hour=10)
    ResourceBookingFactory(resource=pair, start=ten, end=ten + timedelta(hours=2))  # 10–12
    ResourceBookingFactory(resource=pair, start=ten + timedelta(hours=2), end=ten + timedelta(hours=4))  # 12–14

    # 11–13 overlaps both, but never more than one of them at a time: 2 units at most.
    assert post(member, pair, body(ten + timedelta(hours=1))).status_code == 201
    # Now 11–12 and 12–13 use both units.
    assert post(member, pair, body(ten + timedelta(hours=1, minutes=30), hours=1)).status_code == 422
    assert post(member, pair, body(ten - timedelta(hours=1), hours=2)).status_code == 201  # 9–11: one then two


def test_units_add_up_on_a_resource_with_many(member, desks):
    start = next_hour(days=2)
    assert post(member, desks, body(start, units=8)).status_code == 201
    assert post(member, desks, body(start, units=3)).status_code == 422
    assert post(member, desks, body(start, units=2)).status_code == 201
    assert post(member, desks, body(start, units=1)).status_code == 422


def test_an_idempotency_key_replays_the_first_booking(member, room):
    payload = body(next_hour(days=2))

    first = post(member, room, payload, HTTP_IDEMPOTENCY_KEY="book-1")
    again = post(member, room, payload, HTTP_IDEMPOTENCY_KEY="book-1")
    other = post(member, room, {**payload, "title": "other"}, HTTP_IDEMPOTENCY_KEY="book-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert other.status_code == 409
    assert other.json() == {"error": "Idempotency-Key was already used with a different request"}
    assert ResourceBooking.objects.count() == 1


def test_creating_is_limited_to_ten_a_minute_per_key(member, admin, desks):
    start = next_hour(days=2)
    statuses = [post(member, desks, body(start + timedelta(hours=n), hours=1)).status_code for n in range(10)]
    refused = post(member, desks, body(start + timedelta(hours=11), hours=1))

    assert statuses == [201] * 10
    assert refused.status_code == 429
    assert refused.json() == {"error": "Rate limit exceeded"}
    assert int(refused["Retry-After"]) >= 1
    assert member.get(f"{member.base}/bookings", {"from": "2000-01-01", "to": "2100-01-01"}).status_code == 200
    assert post(admin, desks, body(start, hours=1)).status_code == 201  # another key: its own limit
    assert ResourceBooking.objects.count() == 11


# --- change ------------------------------------------------------------------------------------


def put(client, booking, payload):
    return client.put(f"{client.base}/bookings/{booking.pk}", payload, format="json")


def test_a_member_changes_their_own_future_booking(member, room):
    booking = ResourceBookingFactory(resource=room, membership=member.membership, start=next_hour(days=3))
    later = next_hour(days=4)

    response = put(member, booking, {"from": cobot(later), "to": cobot(later + timedelta(hours=3)), "title": "moved"})

    assert response.status_code == 200, response.content
    booking.refresh_from_db()
    assert (booking.start, booking.end, booking.title, booking.comments) == (
        later,
        later + timedelta(hours=3),
        "moved",
        "coffee please",  # not sent: unchanged
    )
    assert booking.price == Decimal("15.00")  # the computed price follows the times
    assert response.json()["title"] == "moved"


def test_members_cannot_change_what_is_not_theirs_or_not_ahead(member, admin, space, room):
    start = next_hour(days=3)
    others = ResourceBookingFactory(resource=room, membership=admin.membership, start=start)
    past = ResourceBookingFactory(
        resource=room, membership=member.membership, start=start - timedelta(days=10), end=start - timedelta(days=9)
    )
    strict = ResourceFactory(space=space, cancellation_period=96)
    late = ResourceBookingFactory(resource=strict, membership=member.membership, start=start)

    for booking, message in (
        (others, "Members can only change their own bookings"),
        (past, "Members can only change bookings in the future"),
        (late, "The cancellation period of this booking has passed (96 hours before its start)"),
    ):
        for response in (put(member, booking, {"title": "x"}), member.delete(f"{member.base}/bookings/{booking.pk}")):
            assert response.status_code == 403
            assert response.json() == {"error": message}
        assert put(admin, booking, {"title": "by admin"}).status_code == 200
    assert ResourceBooking.objects.filter(title="by admin").count() == 3


@pytest.mark.parametrize("flag", ["admins_only", "hidden"])
def test_members_cannot_move_their_booking_to_a_resource_they_cannot_book(member, admin, space, room, flag):
    booking = ResourceBookingFactory(resource=room, membership=member.membership, start=next_hour(days=3))
    closed = ResourceFactory(space=space, **{flag: True})

    refused = put(member, booking, {"resource_id": str(closed.pk)})

    assert refused.status_code == 403
    assert refused.json() == {"error": "You are not allowed to book this resource"}
    assert ResourceBooking.objects.get(pk=booking.pk).resource == room
    assert put(admin, booking, {"resource_id": str(closed.pk)}).status_code == 200


def test_a_booking_made_by_an_event_is_409_to_everyone(member, admin, room, space):
    booking = ResourceBookingFactory(
        resource=room, membership=member.membership, start=next_hour(days=3), event=EventFactory(space=space)
    )

    for client in (member, admin):
        changed = put(client, booking, {"title": "x"})
        deleted = client.delete(f"{client.base}/bookings/{booking.pk}")
        assert changed.status_code == deleted.status_code == 409
        assert changed.json() == {
            "error": "This booking was made by an event and can't be changed through this endpoint"
        }
        assert deleted.json() == {
            "error": "This booking was made by an event and can't be deleted through this endpoint"
        }
    booking.refresh_from_db()
    assert booking.title == "Team meeting"


def test_a_change_follows_the_rules_of_a_new_booking(member, admin, room, space):
    start = next_hour(days=3)
    booking = ResourceBookingFactory(resource=room, membership=member.membership, start=start)
    ResourceBookingFactory(resource=room, membership=admin.membership, start=start + timedelta(hours=4))

    assert put(member, booking, {"units": 2}).json() == {"errors": {"units": ["must be between 1 and 1"]}}
    assert put(member, booking, {"to": cobot(start)}).json() == {"errors": {"to": ["must be after from"]}}
    assert put(member, booking, {"to": cobot(start + timedelta(hours=5))}).json() == {
        "errors": {"base": ["The resource is already booked at this time"]}
    }
    assert put(member, booking, {"from": cobot(start - timedelta(days=5))}).json() == {
        "errors": {"from": ["can't be in the past"]}
    }
    # Overlapping its own old time is no conflict.
    assert (
        put(
            member, booking, {"from": cobot(start + timedelta(hours=1)), "to": cobot(start + timedelta(hours=3))}
        ).status_code
        == 200
    )
    moved = put(member, booking, {"membership_id": admin.membership.pk})  # ignored: a member's booking stays theirs
    assert moved.status_code == 200
    assert ResourceBooking.objects.get(pk=booking.pk).membership == member.membership


def test_admins_move_a_booking_to_another_resource_and_member(admin, member, room, desks):
    booking = ResourceBookingFactory(resource=room, membership=admin.membership, start=next_hour(days=3))

    response = put(
        admin, booking, {"resource_id": str(desks.pk), "membership_id": str(member.membership.pk), "units": 4}
    )

    assert response.status_code == 200, response.content
    booking.refresh_from_db()
    assert (booking.resource, booking.membership, booking.units, booking.price) == (
        desks,
        member.membership,
        4,
        Decimal("24.00"),  # 3.00 × 2 h × 4
    )
    assert put(admin, booking, {"resource_id": str(ResourceFactory().pk)}).json() == {
        "errors": {"resource_id": ["is not a resource of this space"]}
    }


def test_a_custom_price_stays_until_an_admin_sets_another(admin, room):
    booking = ResourceBookingFactory(resource=room, membership=admin.membership, start=next_hour(days=3))
    assert put(admin, booking, {"price": "1.00"}).json()["price"] == 1.0

    response = put(admin, booking, {"to": cobot(booking.start + timedelta(hours=5))})

    assert (response.json()["price"], response.json()["has_custom_price"]) == (1.0, True)


# --- delete ------------------------------------------------------------------------------------


def test_a_member_deletes_their_own_future_booking_and_an_admin_any(member, admin, room):
    own = ResourceBookingFactory(resource=room, membership=member.membership, start=next_hour(days=3))
    past = ResourceBookingFactory(resource=room, membership=member.membership, start=next_hour(days=-3))

    deleted = member.delete(f"{member.base}/bookings/{own.pk}")
    by_admin = admin.delete(f"{admin.base}/bookings/{past.pk}")

    assert (deleted.status_code, deleted.content) == (204, b"")
    assert by_admin.status_code == 204
    assert not ResourceBooking.objects.exists()
    assert member.delete(f"{member.base}/bookings/{own.pk}").json() == {"error": "Booking not found"}


# --- webhooks --------------------------------------------------------------------------------------


def test_each_change_writes_a_delivery_for_the_subscriptions_that_asked(member, room, space):
    everything = WebhookSubscriptionFactory(space=space)
    created_only = WebhookSubscriptionFactory(space=space, events=["created_booking"])
    WebhookSubscriptionFactory(space=space, is_active=False)
    WebhookSubscriptionFactory()  # another space

    booking_id = post(member, room, body(next_hour(days=2))).json()["id"]
    put(member, ResourceBooking(pk=booking_id), {"title": "renamed"})
    member.delete(f"{member.base}/bookings/{booking_id}")

    deliveries = WebhookDelivery.objects.order_by("id")
    assert [(d.subscription_id, d.event) for d in deliveries] == [
        (everything.pk, "created_booking"),
        (created_only.pk, "created_booking"),
        (everything.pk, "updated_booking"),
        (everything.pk, "deleted_booking"),
    ]
    deleted = deliveries.last().payload
    assert deleted["url"] == f"http://127.0.0.1:8000/spaces/co-up/api/bookings/{booking_id}"
    assert deleted["booking"]["title"] == "renamed"
    assert deleted["booking"]["can_change"] is True  # as the space's admins see it


def test_a_refused_change_writes_no_delivery(member, room, space):
    WebhookSubscriptionFactory(space=space)

    post(member, room, body(next_hour(days=-1)))

    assert not WebhookDelivery.objects.exists()

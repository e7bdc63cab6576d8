"""The booking services beyond the API's own tests: daylight saving in a space with a time
zone, the PostgreSQL backstop, the platform as actor, invoicing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.tests.factories import UserFactory
from bookings.models import ResourceBooking
from bookings.resources import services
from bookings.resources.models import WebhookDelivery
from bookings.tests.resources.factories import (
    MembershipFactory,
    ResourceBookingFactory,
    ResourceFactory,
    WebhookSubscriptionFactory,
    next_hour,
)
from coliving.api.errors import Conflict, Forbidden, InvalidInput
from conftest import requires_postgres
from jobs.models import Membership
from jobs.tests.factories import EventFactory, SpaceFactory

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def berlin_member(key_client):
    from bookings.tests.resources.factories import member_client

    space = SpaceFactory(timezone="Europe/Berlin")
    client = member_client(key_client, space)
    client.room = ResourceFactory(
        space=space,
        price_per_hour=Decimal("10.00"),
        max_booking_duration=180,
        booking_times=[{"from": "00:00", "to": "24:00", "weekdays": [7]}],  # Sundays
    )
    return client


def test_a_booking_across_the_spring_dst_change_is_three_hours_not_four(berlin_member):
    client = berlin_member
    # 00:00 to 04:00 on Berlin's wall clock, the night the clocks go forward: 3 hours pass.
    response = client.post(
        f"{client.base}/resources/{client.room.pk}/bookings",
        {"from": "2031-03-30 00:00", "to": "2031-03-30 04:00"},
        format="json",
    )

    assert response.status_code == 201, response.content  # within the 180-minute maximum
    assert (response.json()["from"], response.json()["to"]) == (
        "2031/03/29 23:00:00 +0000",
        "2031/03/30 02:00:00 +0000",
    )
    assert response.json()["price"] == 30.0


def test_a_booking_across_the_autumn_dst_change_is_five_hours_not_four(berlin_member):
    client = berlin_member
    # 00:00 to 04:00 on the night the clocks go back: 5 hours pass, past the maximum.
    response = client.post(
        f"{client.base}/resources/{client.room.pk}/bookings",
        {"from": "2031-10-26 00:00 +0200", "to": "2031-10-26 04:00 +0100"},
        format="json",
    )

    assert response.status_code == 422
    assert response.json() == {"errors": {"to": ["booking must be at most 180 minutes long"]}}


def test_booking_windows_are_the_spaces_local_time(berlin_member):
    client = berlin_member
    # Sunday 30 March 2031 from 23:00 UTC on Saturday: Sunday in Berlin, Saturday in UTC.
    inside = client.post(
        f"{client.base}/resources/{client.room.pk}/bookings",
        {"from": "2031-03-29 23:30 +0000", "to": "2031-03-30 00:30 +0000"},
        format="json",
    )
    outside = client.post(
        f"{client.base}/resources/{client.room.pk}/bookings",
        {"from": "2031-03-29 22:00 +0000", "to": "2031-03-29 22:30 +0000"},  # 23:00 on Saturday in Berlin
        format="json",
    )

    assert inside.status_code == 201
    assert outside.json() == {"errors": {"from": ["is outside the booking times of this resource"]}}


@requires_postgres
def test_the_exclusion_constraint_refuses_overlapping_bookings_that_take_every_unit():
    room = ResourceFactory(units=1)
    start = next_hour(days=2)
    ResourceBookingFactory(resource=room, start=start, end=start + timedelta(hours=2))

    with pytest.raises(IntegrityError, match="bookings_resource_exclusive_no_overlap"), transaction.atomic():
        ResourceBookingFactory(resource=room, start=start + timedelta(hours=1), end=start + timedelta(hours=3))
    ResourceBookingFactory(resource=room, start=start + timedelta(hours=2), end=start + timedelta(hours=3))  # touching


@requires_postgres
def test_the_exclusion_constraint_leaves_partial_bookings_to_the_peak_check():
    desks = ResourceFactory(units=3)
    start = next_hour(days=2)
    for _ in range(3):
        ResourceBookingFactory(resource=desks, units=1, start=start)  # not exclusive: the lock-and-check's job
    assert ResourceBooking.objects.filter(resource=desks, exclusive=False).count() == 3


def test_every_write_marks_whether_it_takes_every_unit(key_client):
    desks = ResourceFactory(units=4)
    start = next_hour(days=2)
    whole = services.resource_booking_create(
        actor=None, resource=desks, start=start, end=start + timedelta(hours=1), units=4
    )
    part = services.resource_booking_create(
        actor=None, resource=desks, start=start + timedelta(hours=1), end=start + timedelta(hours=2), units=1
    )
    assert (whole.exclusive, part.exclusive) == (True, False)
    services.resource_booking_update(actor=None, booking=part, units=4)
    part.refresh_from_db()
    assert part.exclusive is True


def test_the_platform_books_outside_every_members_rule_but_not_past_capacity():
    room = ResourceFactory(admins_only=True, hidden=True, min_booking_duration=600)
    start = next_hour(days=-3)
    member = MembershipFactory(space=room.space)

    booking = services.resource_booking_create(
        actor=None, resource=room, membership=member, start=start, end=start + timedelta(minutes=30)
    )

    assert booking.membership == member and booking.price == Decimal("2.50")
    with pytest.raises(InvalidInput) as refused:
        services.resource_booking_create(actor=None, resource=room, start=start, end=start + timedelta(hours=1))
    assert refused.value.errors[0].path == ("base",)


def test_times_are_stored_in_utc():
    room = ResourceFactory()
    start = datetime(2031, 7, 1, 10, tzinfo=BERLIN)

    booking = services.resource_booking_create(actor=None, resource=room, start=start, end=start + timedelta(hours=1))

    booking.refresh_from_db()
    assert booking.start.utcoffset() == timedelta(0)
    assert booking.start == start


def test_marking_invoiced_takes_bookings_out_of_recent_once():
    already = timezone.now() - timedelta(days=1)
    due = ResourceBookingFactory()
    done = ResourceBookingFactory(invoiced_at=already)

    assert services.resource_bookings_mark_invoiced(bookings=ResourceBooking.objects.all()) == 1
    due.refresh_from_db()
    done.refresh_from_db()
    assert due.invoiced_at is not None and done.invoiced_at == already


# --- the rules, as the service reports them: (path, message, code) of each refusal -------------

NOW = datetime(2031, 7, 1, 9, tzinfo=UTC)  # a Tuesday, 09:00 in the space (UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(services, "now", lambda: NOW)


def refusals(call) -> list[tuple[tuple, str, str]]:
    with pytest.raises(InvalidInput) as refused:
        call()
    return [(error.path, error.message, error.code) for error in refused.value.errors]


BEFORE_START = (("end",), "must be after from", "before_start")
TOO_SHORT = (("end",), "booking must be at least 60 minutes long", "too_short")
TOO_LONG = (("end",), "booking must be at most 120 minutes long", "too_long")
PAST = (("start",), "can't be in the past", "past")
OUTSIDE_TIMES = (("start",), "is outside the booking times of this resource", "booking_times")
ADMINS_ONLY = "can only be set by an admin of the space"


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (NOW, NOW + HOUR, []),  # starting this very moment is not the past
        (NOW + HOUR, NOW + HOUR, [BEFORE_START]),  # no duration left to judge
        (NOW + HOUR, NOW + 2 * HOUR, []),  # exactly the minimum
        (NOW + HOUR, NOW + 3 * HOUR, []),  # exactly the maximum
        (NOW + HOUR, NOW + HOUR + timedelta(minutes=59), [TOO_SHORT]),
        (NOW + HOUR, NOW + 3 * HOUR + timedelta(minutes=1), [TOO_LONG]),
        (NOW - HOUR, NOW, [PAST]),
        (NOW + 9 * HOUR, NOW + 10 * HOUR, [OUTSIDE_TIMES]),  # 18:00 to 19:00
    ],
    ids=["now", "no-duration", "minimum", "maximum", "too-short", "too-long", "past", "outside-times"],
)
def test_a_members_booking_is_judged_by_every_rule_of_its_resource(frozen, start, end, expected):
    room = ResourceFactory(
        space=SpaceFactory(timezone="UTC"),
        min_booking_duration=60,
        max_booking_duration=120,
        booking_times=[{"from": "08:00", "to": "18:00", "weekdays": [2]}],
    )
    member = MembershipFactory(space=room.space)

    def book():
        return services.resource_booking_create(actor=member, resource=room, start=start, end=end)

    if expected:
        assert refusals(book) == expected
    else:
        assert book().pk is not None


@pytest.mark.parametrize("units", [0, 4])
def test_units_are_between_one_and_the_resources_for_the_platform_too(frozen, units):
    desks = ResourceFactory(units=3)

    book = services.resource_booking_create
    assert refusals(lambda: book(actor=None, resource=desks, start=NOW + HOUR, end=NOW + 2 * HOUR, units=units)) == [
        (("units",), "must be between 1 and 3", "units")
    ]
    assert book(actor=None, resource=desks, start=NOW + HOUR, end=NOW + 2 * HOUR, units=3).units == 3


def test_a_full_resource_is_refused_as_fully_booked(frozen):
    room = ResourceFactory(units=2)
    services.resource_booking_create(actor=None, resource=room, start=NOW + HOUR, end=NOW + 3 * HOUR, units=2)

    book = services.resource_booking_create
    assert refusals(lambda: book(actor=None, resource=room, start=NOW + 2 * HOUR, end=NOW + 4 * HOUR)) == [
        (("base",), "The resource is already booked at this time", "fully_booked")
    ]


def test_only_an_admin_books_for_someone_else_and_only_for_an_active_member_of_the_space(frozen):
    room = ResourceFactory()
    member, other = MembershipFactory(space=room.space), MembershipFactory(space=room.space)
    admin = MembershipFactory(space=room.space, role=Membership.Role.ADMIN)
    inactive = MembershipFactory(space=room.space, is_active=False)
    elsewhere = MembershipFactory()

    def book_for(actor, membership):
        start = NOW + HOUR
        return services.resource_booking_create(
            actor=actor, resource=room, membership=membership, start=start, end=start + HOUR
        )

    not_admin = (("membership",), "can only be set by an admin of the space", "admins_only")
    not_member = (("membership",), "is not an active membership of this space", "does_not_exist")
    assert refusals(lambda: book_for(member, other)) == [not_admin]
    assert refusals(lambda: book_for(admin, inactive)) == [not_member]
    assert refusals(lambda: book_for(admin, elsewhere)) == [not_member]
    assert book_for(member, member).membership == member


def test_every_write_records_its_webhook_with_the_booking_as_the_api_shows_it(settings):
    settings.SITE_URL = "https://app.example.com"
    room = ResourceFactory(space=SpaceFactory(subdomain="hooked"))
    WebhookSubscriptionFactory(space=room.space)  # all three events
    start = next_hour(days=2)

    booking = services.resource_booking_create(
        actor=None, resource=room, start=start, end=start + timedelta(hours=1), title="Standup"
    )
    services.resource_booking_update(actor=None, booking=booking, title="Retro")
    services.resource_booking_delete(actor=None, booking=booking)

    url = f"https://app.example.com/spaces/hooked/api/bookings/{booking.pk}"
    deliveries = WebhookDelivery.objects.order_by("pk")
    assert [(d.event, d.payload["url"], d.payload["booking"]["title"]) for d in deliveries] == [
        ("created_booking", url, "Standup"),
        ("updated_booking", url, "Retro"),
        ("deleted_booking", url, "Retro"),
    ]


def test_a_change_and_a_deletion_read_what_they_need_in_the_locking_query(django_assert_num_queries):
    room = ResourceFactory()
    member = MembershipFactory(space=room.space)
    booking = ResourceBookingFactory(resource=room, membership=member)

    # Within the service's savepoint: the booking with its resource, space and membership (FOR
    # UPDATE), the resource with its space (FOR UPDATE), the overlapping bookings, the UPDATE in
    # its own savepoint, the subscriptions. No lazy read of a related row while the locks are held.
    with django_assert_num_queries(9):
        services.resource_booking_update(actor=member, booking=booking, title="Retro")
    # Within its savepoint: the booking as above, the subscriptions, the DELETE.
    with django_assert_num_queries(5):
        services.resource_booking_delete(actor=member, booking=booking)


def test_members_change_and_delete_only_their_own_future_bookings_before_the_cancellation_period(frozen):
    room = ResourceFactory(cancellation_period=2)
    member = MembershipFactory(space=room.space)
    refused = {
        "Members can only change their own bookings": ResourceBookingFactory(resource=room, start=NOW + 5 * HOUR),
        "Members can only change bookings in the future": ResourceBookingFactory(
            resource=room, membership=member, start=NOW - HOUR, end=NOW + HOUR
        ),
        "The cancellation period of this booking has passed (2 hours before its start)": ResourceBookingFactory(
            resource=room, membership=member, start=NOW + HOUR
        ),
    }
    by_event = ResourceBookingFactory(resource=room, membership=member, event=EventFactory(space=room.space))

    for message, booking in refused.items():
        with pytest.raises(Forbidden, match=re.escape(message)):
            services.resource_booking_update(actor=member, booking=booking, title="x")
        with pytest.raises(Forbidden, match=re.escape(message)):
            services.resource_booking_delete(actor=member, booking=booking)
    with pytest.raises(Conflict, match="can't be changed through this endpoint"):
        services.resource_booking_update(actor=None, booking=by_event, title="x")
    with pytest.raises(Conflict, match="can't be deleted through this endpoint"):
        services.resource_booking_delete(actor=None, booking=by_event)
    own = ResourceBookingFactory(resource=room, membership=member, start=NOW + 3 * HOUR)
    assert services.resource_booking_update(actor=member, booking=own, title="x").title == "x"
    assert ResourceBooking.objects.filter(title="x").count() == 1


def test_a_members_change_is_judged_by_the_rules_and_may_not_move_to_a_hidden_resource(frozen):
    room = ResourceFactory(space=SpaceFactory(timezone="UTC"), booking_times=[{"from": "08:00", "to": "18:00"}])
    hidden = ResourceFactory(space=room.space, hidden=True)
    member, other = MembershipFactory(space=room.space), MembershipFactory(space=room.space)
    own = ResourceBookingFactory(resource=room, membership=member, start=NOW + HOUR, end=NOW + 2 * HOUR)

    def change(**fields):
        return lambda: services.resource_booking_update(actor=member, booking=own, **fields)

    with pytest.raises(Forbidden):
        change(resource=hidden)()
    assert refusals(change(end=NOW + 10 * HOUR)) == [OUTSIDE_TIMES]  # until 19:00
    assert refusals(change(membership=other)) == [(("membership",), ADMINS_ONLY, "admins_only")]
    assert refusals(change(price=Decimal("1.00"))) == [(("price",), ADMINS_ONLY, "admins_only")]
    own.refresh_from_db()
    assert (own.resource, own.end, own.membership, own.has_custom_price) == (room, NOW + 2 * HOUR, member, False)


def test_the_platform_changes_every_field_outside_the_members_rules(frozen):
    room = ResourceFactory(space=SpaceFactory(timezone="UTC"))
    other_room = ResourceFactory(
        space=room.space,
        admins_only=True,
        hidden=True,
        max_booking_duration=60,
        booking_times=[{"from": "08:00", "to": "18:00"}],
        currency="USD",
        tax_rate=Decimal("7.00"),
    )
    member, other = MembershipFactory(space=room.space), MembershipFactory(space=room.space)
    booking = ResourceBookingFactory(resource=room, membership=member, start=NOW + HOUR, end=NOW + 2 * HOUR)

    services.resource_booking_update(
        actor=None,
        booking=booking,
        resource=other_room,
        end=NOW + 12 * HOUR,  # past 18:00 and longer than a member may book
        comments="Moved by staff",
        membership=other,
        price=Decimal("12.50"),
    )
    booking.refresh_from_db()
    assert (booking.resource, booking.currency, booking.tax_rate) == (other_room, "USD", Decimal("7.00"))
    assert (booking.end, booking.comments, booking.membership) == (NOW + 12 * HOUR, "Moved by staff", other)
    assert (booking.price, booking.has_custom_price) == (Decimal("12.50"), True)


def test_a_member_books_neither_a_hidden_resource_nor_at_a_price_of_their_own(frozen):
    room = ResourceFactory()
    hidden = ResourceFactory(space=room.space, hidden=True)
    member = MembershipFactory(space=room.space)
    start = NOW + HOUR

    def book(**fields):
        return services.resource_booking_create(actor=member, start=start, end=start + HOUR, **fields)

    with pytest.raises(Forbidden):
        book(resource=hidden)
    assert refusals(lambda: book(resource=room, price=Decimal("1.00"))) == [(("price",), ADMINS_ONLY, "admins_only")]
    assert (book(resource=room).title, ResourceBooking.objects.get().comments) == ("", "")


def test_the_platform_books_with_everything_it_gives(frozen):
    room = ResourceFactory()
    event, staff = EventFactory(space=room.space), UserFactory()
    start = NOW + HOUR
    services.resource_booking_create(
        actor=None,
        resource=room,
        start=start,
        end=start + HOUR,
        comments="Projector",
        price=Decimal("0.00"),
        event=event,
        created_by=staff,
    )
    booking = ResourceBooking.objects.get()
    assert (booking.comments, booking.event, booking.created_by) == ("Projector", event, staff)
    assert (booking.price, booking.has_custom_price) == (Decimal("0.00"), True)


def test_an_admin_sets_any_price_from_zero_up(frozen):
    room = ResourceFactory()
    admin = MembershipFactory(space=room.space, role=Membership.Role.ADMIN)
    start = NOW + HOUR

    def book(price):
        return services.resource_booking_create(actor=admin, resource=room, start=start, end=start + HOUR, price=price)

    negative = (("price",), "must be greater than or equal to 0", "min_value")
    assert refusals(lambda: book(Decimal("-0.01"))) == [negative]
    assert book(Decimal("0.00")).price == Decimal("0.00")

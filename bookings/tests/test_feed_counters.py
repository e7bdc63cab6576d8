"""Per-tenant change counters (bookings/versions.py): booking writes of tenants that share no
listing never wait for each other, a grant ties its grantee's hosts together so that the
grantee's feed still never misses a change, and a tenant's first counter starts above every
change number handed out so far."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from bookings import services
from bookings.models import Booking, BookingFeedCounter
from bookings.tests.factories import guest_of, make_booking
from bookings.tests.feed_polling import confirmations_missed_while_polling, poll
from bookings.versions import next_change
from conftest import requires_postgres
from listings.models import ListingGrant
from listings.tests.factories import ListingFactory, RoomTypeFactory

WAIT = 30  # seconds: the bound of every wait below; none is a timing assumption


@pytest.fixture
def hosts(key_client, provider):
    """Two hosts with a key each (the per-minute limit lifted for the pollers), a room type of
    500 units and a guest each."""
    made = []
    for _ in range(2):
        client = key_client(["bookings.read", "bookings.write"], rate_limit_per_minute=1_000_000)
        client.room_type = RoomTypeFactory(listing=ListingFactory(host=client.owner), amount=500)
        client.guest = guest_of(client.owner)
        made.append(client)
    return made


def backend_waits_on_a_lock(pid: int) -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


class Writer(threading.Thread):
    """Runs ``services.<action>(booking=…)`` in a thread of its own (its own connection);
    with ``hold``, stays inside its transaction after the change until ``release`` is set."""

    def __init__(self, action: str, booking: Booking, *, hold: bool = False):
        super().__init__(daemon=True)
        self.action, self.booking, self.hold = action, booking, hold
        self.changed, self.release, self.done = threading.Event(), threading.Event(), threading.Event()
        self.pid: int | None = None
        self.started_on = threading.Event()
        self.error: BaseException | None = None

    def run(self):
        try:
            connection.ensure_connection()
            self.pid = connection.connection.info.backend_pid
            self.started_on.set()
            with transaction.atomic():
                getattr(services, self.action)(booking=self.booking)
                self.changed.set()
                if self.hold:
                    assert self.release.wait(timeout=WAIT)
            self.done.set()
        except BaseException as exc:
            self.error = exc
        finally:
            self.started_on.set()
            self.changed.set()
            connection.close()

    def finish(self):
        self.release.set()
        self.join(timeout=WAIT)
        assert not self.is_alive()
        assert self.error is None, self.error


def wait_until(predicate, *, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not predicate():
        assert time.monotonic() < deadline, f"not within {WAIT} s: {what}"
        time.sleep(0.01)


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_writes_of_tenants_that_share_no_listing_never_wait_for_each_other(hosts):
    """Host A's change holds its counter row; host B's change, on its own listing, commits
    meanwhile, and B's feed shows it at once. (With the platform-wide counter, B waited.)"""
    a, b = hosts
    a_booking = make_booking(room_type=a.room_type, guest=a.guest)
    b_booking = make_booking(room_type=b.room_type, guest=b.guest)
    _items, b_cursor = poll(b.raw_key, None)

    writer_a = Writer("booking_confirm", a_booking, hold=True)
    writer_a.start()
    try:
        assert writer_a.changed.wait(timeout=WAIT) and writer_a.error is None
        writer_b = Writer("booking_cancel", b_booking)
        writer_b.start()
        assert writer_b.done.wait(timeout=WAIT), "B waited for A although they share no listing"
        writer_b.finish()
        items, _next = poll(b.raw_key, b_cursor)
        assert [(item["booking_id"], item["status"]) for item in items] == [(b_booking.pk, "cancelled")]
        assert not writer_a.done.is_set()  # A was open all along
    finally:
        writer_a.finish()
    items, _next = poll(a.raw_key, None)
    assert [(item["booking_id"], item["status"]) for item in items] == [(a_booking.pk, "confirmed")]


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_grant_ties_the_grantees_hosts_so_its_feed_keeps_commit_order(hosts, key_client):
    """A partner granted a listing of each host: a change on one waits for an open change on
    the other (both bump the partner's counter), so the partner's poll in between sees
    neither, and the next sees both in commit order."""
    a, b = hosts
    partner = key_client(["bookings.read"], rate_limit_per_minute=1_000_000)
    for host in hosts:
        ListingGrant.objects.create(listing=host.room_type.listing, grantee=partner.owner)
    a_booking = make_booking(room_type=a.room_type, guest=a.guest)
    b_booking = make_booking(room_type=b.room_type, guest=b.guest)
    items, cursor = poll(partner.raw_key, None)
    assert {item["booking_id"] for item in items} == {a_booking.pk, b_booking.pk}

    writer_a = Writer("booking_confirm", a_booking, hold=True)
    writer_a.start()
    try:
        assert writer_a.changed.wait(timeout=WAIT) and writer_a.error is None
        writer_b = Writer("booking_cancel", b_booking)
        writer_b.start()
        assert writer_b.started_on.wait(timeout=WAIT)
        wait_until(lambda: backend_waits_on_a_lock(writer_b.pid), what="B waits for A's counter lock")
        assert not writer_b.done.is_set()
        assert poll(partner.raw_key, cursor) == ([], cursor)
    finally:
        writer_a.finish()
    writer_b.finish()

    items, _next = poll(partner.raw_key, cursor)
    assert [(item["booking_id"], item["status"]) for item in items] == [
        (a_booking.pk, "confirmed"),
        (b_booking.pk, "cancelled"),
    ]
    assert items[0]["version"] <= items[1]["version"]


@requires_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["cursor", "timestamp"])
def test_a_grantee_polling_while_both_hosts_write_never_misses_a_change(hosts, key_client, mode):
    """Writers confirm bookings of two hosts whose listings are both granted to a partner,
    and of a third listing each host's grantee shares with the other host (audiences that
    overlap in both directions: the counters are locked in user id order, so no deadlock);
    every writer holds its transaction open a random while after its change. The partner
    polls all along, following ``next_since`` or the latest version it holds, and must have
    seen every committed change."""
    a, b = hosts
    partner = key_client(["bookings.read"], rate_limit_per_minute=1_000_000)
    for host in hosts:
        ListingGrant.objects.create(listing=host.room_type.listing, grantee=partner.owner)
    # Each host also gets the other's listing: every change's audience is {a, b, partner}.
    ListingGrant.objects.create(listing=a.room_type.listing, grantee=b.owner)
    ListingGrant.objects.create(listing=b.room_type.listing, grantee=a.owner)
    bookings = [make_booking(room_type=host.room_type, guest=host.guest) for _ in range(30) for host in hosts]
    assert confirmations_missed_while_polling(partner.raw_key, mode, bookings, writers=6, max_hold=0.02) == []


@pytest.mark.django_db
def test_a_tenants_first_counter_starts_above_every_change_so_far(hosts):
    a, b = hosts
    for _ in range(3):
        make_booking(room_type=a.room_type, guest=a.guest)
    highest = Booking.objects.order_by("-change_seq").values_list("change_seq", flat=True).first()
    first_of_b = make_booking(room_type=b.room_type, guest=b.guest)
    first_of_b.refresh_from_db()
    assert first_of_b.change_seq > highest
    if connection.vendor == "postgresql":
        assert BookingFeedCounter.objects.get(user=b.owner).seq == first_of_b.change_seq


@requires_postgres
@pytest.mark.django_db
def test_a_change_costs_one_statement_and_one_more_when_the_listing_has_grantees(hosts):
    a, b = hosts
    booking = make_booking(room_type=a.room_type, guest=a.guest)
    booking.refresh_from_db()
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        seq, _at = next_change(listing_id=booking.listing_id, previous=booking.changed_at)
    assert len(queries) == 1
    assert BookingFeedCounter.objects.get(user=a.owner).seq == seq

    ListingGrant.objects.create(listing=a.room_type.listing, grantee=b.owner)
    make_booking(room_type=b.room_type, guest=b.guest)  # b's counter: now ahead of a's
    b_seq = BookingFeedCounter.objects.get(user=b.owner).seq
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        seq, at = next_change(listing_id=booking.listing_id, previous=booking.changed_at)
    assert len(queries) == 2
    assert seq == b_seq + 1  # above both counters ...
    counters = BookingFeedCounter.objects.filter(user__in=[a.owner, b.owner]).values_list("seq", "at")
    assert set(counters) == {(seq, at)}  # ... and both moved to it


@pytest.mark.django_db
def test_the_feeds_form_of_a_users_listings_is_for_owners(hosts, key_client):
    """``Listing.objects.ids_for_owner`` (the feed's subquery) selects exactly ``for_owner``'s
    listings: hosted and granted, not another tenant's."""
    from listings.models import Listing

    a, b = hosts
    partner = key_client(["bookings.read"])
    ListingGrant.objects.create(listing=a.room_type.listing, grantee=partner.owner)
    ListingGrant.objects.create(listing=b.room_type.listing, grantee=a.owner)
    ListingFactory(host=partner.owner)
    for user in (a.owner, b.owner, partner.owner, guest_of(a.owner)):
        expected = set(Listing.objects.for_owner(user).values_list("pk", flat=True))
        assert set(Listing.objects.ids_for_owner(user).values_list("pk", flat=True)) == expected
    assert set(Listing.objects.ids_for_owner(a.owner).values_list("pk", flat=True)) == {
        a.room_type.listing_id,
        b.room_type.listing_id,
    }


@pytest.mark.django_db
def test_a_new_grant_never_puts_the_grantees_cursor_above_its_next_change(hosts, key_client):
    """The grantee's cursor may come from a newly granted listing's history, numbered by its
    host's counter; the grantee's next change elsewhere must number itself above it."""
    a, b = hosts
    partner = key_client(["bookings.read"], rate_limit_per_minute=1_000_000)
    ListingGrant.objects.create(listing=b.room_type.listing, grantee=partner.owner)
    make_booking(room_type=b.room_type, guest=b.guest)  # the partner's counter: low
    for _ in range(5):
        make_booking(room_type=a.room_type, guest=a.guest)  # a's: higher and higher
    ListingGrant.objects.create(listing=a.room_type.listing, grantee=partner.owner)
    items, cursor = poll(partner.raw_key, None)
    assert len(items) == 6

    later = make_booking(room_type=b.room_type, guest=b.guest)
    items, _next = poll(partner.raw_key, cursor)
    assert [item["booking_id"] for item in items] == [later.pk]

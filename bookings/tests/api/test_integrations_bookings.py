"""``/v2/integrations/{provider}/bookings…``: the change feed and the booking detail."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from bookings import services
from bookings.models import Booking
from bookings.tests.factories import make_booking
from bookings.versions import encode_cursor, format_version
from listings.tests.factories import ListingFactory, RoomTypeFactory

pytestmark = pytest.mark.django_db
FEED = "/v2/integrations/mangobeds/bookings"


@pytest.fixture(autouse=True)
def _provider(provider):
    return provider


def feed(client, query: str = ""):
    response = client.get(f"{FEED}?{query}" if query else FEED)
    assert response.status_code == 200, response.json()
    return response.json()["data"]


def test_the_feed_lists_your_changed_bookings_in_change_order(partner, other):
    first = make_booking(room_type=partner.room_type)
    second = make_booking(room_type=partner.room_type, checkin=date(2024, 3, 1), checkout=date(2024, 3, 5))
    make_booking(room_type=other.room_type)
    services.booking_confirm(booking=first)  # first changes again: now it comes after second
    first.refresh_from_db()
    second.refresh_from_db()

    response = partner.get(FEED)
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "success": True,
        "data": {
            "Bookings": [
                {
                    "booking_id": second.pk,
                    "listing_id": partner.listing.pk,
                    "room_type_id": partner.room_type.pk,
                    "status": "pending",
                    "version": second.version,
                },
                {
                    "booking_id": first.pk,
                    "listing_id": partner.listing.pk,
                    "room_type_id": partner.room_type.pk,
                    "status": "confirmed",
                    "version": first.version,
                },
            ],
            "next_since": encode_cursor(first.change_seq),
        },
    }
    assert second.version <= first.version
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", first.version)


def test_a_poller_gets_each_change_once_following_next_since(partner):
    room_type = partner.room_type
    room_type.amount = 50
    room_type.save()
    bookings = [make_booking(room_type=room_type, guest=partner.guest) for _ in range(5)]
    page = feed(partner, "limit=2")
    assert [item["booking_id"] for item in page["Bookings"]] == [b.pk for b in bookings[:2]]
    page = feed(partner, f"limit=2&since={page['next_since']}")
    assert [item["booking_id"] for item in page["Bookings"]] == [b.pk for b in bookings[2:4]]
    cursor = page["next_since"]
    services.booking_cancel(booking=bookings[0])  # an older booking changes: it comes again, with a new version
    page = feed(partner, f"since={cursor}")
    assert [item["booking_id"] for item in page["Bookings"]] == [bookings[4].pk, bookings[0].pk]
    assert page["Bookings"][1]["status"] == "cancelled"
    page = feed(partner, f"since={page['next_since']}")
    assert page["Bookings"] == []


def test_with_nothing_new_next_since_is_the_cursor_sent(partner):
    booking = make_booking(room_type=partner.room_type)
    booking.refresh_from_db()
    cursor = encode_cursor(booking.change_seq)
    assert feed(partner, f"since={cursor}") == {"Bookings": [], "next_since": cursor}
    page = feed(partner)
    assert [item["booking_id"] for item in page["Bookings"]] == [booking.pk]
    assert page["next_since"] == cursor
    Booking.objects.all().delete()
    assert feed(partner) == {"Bookings": [], "next_since": None}


def test_a_plain_timestamp_means_changes_at_or_after_that_second(partner):
    booking = make_booking(room_type=partner.room_type)
    booking.refresh_from_db()
    second = booking.changed_at.replace(microsecond=0)

    def since(moment) -> list[int]:
        page = feed(partner, f"since={moment:%Y-%m-%d %H:%M:%S}")
        assert page["next_since"] == (
            encode_cursor(booking.change_seq) if page["Bookings"] else f"{moment:%Y-%m-%d %H:%M:%S}"
        )
        return [item["booking_id"] for item in page["Bookings"]]

    assert since(second - timedelta(seconds=1)) == [booking.pk]
    assert since(second) == [booking.pk]  # its own version: seen again, never missed
    assert since(second + timedelta(seconds=1)) == []


def test_changes_in_the_same_second_are_all_found_by_either_path(partner, monkeypatch):
    from django.utils import timezone

    frozen = datetime(2100, 1, 2, 3, 4, 5, 600000, tzinfo=UTC)  # after any change committed by other tests
    monkeypatch.setattr(timezone, "now", lambda: frozen)
    partner.room_type.amount = 5
    partner.room_type.save()
    first = make_booking(room_type=partner.room_type, guest=partner.guest)
    page = feed(partner, "since=2100-01-02 03:04:05")
    assert [item["booking_id"] for item in page["Bookings"]] == [first.pk]
    cursor, version = page["next_since"], page["Bookings"][0]["version"]
    assert version == "2100-01-02 03:04:05"

    second = make_booking(room_type=partner.room_type, guest=partner.guest)  # the same second
    services.booking_confirm(booking=first)  # first's next version: a second later

    by_cursor = feed(partner, f"since={cursor}")["Bookings"]
    assert [(item["booking_id"], item["status"], item["version"]) for item in by_cursor] == [
        (second.pk, "pending", "2100-01-02 03:04:05"),
        (first.pk, "confirmed", "2100-01-02 03:04:06"),
    ]
    by_time = feed(partner, f"since={version}")["Bookings"]
    assert [item["booking_id"] for item in by_time] == [second.pk, first.pk]


def test_the_feed_still_reads_a_cursor_handed_out_with_the_seq_in_the_version(partner):
    older = make_booking(room_type=partner.room_type, guest=partner.guest)
    newer = make_booking(
        room_type=partner.room_type, guest=partner.guest, checkin=date(2024, 3, 1), checkout=date(2024, 3, 5)
    )
    legacy = f"{older.changed_at:%Y-%m-%d %H:%M:%S}.{older.change_seq:09d}"
    assert [item["booking_id"] for item in feed(partner, f"since={legacy}")["Bookings"]] == [newer.pk]


def test_the_feed_filters_by_listing_and_status(partner):
    second_room_type = RoomTypeFactory(listing=ListingFactory(host=partner.owner))
    here = make_booking(room_type=partner.room_type, status="confirmed")
    there = make_booking(room_type=second_room_type)
    ids = [item["booking_id"] for item in feed(partner, f"listing_id={partner.listing.pk}")["Bookings"]]
    assert ids == [here.pk]
    assert [item["booking_id"] for item in feed(partner, "status=pending")["Bookings"]] == [there.pk]


def test_another_tenants_listing_is_404(partner, other):
    make_booking(room_type=other.room_type)
    response = partner.get(f"{FEED}?listing_id={other.listing.pk}")
    assert response.status_code == 404
    assert response.json() == {"success": False, "error": "Listing not found or unauthorized", "code": "not_found"}


def test_another_tenants_bookings_never_appear(partner, other):
    make_booking(room_type=other.room_type)
    assert feed(partner)["Bookings"] == []


@pytest.mark.parametrize(
    "query, field",
    [
        ("since=yesterday", "since"),
        ("since=2024-13-01 00:00:00", "since"),
        ("since=c2VxOng", "since"),  # a cursor that does not decode to a change number
        ("since=2024-05-20 14:30:00.", "since"),
        ("since=2024-05-20T14:30:00", "since"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=x", "limit"),
        ("status=lost", "status"),
        ("listing_id=abc", "listing_id"),
        # Empty is not omitted: a poller whose cursor went empty must not re-read everything.
        ("since=", "since"),
        ("since=%20", "since"),
        ("listing_id=", "listing_id"),
        ("status=", "status"),
        ("limit=", "limit"),
    ],
)
def test_bad_parameters_are_400(partner, query, field):
    response = partner.get(f"{FEED}?{query}")
    assert response.status_code == 400
    assert field in response.json()["details"]


def test_limit_defaults_to_100_and_goes_up_to_500(partner):
    room_type = partner.room_type
    room_type.amount = 200
    room_type.save()
    for _ in range(101):
        make_booking(room_type=room_type, guest=partner.guest, checkin=date(2024, 3, 1), checkout=date(2024, 3, 2))
    assert len(feed(partner)["Bookings"]) == 100
    assert len(feed(partner, "limit=500")["Bookings"]) == 101


def test_the_feed_with_no_changes_makes_two_queries(partner, django_assert_num_queries):
    booking = make_booking(room_type=partner.room_type)
    booking.refresh_from_db()
    feed(partner)  # warms the per-process provider table (apikeys/providers.py)
    # 1. the API key (with its owner)  2. the changes after the cursor
    with django_assert_num_queries(2):
        response = partner.get(f"{FEED}?since={encode_cursor(booking.change_seq)}")
    assert response.json()["data"]["Bookings"] == []


@pytest.mark.parametrize("count", [2, 50])
def test_the_feed_makes_a_constant_number_of_queries(partner, django_assert_num_queries, count):
    partner.room_type.amount = 100
    partner.room_type.save()
    for _ in range(count):
        make_booking(room_type=partner.room_type, guest=partner.guest)
    feed(partner)  # warms the per-process provider table
    # 1. the API key  2. the changes
    with django_assert_num_queries(2):
        assert len(feed(partner)["Bookings"]) == count
    # with ?listing_id=: 3. that the listing is yours
    with django_assert_num_queries(3):
        assert len(feed(partner, f"listing_id={partner.listing.pk}")["Bookings"]) == count


def test_an_unknown_provider_is_404(partner):
    response = partner.get("/v2/integrations/nobeds/bookings")
    assert response.status_code == 404
    assert response.json()["code"] == "unsupported_provider"


def test_a_key_bound_to_another_provider_is_403(key_client, provider):
    from apikeys.models import Provider

    elsewhere = Provider.objects.create(slug="otherbeds", name="Other Beds")
    client = key_client(["bookings.read"], provider=elsewhere)
    assert client.get(FEED).status_code == 403
    assert client.get("/v2/integrations/otherbeds/bookings").status_code == 200


@pytest.mark.parametrize("path", [FEED, f"{FEED}/1"])
def test_a_missing_scope_is_403(key_client, path):
    client = key_client(["bookings.write", "listings.read"])
    response = client.get(path)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


# --- GET /v2/integrations/{provider}/bookings/{id} ---------------------------------------------


def test_the_detail_has_guest_contact_and_pricing(partner):
    guest = partner.guest
    guest.first_name, guest.last_name, guest.email = "Alex", "Rivera", "alex@example.com"
    guest.phone = "+1234567890"
    guest.save()
    booking = make_booking(room_type=partner.room_type, guest=guest, guests=2, message="Late arrival")
    booking.refresh_from_db()
    response = partner.get(f"{FEED}/{booking.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    detail = body["data"]["Booking"]
    assert detail == {
        "booking_id": booking.pk,
        "reference": booking.reference,
        "status": "pending",
        "listing_id": partner.listing.pk,
        "listing_name": partner.listing.name,
        "room_type_id": partner.room_type.pk,
        "room_type_name": partner.room_type.name,
        "checkin_at": "2024-02-01",
        "checkout_at": "2024-02-15",
        "guests": 2,
        "guest": {"name": "Alex Rivera", "email": "alex@example.com", "phone": "+1234567890"},
        "pricing": {"total": 362.07, "currency": "EUR", "breakdown": booking.price_breakdown},
        "message": "Late arrival",
        "created_at": booking.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "updated_at": booking.updated_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "version": format_version(booking.changed_at),
    }


def test_the_detail_makes_two_queries(partner, django_assert_num_queries):
    booking = make_booking(room_type=partner.room_type)
    feed(partner)  # warms the per-process provider table
    # 1. the API key  2. the booking with its listing, room type and guest
    with django_assert_num_queries(2):
        response = partner.get(f"{FEED}/{booking.pk}")
    assert response.status_code == 200
    detail = response.json()["data"]["Booking"]
    assert (detail["booking_id"], detail["listing_name"], detail["room_type_name"]) == (
        booking.pk,
        partner.listing.name,
        partner.room_type.name,
    )
    assert detail["guest"]["email"] == booking.guest.email


@pytest.mark.parametrize("whose", ["other", "missing"])
def test_another_tenants_booking_is_404(partner, other, whose):
    booking_id = make_booking(room_type=other.room_type).pk if whose == "other" else 999_999
    response = partner.get(f"{FEED}/{booking_id}")
    assert response.status_code == 404
    assert response.json() == {"success": False, "error": "Booking not found or unauthorized", "code": "not_found"}


def test_a_huge_id_is_404(partner):
    assert partner.get(f"{FEED}/99999999999999999999").status_code == 404

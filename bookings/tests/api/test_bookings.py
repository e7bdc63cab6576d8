"""``/v2/bookings…`` (partner API): create, list, read, cancel, messages."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection

from accounts.tests.factories import UserFactory
from bookings.models import Booking, BookingMessage
from bookings.tests.factories import guest_of, make_booking
from conftest import requires_postgres
from listings.models import ListingFee, RoomTypeNight
from listings.tests.factories import ListingFactory, RoomTypeFactory

pytestmark = pytest.mark.django_db


def spec_body(client, **changes) -> dict:
    """The spec's "Create Booking" request example, with the ids of objects that exist."""
    body = {
        "user_id": client.guest.pk,
        "listing_id": client.listing.pk,
        "room_type_id": client.room_type.pk,
        "checkin_at": "2024-02-01",
        "checkout_at": "2024-02-15",
        "guests": 2,
        "message": "Looking forward to my stay!",
    }
    body.update(changes)
    return body


def nothing_written() -> bool:
    return not Booking.objects.exists() and not RoomTypeNight.objects.exists()


# --- POST /v2/bookings -----------------------------------------------------------------


def test_the_spec_example_creates_a_pending_booking(partner):
    response = partner.post("/v2/bookings", spec_body(partner), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["success"] is True
    data = body["data"]
    booking = Booking.objects.get()
    assert data["id"] == booking.pk
    assert data["reference"] == f"CO-{1000 + booking.pk}"
    assert data["status"] == "pending"
    assert (data["listing_id"], data["room_type_id"], data["user_id"]) == (
        partner.listing.pk,
        partner.room_type.pk,
        partner.guest.pk,
    )
    assert (data["checkin_at"], data["checkout_at"], data["guests"]) == ("2024-02-01", "2024-02-15", 2)
    assert data["message"] == "Looking forward to my stay!"
    assert data["pricing"]["currency"] == "EUR"
    assert data["pricing"]["total"] == 362.07  # 14 nights × 750 / 29
    assert data["pricing"]["breakdown"]["rent"][0]["month"] == "2024-02"
    assert data["version"] == booking.version
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["created_at"])  # the family's one format
    assert booking.api_key == partner.api_key and booking.source == Booking.Source.PARTNER
    assert set(RoomTypeNight.objects.values_list("available", flat=True)) == {4}


LISTING_NOT_FOUND = {"success": False, "error": "Listing not found or unauthorized", "code": "not_found"}
ROOM_TYPE_NOT_FOUND = {"success": False, "error": "Room type not found or unauthorized", "code": "not_found"}


@pytest.mark.parametrize(
    "target, expected",
    [
        ("another tenant's listing and room type", LISTING_NOT_FOUND),
        ("our listing with another tenant's room type", ROOM_TYPE_NOT_FOUND),
        ("another tenant's listing with our room type", LISTING_NOT_FOUND),
        ("a missing listing", LISTING_NOT_FOUND),
        ("a missing room type", ROOM_TYPE_NOT_FOUND),
    ],
)
def test_a_listing_or_room_type_that_is_not_yours_is_404_naming_which(partner, other, target, expected):
    listing_id, room_type_id = {
        "another tenant's listing and room type": (other.listing.pk, other.room_type.pk),
        "our listing with another tenant's room type": (partner.listing.pk, other.room_type.pk),
        "another tenant's listing with our room type": (other.listing.pk, partner.room_type.pk),
        "a missing listing": (999_999, partner.room_type.pk),
        "a missing room type": (partner.listing.pk, 999_999),
    }[target]
    response = partner.post(
        "/v2/bookings", spec_body(partner, listing_id=listing_id, room_type_id=room_type_id), format="json"
    )
    assert response.status_code == 404
    assert response.json() == expected
    assert nothing_written()


def test_a_room_type_of_another_of_your_listings_is_404_room_type_not_found(partner):
    second = RoomTypeFactory(listing=ListingFactory(host=partner.owner))
    response = partner.post("/v2/bookings", spec_body(partner, room_type_id=second.pk), format="json")
    assert response.status_code == 404
    assert response.json() == ROOM_TYPE_NOT_FOUND
    assert nothing_written()


def test_a_granted_listing_can_be_booked(partner, other):
    other.listing.grants.create(grantee=partner.owner)
    body = spec_body(partner, listing_id=other.listing.pk, room_type_id=other.room_type.pk)
    assert partner.post("/v2/bookings", body, format="json").status_code == 201


@pytest.mark.parametrize("whose", ["another tenant's", "nobody's", "missing"])
def test_a_user_you_did_not_create_is_404(partner, other, whose):
    user_id = {"another tenant's": other.guest.pk, "nobody's": UserFactory().pk, "missing": 999_999}[whose]
    response = partner.post("/v2/bookings", spec_body(partner, user_id=user_id), format="json")
    assert response.status_code == 404
    assert response.json()["error"] == "User not found or unauthorized"
    assert nothing_written()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"user_id": None}, "user_id"),
        ({"listing_id": "abc"}, "listing_id"),
        ({"room_type_id": 2**64}, "room_type_id"),
        ({"checkin_at": "01/02/2024"}, "checkin_at"),
        ({"checkout_at": "2024-02-30"}, "checkout_at"),
        ({"checkout_at": "2024-01-31"}, "checkout_at"),
        ({"guests": 0}, "guests"),
        ({"guests": "two"}, "guests"),
        ({"message": "x" * 5001}, "message"),
    ],
)
def test_bad_input_is_400_and_writes_nothing(partner, changes, field):
    response = partner.post("/v2/bookings", spec_body(partner, **changes), format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Validation Error" and body["code"] == "validation_error"
    assert field in body["details"]
    assert nothing_written()


def test_a_nul_character_is_400_and_writes_nothing(partner):
    response = partner.post("/v2/bookings", spec_body(partner, message="nul \u0000 byte"), format="json")
    assert response.status_code == 400
    assert response.json()["success"] is False
    assert nothing_written()


def test_missing_fields_are_listed(partner):
    response = partner.post("/v2/bookings", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["details"]) == {
        "user_id",
        "listing_id",
        "room_type_id",
        "checkin_at",
        "checkout_at",
        "guests",
    }


def test_a_broken_listing_rule_is_400_with_the_reason(partner):
    partner.listing.notice_min_days = 30
    partner.listing.stay_min = 1
    partner.listing.save()
    response = partner.post("/v2/bookings", spec_body(partner), format="json")
    assert response.status_code == 400
    details = response.json()["details"]
    assert "notice_min_days" in details["checkin_at"][0]
    assert "stay_min" in details["checkout_at"][0]
    assert nothing_written()


def test_too_many_guests_is_400(partner):
    response = partner.post("/v2/bookings", spec_body(partner, guests=3), format="json")
    assert response.status_code == 400
    assert response.json()["details"] == {"guests": ["This room type takes at most 2 guest(s)."]}


def test_a_full_night_is_409_unavailable(partner):
    RoomTypeNight.objects.create(room_type=partner.room_type, date=date(2024, 2, 14), available=0)
    response = partner.post("/v2/bookings", spec_body(partner), format="json")
    assert response.status_code == 409
    assert response.json() == {
        "success": False,
        "error": "Room type is not available for the requested dates",
        "code": "unavailable",
        "details": {"unavailable_dates": ["2024-02-14"]},
    }
    assert not Booking.objects.exists()
    # Nothing taken: the full night stays 0, every other night has all 5 units (a row made
    # for a night that had none holds the amount, what no row means).
    nights = dict(RoomTypeNight.objects.values_list("date", "available"))
    assert nights.pop(date(2024, 2, 14)) == 0
    assert set(nights.values()) <= {5}


@requires_postgres
def test_creating_a_booking_makes_seven_queries(partner, django_assert_num_queries):
    ListingFee.objects.create(listing=partner.listing, name="Cleaning", amount=50)
    RoomTypeNight.objects.create(room_type=partner.room_type, date=date(2024, 2, 3), available=2)
    # 1. the API key  2. the room type with its listing (the owner's?)  3. the guest's id (created by
    # the owner?)  4. the listing's mandatory fees — all read before anything is locked; then, in
    # the transaction: 5. the take, one upsert of every night under the room type's KEY SHARE
    # lock  6. the version bump (the listing's audience's change counters: WITH … INSERT … ON
    # CONFLICT DO UPDATE), which also draws the booking's id  7. the INSERT, reference
    # included. No SAVEPOINT: the take is all or none, the booking's block needs none.
    with django_assert_num_queries(7) as captured:
        response = partner.post("/v2/bookings", spec_body(partner), format="json")
    assert response.status_code == 201, response.json()
    statements = [query["sql"].split(None, 1)[0].upper() for query in captured.captured_queries]
    assert statements == ["SELECT"] * 4 + ["INSERT", "WITH", "INSERT"]
    booking = Booking.objects.get()
    assert response.json()["data"]["reference"] == booking.reference == f"CO-{1000 + booking.pk}"
    assert response.json()["data"]["pricing"]["breakdown"]["fees"][0]["name"] == "Cleaning"


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the portable path; PostgreSQL is the test above")
def test_creating_a_booking_elsewhere_takes_the_portable_path(partner, django_assert_num_queries):
    # 1–4 as on PostgreSQL; the take in four statements (5. the room type's amount  6. the
    # missing nights  7. the stay's nights, read  8. decremented); 9. the version bump
    # 10. the INSERT  11. the reference (no sequence to draw the id from beforehand).
    with django_assert_num_queries(11):
        response = partner.post("/v2/bookings", spec_body(partner), format="json")
    assert response.status_code == 201, response.json()
    booking = Booking.objects.get()
    assert response.json()["data"]["reference"] == booking.reference == f"CO-{1000 + booking.pk}"


def test_an_idempotency_key_replay_creates_one_booking(partner):
    first = partner.post("/v2/bookings", spec_body(partner), format="json", HTTP_IDEMPOTENCY_KEY="b-1")
    second = partner.post("/v2/bookings", spec_body(partner), format="json", HTTP_IDEMPOTENCY_KEY="b-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Booking.objects.count() == 1
    mismatch = partner.post("/v2/bookings", spec_body(partner, guests=1), format="json", HTTP_IDEMPOTENCY_KEY="b-1")
    assert mismatch.status_code == 409
    assert mismatch.json()["code"] == "idempotency_key_mismatch"
    assert Booking.objects.count() == 1


def test_a_409_is_not_kept_for_the_idempotency_key(partner):
    RoomTypeNight.objects.create(room_type=partner.room_type, date=date(2024, 2, 14), available=0)
    assert (
        partner.post("/v2/bookings", spec_body(partner), format="json", HTTP_IDEMPOTENCY_KEY="b-2").status_code == 409
    )
    RoomTypeNight.objects.filter(date=date(2024, 2, 14)).update(available=1)
    retry = partner.post("/v2/bookings", spec_body(partner), format="json", HTTP_IDEMPOTENCY_KEY="b-2")
    assert retry.status_code == 201


# --- scopes and authentication -------------------------------------------------------------


@pytest.mark.parametrize(
    "scopes, method, path",
    [
        (["bookings.read"], "post", "/v2/bookings"),
        (["bookings.write"], "get", "/v2/bookings"),
        (["bookings.write"], "get", "/v2/bookings/{id}"),
        (["bookings.read"], "post", "/v2/bookings/{id}/cancel"),
        (["bookings.read"], "post", "/v2/bookings/{id}/messages"),
        (["listings.read", "listings.write", "users.write"], "get", "/v2/bookings"),
    ],
)
def test_a_missing_scope_is_403_and_changes_nothing(key_client, scopes, method, path):
    client = key_client(scopes)
    room_type = RoomTypeFactory(listing=ListingFactory(host=client.owner))
    booking = make_booking(room_type=room_type, guest=guest_of(client.owner))
    body = {
        "user_id": booking.guest_id,
        "listing_id": room_type.listing_id,
        "room_type_id": room_type.pk,
        "checkin_at": "2024-03-01",
        "checkout_at": "2024-03-15",
        "guests": 1,
        "message": "hi",
    }
    response = getattr(client, method)(path.format(id=booking.pk), body, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert Booking.objects.get().status == Booking.Status.PENDING
    assert Booking.objects.count() == 1 and not BookingMessage.objects.exists()


def test_no_key_is_401(api_client):
    assert api_client.get("/v2/bookings").status_code == 401
    assert api_client.post("/v2/bookings", {}, format="json").status_code == 401


# --- GET /v2/bookings, GET /v2/bookings/{id} -------------------------------------------------


def test_the_list_shows_only_your_bookings_newest_first(partner, other):
    mine = [make_booking(room_type=partner.room_type) for _ in range(2)]
    make_booking(room_type=other.room_type)
    response = partner.get("/v2/bookings")
    assert response.status_code == 200
    body = response.json()
    assert [item["id"] for item in body["data"]] == [mine[1].pk, mine[0].pk]
    assert body["pagination"]["total"] == 2


def test_the_sandbox_twin_lists_the_sandbox_bookings_and_the_live_api_the_live_ones(partner):
    """A live key reaches both; each path shows its own data (the first sandbox request seeds it)."""
    live = make_booking(room_type=partner.room_type)
    response = partner.get("/v2/sandbox/bookings")
    assert response.status_code == 200
    sandbox_ids = {item["id"] for item in response.json()["data"]}
    assert sandbox_ids == set(
        Booking.objects.filter(listing__host=partner.owner, is_sandbox=True).values_list("pk", flat=True)
    )
    assert sandbox_ids and live.pk not in sandbox_ids
    assert [item["id"] for item in partner.get("/v2/bookings").json()["data"]] == [live.pk]


@pytest.mark.parametrize("count", [2, 50])
def test_the_list_makes_a_constant_number_of_queries(partner, django_assert_num_queries, count):
    partner.room_type.amount = 100
    partner.room_type.save()
    for _ in range(count):
        make_booking(
            room_type=partner.room_type, checkin=date(2024, 3, 1), checkout=date(2024, 3, 3), guest=partner.guest
        )
    # 1. the API key (with its owner)  2. the count  3. the page
    with django_assert_num_queries(3):
        response = partner.get("/v2/bookings?per_page=100")
    assert len(response.json()["data"]) == count


def test_the_list_filters(partner):
    second_listing = ListingFactory(host=partner.owner)
    second_room_type = RoomTypeFactory(listing=second_listing)
    early = make_booking(room_type=partner.room_type, checkin=date(2024, 2, 1), checkout=date(2024, 2, 5))
    late = make_booking(
        room_type=partner.room_type, checkin=date(2024, 3, 1), checkout=date(2024, 3, 5), status="confirmed"
    )
    elsewhere = make_booking(room_type=second_room_type, checkin=date(2024, 4, 1), checkout=date(2024, 4, 5))

    def ids(query):
        response = partner.get(f"/v2/bookings?{query}")
        assert response.status_code == 200, response.json()
        return {item["id"] for item in response.json()["data"]}

    assert ids("status=confirmed") == {late.pk}
    assert ids("status=pending") == {early.pk, elsewhere.pk}
    assert ids(f"listing_id={second_listing.pk}") == {elsewhere.pk}
    assert ids("checkin_from=2024-02-02") == {late.pk, elsewhere.pk}
    assert ids("checkin_to=2024-03-01") == {early.pk, late.pk}
    assert ids("checkin_from=2024-02-01&checkin_to=2024-02-29&status=pending") == {early.pk}


@pytest.mark.parametrize("query", ["status=nope", "checkin_from=tomorrow", "listing_id=x", "per_page=101", "page=0"])
def test_bad_list_parameters_are_400(partner, query):
    response = partner.get(f"/v2/bookings?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"


def test_a_booking_can_be_read(partner):
    booking = make_booking(room_type=partner.room_type)
    response = partner.get(f"/v2/bookings/{booking.pk}")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["reference"] == booking.reference
    assert data["version"] == booking.version


def test_reading_a_booking_makes_two_queries(partner, django_assert_num_queries):
    booking = make_booking(room_type=partner.room_type)
    # 1. the API key  2. the booking, narrowed to the key owner's
    with django_assert_num_queries(2):
        response = partner.get(f"/v2/bookings/{booking.pk}")
    assert response.status_code == 200
    assert response.json()["data"]["id"] == booking.pk


@pytest.mark.parametrize("booking_id", ["other", 999_999, 99999999999999999999])
def test_another_tenants_or_a_missing_booking_is_404(partner, other, booking_id):
    if booking_id == "other":
        booking_id = make_booking(room_type=other.room_type).pk
    response = partner.get(f"/v2/bookings/{booking_id}")
    assert response.status_code == 404
    assert response.json()["success"] is False


def test_a_missing_booking_says_so(partner):
    assert partner.get("/v2/bookings/999999").json()["error"] == "Booking not found or unauthorized"


# --- POST /v2/bookings/{id}/cancel -------------------------------------------------------------


def test_cancelling_gives_the_nights_back_and_bumps_the_version(partner):
    booking = make_booking(room_type=partner.room_type, status="confirmed")
    before = Booking.objects.get(pk=booking.pk).version
    response = partner.post(f"/v2/bookings/{booking.pk}/cancel")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["status"] == "cancelled"
    assert data["version"] > before
    assert set(RoomTypeNight.objects.values_list("available", flat=True)) == {5}


@requires_postgres
def test_cancelling_makes_nine_queries(partner, django_assert_num_queries):
    booking = make_booking(room_type=partner.room_type, status="confirmed")
    # 1. the API key  2. the booking, narrowed to the key owner's; in the transaction
    # (a SAVEPOINT here, inside the test's): 4. the booking again, FOR UPDATE  5. the room
    # type's amount, FOR NO KEY UPDATE  6. the nights given back, one UPDATE  7. the feed
    # counters of the listing's audience, one WITH … INSERT … ON CONFLICT (bookings/versions.py)
    # 8. the booking's new status  (3 and 9: SAVEPOINT and RELEASE)
    with django_assert_num_queries(9) as captured:
        response = partner.post(f"/v2/bookings/{booking.pk}/cancel")
    assert response.status_code == 200
    assert response.json()["data"]["status"] == "cancelled"
    statements = [query["sql"].split(None, 1)[0].upper() for query in captured.captured_queries]
    assert statements == ["SELECT", "SELECT", "SAVEPOINT", "SELECT", "SELECT", "UPDATE", "WITH", "UPDATE", "RELEASE"]


@pytest.mark.parametrize("status", ["cancelled", "declined"])
def test_cancelling_a_cancelled_or_declined_booking_is_409(partner, status):
    booking = make_booking(room_type=partner.room_type, status=status)
    response = partner.post(f"/v2/bookings/{booking.pk}/cancel")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_status"
    assert set(RoomTypeNight.objects.values_list("available", flat=True)) == {5}


def test_another_tenants_booking_cannot_be_cancelled(partner, other):
    booking = make_booking(room_type=other.room_type)
    response = partner.post(f"/v2/bookings/{booking.pk}/cancel")
    assert response.status_code == 404
    assert Booking.objects.get().status == Booking.Status.PENDING
    assert set(RoomTypeNight.objects.values_list("available", flat=True)) == {4}


# --- POST /v2/bookings/{id}/messages ----------------------------------------------------------


def test_a_message_is_created_and_a_quick_repeat_is_a_duplicate(partner):
    booking = make_booking(room_type=partner.room_type)
    first = partner.post(f"/v2/bookings/{booking.pk}/messages", {"message": "Keys at the desk"}, format="json")
    assert first.status_code == 201
    data = first.json()["data"]
    assert data["message"] == "Keys at the desk" and data["duplicate"] is False
    assert (data["booking_id"], data["sender_id"]) == (booking.pk, partner.owner.pk)
    again = partner.post(f"/v2/bookings/{booking.pk}/messages", {"message": "Keys at the desk"}, format="json")
    assert again.status_code == 200
    assert again.json()["data"] == {**data, "duplicate": True}
    other_text = partner.post(f"/v2/bookings/{booking.pk}/messages", {"message": "See you"}, format="json")
    assert other_text.status_code == 201
    assert BookingMessage.objects.count() == 2


def test_a_message_makes_seven_queries_and_a_repeat_six(partner, django_assert_num_queries):
    booking = make_booking(room_type=partner.room_type)
    # 1. the API key  2. the booking, narrowed to the key owner's; in the transaction (3 and
    # the last: SAVEPOINT and RELEASE): 4. the booking again, FOR UPDATE  5. the same text
    # from the same sender in the last minute?  6. the INSERT (a repeat stops at 5)
    with django_assert_num_queries(7):
        first = partner.post(f"/v2/bookings/{booking.pk}/messages", {"message": "Keys at the desk"}, format="json")
    assert first.status_code == 201
    with django_assert_num_queries(6):
        again = partner.post(f"/v2/bookings/{booking.pk}/messages", {"message": "Keys at the desk"}, format="json")
    assert again.status_code == 200
    assert again.json()["data"]["id"] == first.json()["data"]["id"]
    assert BookingMessage.objects.count() == 1


@pytest.mark.parametrize("body", [{}, {"message": ""}, {"message": "   "}, {"message": "x" * 5001}])
def test_a_bad_message_is_400(partner, body):
    booking = make_booking(room_type=partner.room_type)
    response = partner.post(f"/v2/bookings/{booking.pk}/messages", body, format="json")
    assert response.status_code == 400
    assert "message" in response.json()["details"]
    assert not BookingMessage.objects.exists()


def test_another_tenants_booking_cannot_be_messaged(partner, other):
    booking = make_booking(room_type=other.room_type)
    response = partner.post(f"/v2/bookings/{booking.pk}/messages", {"message": "hi"}, format="json")
    assert response.status_code == 404
    assert not BookingMessage.objects.exists()


def test_an_out_of_range_listing_filter_is_400_not_500(partner):
    response = partner.get("/v2/bookings?listing_id=99999999999999999999999")
    assert response.status_code == 400
    assert "listing_id" in response.json()["details"]

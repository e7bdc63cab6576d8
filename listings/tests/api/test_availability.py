"""POST /v2/integrations/{provider}/availability (Integrations API, "Update Availability")."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apikeys.providers import active_providers
from conftest import requires_postgres
from listings import limits
from listings.models import ListingGrant, RoomTypeNight
from listings.tests.conftest import TODAY
from listings.tests.factories import ListingFactory, RoomTypeFactory, RoomTypeNightFactory

URL = "/v2/integrations/mangobeds/availability"
OK = {"success": True, "message": "Availability updated successfully", "skipped_past_nights": 0}
SPEC_BODY = {
    "data": [
        {
            "listing_id": "5325",
            "room_type_id": "38753",
            "available": 3,
            "start_date": "2024-05-01",
            "end_date": "2024-05-31",
        }
    ]
}


@pytest.fixture
def client(key_client, mangobeds, today):
    return key_client(["listings.write"])


@pytest.fixture
def room_type(client):
    """The spec's listing 5325 and room type 38753 (5 units), the client's owner's."""
    return RoomTypeFactory(listing=ListingFactory(host=client.owner, id=5325), id=38753, amount=5)


def item(room_type, available=2, start=TODAY, end=None, **overrides):
    body = {
        "listing_id": room_type.listing_id,
        "room_type_id": room_type.pk,
        "available": available,
        "start_date": start.isoformat(),
        "end_date": (end or start).isoformat(),
    }
    return {**body, **overrides}


def nights(room_type=None) -> dict[date, int]:
    rows = RoomTypeNight.objects.all() if room_type is None else RoomTypeNight.objects.filter(room_type=room_type)
    return dict(rows.values_list("date", "available"))


def nights_snapshot() -> list[tuple]:
    return list(RoomTypeNight.objects.order_by("room_type_id", "date").values_list("room_type_id", "date", "available"))


# --- the spec's examples ---------------------------------------------------------------------


def test_it_updates_availability_as_in_the_spec_example(client, room_type):
    response = client.post(URL, SPEC_BODY, format="json")

    assert response.status_code == 200
    assert response.json() == OK
    may = {date(2024, 5, 1) + timedelta(days=n): 3 for n in range(31)}
    assert nights(room_type) == may


def test_another_tenants_listing_is_403_with_its_id_as_in_the_spec(key_client, mangobeds, today):
    other_host = key_client(["listings.write"])
    RoomTypeFactory(listing=ListingFactory(host=other_host.owner, id=5325), id=38753)
    before = nights_snapshot()

    response = key_client(["listings.write"]).post(URL, SPEC_BODY, format="json")

    assert response.status_code == 403
    assert response.json() == {
        "success": False,
        "error": "Unauthorized access to listings",
        "code": "unauthorized_listings",
        "details": {"unauthorized_listing_ids": [5325]},
    }
    assert nights_snapshot() == before


def test_a_room_type_of_another_listing_is_422_as_in_the_spec(client, room_type):
    RoomTypeFactory(id=999)  # exists, but belongs to another listing
    body = {"data": [item(room_type), {**item(room_type), "room_type_id": 999}]}

    response = client.post(URL, body, format="json")

    assert response.status_code == 422
    assert response.json() == {
        "success": False,
        "error": "Invalid room types for listings",
        "code": "invalid_room_types",
        "details": {"invalid_room_types": [{"listing_id": 5325, "room_type_id": 999}]},
    }
    assert nights() == {}


# --- what a push does ------------------------------------------------------------------------


def test_it_takes_ids_as_integers_too_and_end_date_is_inclusive(client, room_type):
    body = {"data": [item(room_type, available=4, start=TODAY, end=TODAY + timedelta(days=1))]}

    assert client.post(URL, body, format="json").json() == OK
    assert nights(room_type) == {TODAY: 4, TODAY + timedelta(days=1): 4}


def test_a_push_sets_the_value_whatever_bookings_took_before(client, room_type):
    RoomTypeNightFactory(room_type=room_type, date=TODAY, available=1)
    RoomTypeNightFactory(room_type=room_type, date=TODAY + timedelta(days=5), available=0)

    client.post(URL, {"data": [item(room_type, available=5, end=TODAY + timedelta(days=2))]}, format="json")

    assert nights(room_type) == {
        TODAY: 5,
        TODAY + timedelta(days=1): 5,
        TODAY + timedelta(days=2): 5,
        TODAY + timedelta(days=5): 0,  # outside the range: untouched
    }


def test_overlapping_items_apply_in_order_the_later_wins(client, room_type):
    day = timedelta(days=1)
    body = {
        "data": [
            item(room_type, available=1, start=TODAY, end=TODAY + 4 * day),
            item(room_type, available=0, start=TODAY + 2 * day, end=TODAY + 6 * day),
            item(room_type, available=5, start=TODAY + 6 * day, end=TODAY + 6 * day),
        ]
    }

    assert client.post(URL, body, format="json").json() == OK
    assert nights(room_type) == {
        TODAY: 1,
        TODAY + day: 1,
        TODAY + 2 * day: 0,
        TODAY + 3 * day: 0,
        TODAY + 4 * day: 0,
        TODAY + 5 * day: 0,
        TODAY + 6 * day: 5,
    }


def test_it_accepts_today_and_730_days_ahead(client, room_type):
    last = TODAY + timedelta(days=730)
    body = {"data": [item(room_type, available=2, start=last, end=last), item(room_type, available=1)]}

    assert client.post(URL, body, format="json").json() == OK
    assert nights(room_type) == {TODAY: 1, last: 2}


def test_it_accepts_available_equal_to_the_amount_and_zero(client, room_type):
    body = {"data": [item(room_type, available=5), item(room_type, available=0, start=TODAY + timedelta(days=1))]}

    assert client.post(URL, body, format="json").json() == OK
    assert nights(room_type) == {TODAY: 5, TODAY + timedelta(days=1): 0}


def test_it_updates_a_listing_granted_to_the_owner(client):
    room_type = RoomTypeFactory()
    ListingGrant.objects.create(listing=room_type.listing, grantee=client.owner)

    assert client.post(URL, {"data": [item(room_type)]}, format="json").json() == OK
    assert nights(room_type) == {TODAY: 2}


def test_it_updates_several_listings_and_room_types_in_one_request(client):
    room_types = [RoomTypeFactory(listing=ListingFactory(host=client.owner)) for _ in range(3)]
    room_types.append(RoomTypeFactory(listing=room_types[0].listing))

    body = {"data": [item(rt, available=i) for i, rt in enumerate(room_types)]}

    assert client.post(URL, body, format="json").json() == OK
    assert {rt.pk: nights(rt) for rt in room_types} == {rt.pk: {TODAY: i} for i, rt in enumerate(room_types)}


# --- all or nothing ---------------------------------------------------------------------------


def test_one_foreign_listing_in_a_batch_writes_nothing(client, room_type, other_room_type):
    before = nights_snapshot()
    body = {"data": [item(room_type), item(other_room_type), {**item(room_type), "listing_id": 424242}]}

    response = client.post(URL, body, format="json")

    assert response.status_code == 403
    assert response.json()["details"] == {"unauthorized_listing_ids": sorted([other_room_type.listing_id, 424242])}
    assert nights_snapshot() == before


def test_available_above_the_room_types_amount_is_400_and_writes_nothing(client, room_type):
    second = RoomTypeFactory(listing=room_type.listing, amount=2)
    body = {"data": [item(room_type, available=5), item(second, available=3)]}

    response = client.post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "error": "Validation Error",
        "code": "validation_error",
        "details": {"data.1.available": ["Ensure this value is less than or equal to the room type's amount (2)."]},
    }
    assert nights() == {}


BAD_ITEMS = [
    ("end_date", (TODAY - timedelta(days=1)).isoformat(), "end_date"),  # the whole range in the past
    ("end_date", (TODAY + timedelta(days=731)).isoformat(), "end_date"),
    ("start_date", (TODAY + timedelta(days=731)).isoformat(), "start_date"),
    ("start_date", "2024/05/01", "start_date"),
    ("start_date", "2024-02-30", "start_date"),
    ("start_date", 20240501, "start_date"),
    ("end_date", None, "end_date"),
    ("available", -1, "available"),
    ("available", "three", "available"),
    ("available", 3.5, "available"),
    ("available", True, "available"),
    ("available", None, "available"),
    ("available", 2**31, "available"),
    ("listing_id", "abc", "listing_id"),
    ("listing_id", "12.5", "listing_id"),
    ("listing_id", 0, "listing_id"),
    ("listing_id", -5325, "listing_id"),
    ("listing_id", 5325.5, "listing_id"),  # 5325.0 is an integer in JSON Schema, and accepted
    ("listing_id", True, "listing_id"),
    ("listing_id", 2**63, "listing_id"),
    ("listing_id", "99999999999999999999", "listing_id"),
    ("room_type_id", ["38753"], "room_type_id"),
    ("room_type_id", {"id": 38753}, "room_type_id"),
]


@pytest.mark.parametrize("name, value, key", BAD_ITEMS)
def test_a_bad_item_is_400_keyed_by_its_dotted_path_and_writes_nothing(client, room_type, name, value, key):
    body = {"data": [item(room_type) for _ in range(3)] + [{**item(room_type), name: value}]}

    response = client.post(URL, body, format="json")

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"] == "Validation Error"
    assert list(body["details"]) == [f"data.3.{key}"]
    assert nights() == {}


@pytest.mark.parametrize("name", ["listing_id", "room_type_id", "available", "start_date", "end_date"])
def test_a_missing_field_is_400(client, room_type, name):
    bad = item(room_type)
    del bad[name]

    response = client.post(URL, {"data": [bad]}, format="json")

    assert response.status_code == 400
    assert response.json()["details"] == {f"data.0.{name}": ["This field is required."]}


def test_a_start_date_after_the_end_date_is_400(client, room_type):
    body = {"data": [item(room_type, start=TODAY + timedelta(days=2), end=TODAY)]}

    response = client.post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["details"] == {"data.0.end_date": ["The end_date must be on or after the start_date."]}


def test_a_range_entirely_in_the_past_is_400_and_writes_nothing(client, room_type):
    body = {
        "data": [
            item(room_type, start=TODAY + timedelta(days=1)),
            item(room_type, start=date(2024, 4, 1), end=date(2024, 4, 2)),
        ]
    }

    response = client.post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["details"] == {
        "data.1.end_date": ["The end_date must not be in the past (today is 2024-04-15): the whole range is."],
    }
    assert nights() == {}


def test_nights_before_today_are_skipped_and_counted(client, room_type):
    # A PMS pushing "from today" in its own zone, a day behind UTC.
    yesterday = TODAY - timedelta(days=1)
    body = {"data": [item(room_type, available=3, start=yesterday, end=TODAY + timedelta(days=1))]}

    response = client.post(URL, body, format="json")

    assert response.status_code == 200
    assert response.json() == {**OK, "skipped_past_nights": 1}
    assert nights(room_type) == {TODAY: 3, TODAY + timedelta(days=1): 3}


def test_more_items_than_the_limit_is_400(client, room_type):
    body = {"data": [item(room_type)] * (limits.MAX_ITEMS + 1)}

    response = client.post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["details"] == {"data": [f"Ensure this field has no more than {limits.MAX_ITEMS} elements."]}
    assert nights() == {}


def test_as_many_items_as_the_limit_are_accepted(client, room_type):
    body = {
        "data": [
            item(room_type, available=n % 6, start=TODAY + timedelta(days=n % 700)) for n in range(limits.MAX_ITEMS)
        ]
    }

    assert client.post(URL, body, format="json").json() == OK
    assert len(nights(room_type)) == 700


@pytest.mark.parametrize(
    "body, key",
    [
        ({"data": []}, "data"),
        ({}, "data"),
        ({"data": "all"}, "data"),
        ({"data": {"listing_id": 1}}, "data"),
        ({"data": [1, 2]}, "data.0.non_field_errors"),
        ([{"data": []}], "non_field_errors"),
    ],
)
def test_a_body_of_the_wrong_shape_is_400(client, room_type, body, key):
    response = client.post(URL, body, format="json")

    assert response.status_code == 400
    assert key in response.json()["details"]


def test_malformed_json_is_400(client, room_type):
    response = client.post(URL, '{"data": [', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_a_nul_character_is_400(client, room_type):
    response = client.post(URL, {"data": [{**item(room_type), "start_date": "2024-05-01\u0000"}]}, format="json")

    assert response.status_code == 400
    assert nights() == {}


# --- who may push ------------------------------------------------------------------------------


def test_it_needs_the_listings_write_scope(key_client, mangobeds, today, room_type):
    response = key_client(["listings.read"]).post(URL, SPEC_BODY, format="json")

    assert response.status_code == 403
    assert response.json()["error"] == "Missing required scope: listings.write"
    assert nights() == {}


def test_an_unknown_provider_is_404(client, room_type):
    response = client.post("/v2/integrations/nobeds/availability", SPEC_BODY, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "unsupported_provider"
    assert nights() == {}


def test_a_key_bound_to_another_provider_is_403(key_client, mangobeds, other_provider, today):
    client = key_client(["listings.write"], provider=other_provider)
    room_type = RoomTypeFactory(listing=ListingFactory(host=client.owner))

    response = client.post(URL, {"data": [item(room_type)]}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "provider_mismatch"
    assert nights() == {}


def test_an_idempotency_key_replays_the_first_response(client, room_type):
    headers = {"Idempotency-Key": "push-1"}
    first = client.post(URL, {"data": [item(room_type, available=2)]}, format="json", headers=headers)
    RoomTypeNight.objects.filter(room_type=room_type).update(available=1)  # a booking took one

    again = client.post(URL, {"data": [item(room_type, available=2)]}, format="json", headers=headers)

    assert first.json() == again.json() == OK
    assert again["Idempotent-Replayed"] == "true"
    assert nights(room_type) == {TODAY: 1}


# --- cost ---------------------------------------------------------------------------------------


def _push_statements(client, body) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.post(URL, body, format="json")
    assert response.json() == OK
    return [query["sql"] for query in captured.captured_queries]


@requires_postgres  # elsewhere the ORM's bulk_create writes in batches (listings/inventory.py)
def test_a_push_costs_the_same_statements_for_1_night_or_40_room_types_times_365_nights(client, room_type):
    small = {"data": [item(room_type)]}
    room_types = [RoomTypeFactory(listing=ListingFactory(host=client.owner), amount=9) for _ in range(40)]
    year = TODAY + timedelta(days=364)
    large = {"data": [item(rt, available=n % 9, end=year) for n, rt in enumerate(room_types)]}

    active_providers.get("mangobeds")  # the provider table is read once a minute per process
    few, many = _push_statements(client, small), _push_statements(client, large)

    # 1. the API key  2. savepoint  3. which listings are the owner's
    # 4. the room types (locked)  5. one upsert of every night  6. release savepoint
    assert len(few) == len(many) == 6
    assert RoomTypeNight.objects.count() == 1 + 40 * 365
    assert sum(1 for sql in many if "INSERT" in sql) == 1


def test_a_form_encoded_body_is_415(client, room_type):
    response = client.post(URL, {"data": "x"}, format="multipart")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_a_push_of_too_many_nights_in_all_is_400_and_writes_nothing(client, settings, monkeypatch):
    from listings import limits

    monkeypatch.setattr(limits, "MAX_NIGHTS", 20)
    room_types = [RoomTypeFactory(listing=ListingFactory(host=client.owner), amount=5) for _ in range(3)]
    body = {"data": [item(rt, start=TODAY, end=TODAY + timedelta(days=9)) for rt in room_types]}  # 30 nights
    response = client.post(URL, body, format="json")
    assert response.status_code == 400
    assert "at most 20 nights" in response.json()["details"]["data"][0]
    assert not RoomTypeNight.objects.exists()


def test_a_deactivated_room_type_is_422_and_nothing_is_written(client, room_type):
    """A room type a feed import deactivated (it had bookings) is no longer pushed to."""
    room_type.is_active = False
    room_type.save(update_fields=["is_active"])

    response = client.post(URL, {"data": [item(room_type)]}, format="json")

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_room_types"
    assert nights() == {}

"""The rules schemathesis found the schema and the server disagreeing on (issue 10), each
checked both ways: the document states it, and the server refuses what it refuses with the
family's 400 — and changes nothing."""

from __future__ import annotations

import functools
import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.api.views import SPEC_EXAMPLE
from accounts.models import User
from accounts.validators import normalise_phone, phone_pattern
from apikeys.models import Provider
from bookings.models import Booking, BookingMessage
from bookings.tests.factories import guest_of, make_booking
from bookings.versions import SINCE_PATTERN, encode_cursor, parse_since
from coliving.api.idempotency import KEY_PATTERN
from listings.currencies import currency_codes, normalise_currency
from listings.tests.factories import ListingFactory, RoomTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(key_client):
    client = key_client(["bookings.read", "bookings.write"])
    client.listing = ListingFactory(host=client.owner)
    client.room_type = RoomTypeFactory(listing=client.listing, amount=5, max_occupancy=2)
    client.guest = guest_of(client.owner)
    return client


@functools.cache
def document() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.fixture(scope="module")
def schema():
    return document()


def _parameter(schema, path: str, method: str, name: str) -> dict:
    return next(p for p in schema["paths"][path][method]["parameters"] if p["name"] == name)["schema"]


def _request(schema, name: str) -> dict:
    return schema["components"]["schemas"][name]


def _enum(schema, property_schema: dict) -> list:
    """The values of an enum, inline or as the named component drf-spectacular makes of it."""
    if "enum" in property_schema:
        return property_schema["enum"]
    refs = [item["$ref"].rsplit("/", 1)[1] for item in property_schema.get("oneOf") or property_schema["allOf"]]
    return [value for ref in refs for value in schema["components"]["schemas"][ref].get("enum", [])]


def test_the_document_states_the_rules(schema):
    user = _request(schema, "UserRequest")["properties"]
    assert "America/New_York" in _enum(schema, user["timezone"])
    assert "en" in _enum(schema, user["language"])
    assert "United States" in _enum(schema, user["country"])
    assert {"$ref": "#/components/schemas/NullEnum"} in user["timezone"]["oneOf"]  # optional: null is fine
    assert user["phone"]["pattern"] == phone_pattern()
    assert user["meta"]["propertyNames"]["pattern"] == "^[A-Za-z0-9_.:-]{1,64}$"
    assert user["password"]["minLength"] == 8
    booking = _request(schema, "BookingCreateRequest")["properties"]
    assert booking["message"]["oneOf"][0]["maxLength"] == 5000
    feed = "/v2/integrations/{provider}/bookings"
    assert _parameter(schema, feed, "get", "since")["pattern"] == SINCE_PATTERN
    assert _parameter(schema, "/v2/bookings", "post", "Idempotency-Key")["pattern"] == KEY_PATTERN
    assert _parameter(schema, "/v2/bookings", "get", "listing_id")["minimum"] == 1
    assert _request(schema, "AvailabilityUpdateRequest")["properties"]["data"]["minItems"] == 1
    # The integrations document sends ids as strings ("5325"): the schema takes both.
    push_id = _request(schema, "AvailabilityItemRequest")["properties"]["listing_id"]
    assert push_id["type"] == ["integer", "string"] and push_id["pattern"] == "^[1-9][0-9]{0,17}$"
    assert "format" not in push_id
    rate_item = _request(schema, "RateItemRequest")
    assert "At least one of base_price, price_jan" in rate_item["description"] and "anyOf" not in rate_item


def test_the_rates_push_currency_is_documented_in_any_case_as_the_server_takes_it(schema):
    """The server takes "eur" as well as "EUR" (partners send both); the document says so with a
    pattern over the codes in any case, not an enum of upper-case codes: a generated client
    then sends a plain string, and a schema-checking client does not refuse "eur"."""
    currency = _request(schema, "RateItemRequest")["properties"]["currency"]
    assert currency["type"] == "string" and "enum" not in currency and "allOf" not in currency
    pattern = re.compile(currency["pattern"])
    for code in currency_codes():
        assert pattern.fullmatch(code) and pattern.fullmatch(code.lower()) and pattern.fullmatch(code.title())
    for refused in ("XYZ", "xau", "EURO", "EU", " EUR", ""):
        assert not pattern.fullmatch(refused), refused


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_every_currency_the_document_allows_is_accepted(data):
    pattern = _request(document(), "RateItemRequest")["properties"]["currency"]["pattern"]
    assert normalise_currency(data.draw(st.from_regex(pattern, fullmatch=True))) is not None


@settings(max_examples=300, deadline=None)
@given(st.from_regex(SINCE_PATTERN, fullmatch=True))
def test_every_since_the_document_allows_is_accepted(value):
    parse_since(value)


@pytest.mark.parametrize("seq", [0, 1, 9, 10, 99, 12345, 10**17, 10**18 - 1])
def test_every_cursor_the_feed_hands_out_matches_the_pattern(seq):
    assert re.fullmatch(SINCE_PATTERN, encode_cursor(seq))


@settings(max_examples=300, deadline=None)
@given(st.from_regex(phone_pattern(), fullmatch=True))
def test_every_phone_the_document_allows_is_accepted(value):
    normalise_phone(value)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"first_name": 12345}, "first_name"),
        ({"last_name": True}, "last_name"),
        ({"city": 7}, "city"),
        ({"first_name": "x" * 150 + " "}, "first_name"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
    ],
)
def test_a_non_string_or_over_long_user_field_is_400_and_creates_nothing(key_client, changes, field):
    client = key_client(["users.write"])
    response = client.post("/v2/users", {**SPEC_EXAMPLE, **changes}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["details"]
    assert not User.objects.filter(email=SPEC_EXAMPLE["email"]).exists()


@pytest.mark.parametrize("message", [12345, "x" * 5000 + " ", ["hi"]])
def test_a_non_string_or_over_long_booking_message_is_400(partner, message):
    body = {
        "user_id": partner.guest.pk,
        "listing_id": partner.listing.pk,
        "room_type_id": partner.room_type.pk,
        "checkin_at": "2024-02-01",
        "checkout_at": "2024-02-15",
        "guests": 1,
        "message": message,
    }
    response = partner.post("/v2/bookings", body, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()["details"]) == ["message"]
    assert not Booking.objects.exists()


def test_an_integer_message_on_a_booking_is_400(partner):
    booking = make_booking(room_type=partner.room_type, guest=partner.guest)
    response = partner.post(f"/v2/bookings/{booking.pk}/messages", {"message": 42}, format="json")
    assert response.status_code == 400
    assert not BookingMessage.objects.exists()


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("status=", "status"),
        ("checkin_to=", "checkin_to"),
        ("checkin_from=%20", "checkin_from"),
        ("listing_id=", "listing_id"),
        ("checkin_from=2024-03-01&checkin_to=2024-02-01", "checkin_to"),
    ],
)
def test_empty_filters_and_reversed_ranges_are_400(partner, query, parameter):
    response = partner.get(f"/v2/bookings?{query}")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "validation_error"
    assert parameter in response.json()["details"]


def test_a_range_of_one_day_is_fine(partner):
    response = partner.get("/v2/bookings?checkin_from=2024-02-01&checkin_to=2024-02-01")
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["status=", "city=", "country=%20%20"])
def test_empty_listing_filters_are_400(key_client, query):
    response = key_client(["listings.read"]).get(f"/v2/listings?{query}")
    assert response.status_code == 400
    assert response.json()["success"] is False


def test_an_integral_float_id_in_a_push_is_an_integer(key_client):
    """JSON Schema's ``integer`` includes ``5.0``; the pushes read it as ``5``."""
    client = key_client(["listings.write"])
    Provider.objects.get_or_create(slug="mangobeds", defaults={"name": "Mango Beds"})
    room_type = RoomTypeFactory(listing=ListingFactory(host=client.owner))
    item = {"listing_id": float(room_type.listing_id), "room_type_id": float(room_type.pk), "base_price": 800}
    response = client.post("/v2/integrations/mangobeds/rates", {"data": [item]}, format="json")
    assert response.status_code == 200, response.content
    room_type.refresh_from_db()
    assert room_type.base_price == 800

"""POST /v2/integrations/{provider}/rates (Integrations API, "Update Rates")."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apikeys.providers import active_providers
from listings import limits
from listings.models import MONTH_PRICE_FIELDS, ListingGrant, RoomType
from listings.tests.factories import ListingFactory, RoomTypeFactory

URL = "/v2/integrations/mangobeds/rates"
OK = {"success": True, "message": "Rates updated successfully"}
SPEC_BODY = {"data": [{"listing_id": "5325", "room_type_id": "38753", "base_price": 800, "currency": "EUR"}]}
TOO_MANY_DIGITS = "Ensure that there are no more than 10 digits before the decimal point."
PRICE_COLUMNS = ("currency", "base_price", *MONTH_PRICE_FIELDS)


@pytest.fixture
def client(key_client, mangobeds):
    return key_client(["listings.write"])


@pytest.fixture
def room_type(client):
    """The spec's listing 5325 and room type 38753, the client's owner's, priced 750 USD."""
    listing = ListingFactory(host=client.owner, id=5325)
    return RoomTypeFactory(listing=listing, id=38753, currency="USD", base_price=Decimal("750"))


def item(room_type, **fields):
    return {"listing_id": room_type.listing_id, "room_type_id": room_type.pk, **fields}


def prices() -> list[tuple]:
    return list(RoomType.objects.order_by("pk").values_list("pk", *PRICE_COLUMNS))


# --- the spec's examples ---------------------------------------------------------------------


def test_it_updates_rates_as_in_the_spec_example(client, room_type):
    response = client.post(URL, SPEC_BODY, format="json")

    assert response.status_code == 200
    assert response.json() == OK
    room_type.refresh_from_db()
    assert (room_type.base_price, room_type.currency) == (Decimal("800"), "EUR")


def test_a_negative_price_is_400_as_in_the_spec_example(client, room_type):
    before = prices()
    body = {"data": [{"listing_id": "5325", "room_type_id": "38753", "base_price": -1, "currency": "EUR"}]}

    response = client.post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "error": "Validation Error",
        "code": "validation_error",
        "details": {"data.0.base_price": ["The base_price must be at least 0."]},
    }
    assert prices() == before


def test_another_tenants_listing_is_403_unauthorized_access_to_listings(key_client, mangobeds):
    owner = key_client(["listings.write"])
    RoomTypeFactory(listing=ListingFactory(host=owner.owner, id=5325), id=38753, base_price=Decimal("750"))
    before = prices()

    response = key_client(["listings.write"]).post(URL, SPEC_BODY, format="json")

    assert response.status_code == 403
    body = response.json()
    assert body["error"] == "Unauthorized access to listings"
    assert body["details"] == {"unauthorized_listing_ids": [5325]}
    assert prices() == before


def test_a_room_type_of_another_listing_is_422(client, room_type):
    other = RoomTypeFactory(listing=ListingFactory(host=client.owner))
    before = prices()
    body = {"data": [item(room_type, base_price=1), {**item(room_type, base_price=2), "room_type_id": other.pk}]}

    response = client.post(URL, body, format="json")

    assert response.status_code == 422
    assert response.json() == {
        "success": False,
        "error": "Invalid room types for listings",
        "code": "invalid_room_types",
        "details": {"invalid_room_types": [{"listing_id": 5325, "room_type_id": other.pk}]},
    }
    assert prices() == before


# --- what a push does ------------------------------------------------------------------------


def test_it_sets_monthly_prices_and_keeps_what_was_not_sent(client, room_type):
    RoomType.objects.filter(pk=room_type.pk).update(price_feb=Decimal("700"), price_mar=Decimal("710"))
    body = {"data": [item(room_type, price_jan=800, price_mar=None, price_dec="999.99")]}

    assert client.post(URL, body, format="json").json() == OK

    room_type.refresh_from_db()
    assert room_type.base_price == Decimal("750")  # not sent: kept
    assert room_type.currency == "USD"
    assert room_type.price_jan == Decimal("800")
    assert room_type.price_feb == Decimal("700")  # not sent: kept
    assert room_type.price_mar is None  # null clears the override
    assert room_type.price_dec == Decimal("999.99")


def test_it_sets_all_twelve_months_and_the_base_price_at_once(client, room_type):
    months = {name: 100 + n for n, name in enumerate(MONTH_PRICE_FIELDS)}

    assert client.post(URL, {"data": [item(room_type, base_price="0", **months)]}, format="json").json() == OK

    room_type.refresh_from_db()
    assert room_type.base_price == 0
    assert [room_type.month_price(m) for m in range(1, 13)] == [Decimal(100 + n) for n in range(12)]


def test_the_currency_is_stored_upper_case(client, room_type):
    client.post(URL, {"data": [item(room_type, base_price=900, currency="gbp")]}, format="json")

    room_type.refresh_from_db()
    assert room_type.currency == "GBP"


def test_items_for_the_same_room_type_apply_in_order(client, room_type):
    body = {
        "data": [
            item(room_type, base_price=1, price_jan=10),
            item(room_type, base_price=2, currency="EUR"),
        ]
    }

    assert client.post(URL, body, format="json").json() == OK

    room_type.refresh_from_db()
    assert (room_type.base_price, room_type.price_jan, room_type.currency) == (2, 10, "EUR")


def test_it_updates_several_room_types_fields_differing_per_item(client, room_type):
    second = RoomTypeFactory(listing=room_type.listing, base_price=Decimal("500"), price_jul=Decimal("550"))
    granted = RoomTypeFactory(base_price=Decimal("300"))
    ListingGrant.objects.create(listing=granted.listing, grantee=client.owner)
    body = {
        "data": [
            item(room_type, price_jul=760),
            item(second, base_price=510),
            item(granted, currency="chf", base_price=310),
        ]
    }

    assert client.post(URL, body, format="json").json() == OK

    rows = {pk: rest for pk, *rest in prices()}
    july = PRICE_COLUMNS.index("price_jul")
    assert rows[room_type.pk][july] == Decimal("760") and rows[room_type.pk][1] == Decimal("750")
    assert rows[second.pk][1] == Decimal("510") and rows[second.pk][july] == Decimal("550")
    assert rows[granted.pk][:2] == ["CHF", Decimal("310")]


@pytest.mark.parametrize(
    "fields, key, message",
    [
        ({"price_mar": -0.01}, "price_mar", "The price_mar must be at least 0."),
        ({"base_price": "abc"}, "base_price", "A valid number is required."),
        ({"base_price": 1.234}, "base_price", "Ensure that there are no more than 2 decimal places."),
        ({"base_price": 10**11}, "base_price", TOO_MANY_DIGITS),
        ({"base_price": None}, "base_price", "This field may not be null."),
        ({"base_price": True}, "base_price", "A valid number is required."),
        ({"base_price": 800, "currency": "XYZ"}, "currency", "Must be an ISO 4217 currency code, e.g. EUR."),
        ({"base_price": 800, "currency": "EURO"}, "currency", "Must be an ISO 4217 currency code, e.g. EUR."),
        ({"base_price": 800, "currency": "XAU"}, "currency", "Must be an ISO 4217 currency code, e.g. EUR."),
        ({"base_price": 800, "currency": 978}, "currency", "Not a valid string."),
        ({"currency": "EUR"}, "base_price", "Send base_price or at least one of price_jan … price_dec."),
        ({}, "base_price", "Send base_price or at least one of price_jan … price_dec."),
    ],
)
def test_a_bad_item_is_400_keyed_by_its_dotted_path_and_writes_nothing(client, room_type, fields, key, message):
    before = prices()
    body = {"data": [item(room_type, base_price=1), item(room_type, base_price=2), {**item(room_type), **fields}]}

    response = client.post(URL, body, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["details"] == {f"data.2.{key}": [message]}
    assert prices() == before


@pytest.mark.parametrize("name, value", [("listing_id", "x"), ("room_type_id", None), ("listing_id", 0)])
def test_bad_ids_are_400(client, room_type, name, value):
    response = client.post(URL, {"data": [{**item(room_type, base_price=1), name: value}]}, format="json")

    assert response.status_code == 400
    assert list(response.json()["details"]) == [f"data.0.{name}"]


def test_more_items_than_the_limit_is_400(client, room_type):
    response = client.post(URL, {"data": [item(room_type, base_price=1)] * (limits.MAX_ITEMS + 1)}, format="json")

    assert response.status_code == 400
    assert response.json()["details"] == {"data": [f"Ensure this field has no more than {limits.MAX_ITEMS} elements."]}


def test_an_empty_batch_is_400(client, room_type):
    response = client.post(URL, {"data": []}, format="json")

    assert response.status_code == 400
    assert response.json()["details"] == {"data": ["This list may not be empty."]}


def test_malformed_json_is_400(client, room_type):
    response = client.post(URL, '{"data": [{"base_price": NaN}]}', content_type="application/json")

    assert response.status_code == 400


def test_a_form_encoded_body_is_415(client, room_type):
    response = client.post(URL, {"data": "x"}, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415


# --- who may push ------------------------------------------------------------------------------


def test_it_needs_the_listings_write_scope(key_client, mangobeds, room_type):
    before = prices()

    response = key_client(["listings.read"]).post(URL, SPEC_BODY, format="json")

    assert response.status_code == 403
    assert prices() == before


def test_an_unknown_provider_is_404(client, room_type):
    response = client.post("/v2/integrations/nobeds/rates", SPEC_BODY, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "unsupported_provider"


def test_a_key_bound_to_another_provider_is_403(key_client, mangobeds, other_provider):
    client = key_client(["listings.write"], provider=other_provider)
    room_type = RoomTypeFactory(listing=ListingFactory(host=client.owner))

    response = client.post(URL, {"data": [item(room_type, base_price=1)]}, format="json")

    assert response.status_code == 403
    room_type.refresh_from_db()
    assert room_type.base_price == Decimal("750")


# --- cost ---------------------------------------------------------------------------------------


def test_a_push_costs_the_same_statements_for_1_or_40_room_types(client, room_type):
    room_types = [RoomTypeFactory(listing=ListingFactory(host=client.owner)) for _ in range(40)]
    months = {name: 900 for name in MONTH_PRICE_FIELDS}
    small = {"data": [item(room_type, base_price=1)]}
    large = {"data": [item(rt, base_price=n, currency="EUR", **months) for n, rt in enumerate(room_types)]}

    active_providers.get("mangobeds")  # the provider table is read once a minute per process
    counts = []
    for body in (small, large):
        with CaptureQueriesContext(connection) as captured:
            assert client.post(URL, body, format="json").json() == OK
        counts.append(len(captured))

    # 1. the API key  2. savepoint  3. which listings are the owner's
    # 4. the room types (locked)  5. one UPDATE of every room type  6. release savepoint
    assert counts == [6, 6]
    assert RoomType.objects.filter(price_jan=900).count() == 40

"""GET /v2/integrations/{provider}/listings/{listing_id}/room-types (Integrations API, "List Room Types")."""

from __future__ import annotations

from decimal import Decimal

import pytest

from listings.models import ListingGrant
from listings.tests.factories import ListingFactory, RoomTypeFactory

NOT_FOUND = {"success": False, "error": "Listing not found or unauthorized", "code": "not_found"}
NO_MONTHS = {f"price_{m}": None for m in "jan feb mar apr may jun jul aug sep oct nov dec".split()}


def url(listing_id, provider="mangobeds") -> str:
    return f"/v2/integrations/{provider}/listings/{listing_id}/room-types"


def test_it_lists_room_types_with_every_month_as_in_the_spec(key_client, mangobeds):
    client = key_client(["listings.read"])
    listing = ListingFactory(host=client.owner, id=5325)
    RoomTypeFactory(
        listing=listing,
        id=38753,
        name="Standard Room",
        room_type="private",
        amount=5,
        currency="USD",
        base_price=Decimal("750"),
        price_jan=Decimal("800"),
    )

    response = client.get(url(5325))

    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "data": {
            "room_types": [
                {
                    "room_type_id": 38753,
                    "name": "Standard Room",
                    "room_type": "private",
                    "amount": 5,
                    "prices": {"currency": "USD", "base_price": 750, **NO_MONTHS, "price_jan": 800},
                }
            ]
        },
    }


def test_it_renders_cents_as_json_numbers(key_client, mangobeds):
    client = key_client(["listings.read"])
    room_type = RoomTypeFactory(listing=ListingFactory(host=client.owner), base_price=Decimal("799.99"))

    prices = client.get(url(room_type.listing_id)).json()["data"]["room_types"][0]["prices"]

    assert prices["base_price"] == 799.99


def test_a_listing_without_room_types_has_an_empty_list(key_client, mangobeds):
    client = key_client(["listings.read"])
    listing = ListingFactory(host=client.owner)

    assert client.get(url(listing.pk)).json() == {"success": True, "data": {"room_types": []}}


def test_it_serves_a_listing_granted_to_the_owner(key_client, mangobeds):
    client = key_client(["listings.read"])
    room_type = RoomTypeFactory()
    ListingGrant.objects.create(listing=room_type.listing, grantee=client.owner)

    response = client.get(url(room_type.listing_id))

    assert response.status_code == 200
    assert response.json()["data"]["room_types"][0]["room_type_id"] == room_type.pk


def test_another_tenants_listing_is_not_found(key_client, mangobeds, other_room_type):
    response = key_client(["listings.read"]).get(url(other_room_type.listing_id))

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


@pytest.mark.parametrize("listing_id", ["999999", "abc", "12.5", "-1", "99999999999999999999999", "٣"])
def test_an_unknown_or_malformed_listing_id_is_not_found(key_client, mangobeds, listing_id):
    response = key_client(["listings.read"]).get(url(listing_id))

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_an_unknown_provider_is_404_unsupported_provider(key_client, db):
    client = key_client(["listings.read"])
    listing = ListingFactory(host=client.owner)

    response = client.get(url(listing.pk, provider="nobeds"))

    assert response.status_code == 404
    assert response.json()["code"] == "unsupported_provider"


def test_a_key_bound_to_another_provider_is_403(key_client, mangobeds, other_provider):
    client = key_client(["listings.read"], provider=other_provider)
    listing = ListingFactory(host=client.owner)

    response = client.get(url(listing.pk))

    assert response.status_code == 403
    assert response.json()["code"] == "provider_mismatch"


def test_a_key_bound_to_this_provider_is_served(key_client, mangobeds):
    client = key_client(["listings.read"], provider=mangobeds)
    listing = ListingFactory(host=client.owner)
    room_type = RoomTypeFactory(listing=listing)

    response = client.get(url(listing.pk))

    assert response.status_code == 200
    assert [item["room_type_id"] for item in response.json()["data"]["room_types"]] == [room_type.pk]


def test_it_needs_the_listings_read_scope(key_client, mangobeds):
    client = key_client(["listings.write"])
    listing = ListingFactory(host=client.owner)

    response = client.get(url(listing.pk))

    assert response.status_code == 403
    assert response.json()["error"] == "Missing required scope: listings.read"


@pytest.mark.parametrize("size", [1, 30])
def test_it_makes_the_same_number_of_queries_whatever_the_number_of_room_types(
    key_client, mangobeds, django_assert_num_queries, size
):
    client = key_client(["listings.read"])
    listing = ListingFactory(host=client.owner)
    RoomTypeFactory.create_batch(size, listing=listing)

    client.get(url(listing.pk))  # warms the per-process provider table
    # 1. the API key  2. the listing is the owner's  3. its room types
    with django_assert_num_queries(3):
        response = client.get(url(listing.pk))

    assert len(response.json()["data"]["room_types"]) == size


def test_a_deactivated_room_type_is_not_listed(key_client, mangobeds):
    client = key_client(["listings.read"])
    listing = ListingFactory(host=client.owner)
    kept = RoomTypeFactory(listing=listing)
    RoomTypeFactory(listing=listing, is_active=False)

    response = client.get(url(listing.pk))

    assert [row["room_type_id"] for row in response.json()["data"]["room_types"]] == [kept.pk]

"""GET /v2/listings (Partner API, "List Listings")."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from coliving.api.pagination import LinkHeaderPagination
from listings.api.serializers import ListingSerializer, RoomTypeSummarySerializer
from listings.models import Listing, ListingGrant
from listings.tests.factories import ListingFactory, RoomTypeFactory

URL = "/v2/listings"


def test_it_lists_the_owners_listings_with_room_types_as_in_the_spec(key_client):
    client = key_client(["listings.read"])
    sunny = ListingFactory(host=client.owner, id=101, name="Sunny Apartment")
    RoomTypeFactory(listing=sunny, id=501, name="Standard Room")
    RoomTypeFactory(listing=sunny, id=502, name="Deluxe Suite")
    loft = ListingFactory(host=client.owner, id=102, name="City Center Loft", city="Lisbon", country="PT")
    RoomTypeFactory(listing=loft, id=503, name="Entire Loft")

    response = client.get(URL)

    assert response.status_code == 200
    body = response.json()
    # The spec's example: a bare array, item by item (our items carry a few more fields).
    assert isinstance(body, list)
    assert [{key: item[key] for key in ("id", "name", "room_types")} for item in body] == [
        {
            "id": 101,
            "name": "Sunny Apartment",
            "room_types": [{"id": 501, "name": "Standard Room"}, {"id": 502, "name": "Deluxe Suite"}],
        },
        {"id": 102, "name": "City Center Loft", "room_types": [{"id": 503, "name": "Entire Loft"}]},
    ]
    assert body[1] == {
        "id": 102,
        "name": "City Center Loft",
        "status": "active",
        "original_id": "",
        "city": "Lisbon",
        "country": "PT",
        "room_types": [{"id": 503, "name": "Entire Loft"}],
    }
    assert response["X-Total-Count"] == "2"
    assert "Link" not in response  # everything fits: no other page


def test_its_items_have_exactly_the_documented_fields(key_client):
    client = key_client(["listings.read"])
    RoomTypeFactory(listing=ListingFactory(host=client.owner))

    item = client.get(URL).json()[0]

    assert set(item) == set(ListingSerializer().fields)
    assert set(item["room_types"][0]) == set(RoomTypeSummarySerializer().fields)


def test_a_listing_without_room_types_has_an_empty_list(key_client):
    client = key_client(["listings.read"])
    ListingFactory(host=client.owner)

    assert client.get(URL).json()[0]["room_types"] == []


def test_it_includes_granted_listings_and_never_another_tenants(key_client):
    client = key_client(["listings.read"])
    own = ListingFactory(host=client.owner)
    granted = ListingFactory()
    ListingGrant.objects.create(listing=granted, grantee=client.owner)
    ListingFactory()  # another host's, not granted
    other_grant = ListingFactory()
    ListingGrant.objects.create(listing=other_grant, grantee=UserFactory())

    ids = [item["id"] for item in client.get(URL).json()]

    assert ids == [own.pk, granted.pk]


def test_a_listing_granted_to_its_own_host_is_listed_once(key_client):
    client = key_client(["listings.read"])
    listing = ListingFactory(host=client.owner)
    ListingGrant.objects.create(listing=listing, grantee=client.owner)

    response = client.get(URL)

    assert [item["id"] for item in response.json()] == [listing.pk]
    assert response["X-Total-Count"] == "1"


def test_it_paginates_with_page_and_per_page_in_headers(key_client):
    client = key_client(["listings.read"])
    listings = ListingFactory.create_batch(5, host=client.owner)

    response = client.get(URL, {"page": 2, "per_page": 2, "city": "Berlin"})

    assert [item["id"] for item in response.json()] == [listings[2].pk, listings[3].pk]
    assert response["X-Total-Count"] == "5"
    assert response["Link"] == (
        '<http://testserver/v2/listings?city=Berlin&page=3&per_page=2>; rel="next", '
        '<http://testserver/v2/listings?city=Berlin&page=1&per_page=2>; rel="prev"'
    )


def test_the_last_page_links_only_back(key_client):
    client = key_client(["listings.read"])
    ListingFactory.create_batch(3, host=client.owner)

    response = client.get(URL, {"page": 2, "per_page": 2})

    assert len(response.json()) == 1
    assert response["Link"] == '<http://testserver/v2/listings?page=1&per_page=2>; rel="prev"'


def test_without_page_it_answers_every_listing_up_to_the_cap_and_links_the_rest(key_client, monkeypatch):
    monkeypatch.setattr(LinkHeaderPagination, "default_per_page", 3)
    client = key_client(["listings.read"])
    listings = ListingFactory.create_batch(4, host=client.owner)

    response = client.get(URL)

    assert [item["id"] for item in response.json()] == [listing.pk for listing in listings[:3]]
    assert response["X-Total-Count"] == "4"
    assert response["Link"] == '<http://testserver/v2/listings?page=2&per_page=3>; rel="next"'
    following = client.get(response["Link"].split(">")[0][1:])
    assert [item["id"] for item in following.json()] == [listings[3].pk]
    assert "next" not in following["Link"]


def test_the_cap_is_the_default_and_largest_page():
    assert LinkHeaderPagination.default_per_page == LinkHeaderPagination.max_per_page == 1000


def test_a_page_past_the_end_is_empty_and_links_back_to_the_last_page(key_client):
    client = key_client(["listings.read"])
    ListingFactory(host=client.owner)

    response = client.get(URL, {"page": 9})

    assert response.json() == []
    assert response["X-Total-Count"] == "1"
    assert response["Link"] == '<http://testserver/v2/listings?page=1&per_page=1000>; rel="prev"'


@pytest.mark.parametrize(
    "params, key",
    [
        ({"per_page": 1001}, "per_page"),
        ({"per_page": 0}, "per_page"),
        ({"page": "first"}, "page"),
        ({"status": "sold"}, "status"),
    ],
)
def test_it_rejects_bad_query_parameters(key_client, params, key):
    response = key_client(["listings.read"]).get(URL, params)

    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "Validation Error"
    assert key in body["details"]


def test_it_filters_by_status_city_and_country(key_client):
    client = key_client(["listings.read"])
    berlin = ListingFactory(host=client.owner, city="Berlin", country="DE")
    ListingFactory(host=client.owner, city="Berlin", country="DE", status=Listing.Status.INACTIVE)
    ListingFactory(host=client.owner, city="Lisbon", country="PT")

    def ids(**params):
        return [item["id"] for item in client.get(URL, params).json()]

    assert ids(status="active", city="berlin") == [berlin.pk]
    assert len(ids(country="de")) == 2
    assert len(ids(status="inactive")) == 1


def test_it_needs_the_listings_read_scope(key_client):
    client = key_client(["listings.write", "bookings.read"])
    ListingFactory(host=client.owner)

    response = client.get(URL)

    assert response.status_code == 403
    assert response.json() == {
        "success": False,
        "error": "Missing required scope: listings.read",
        "code": "forbidden",
    }


def test_it_needs_a_key(api_client, db):
    assert api_client.get(URL).status_code == 401


@pytest.mark.parametrize("size", [2, 50])
def test_it_makes_the_same_number_of_queries_for_2_or_50_listings(key_client, django_assert_num_queries, size):
    client = key_client(["listings.read"])
    for listing in ListingFactory.create_batch(size, host=client.owner):
        RoomTypeFactory.create_batch(2, listing=listing)

    # 1. the API key (with its owner)  2. count  3. the listings page  4. their room types
    with django_assert_num_queries(4):
        response = client.get(URL, {"per_page": 100})

    assert len(response.json()) == size
    assert all(len(item["room_types"]) == 2 for item in response.json())

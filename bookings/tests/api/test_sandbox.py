"""Sandbox twins (``/v2/sandbox/…``): the same endpoints on the key owner's sandbox data.

``shared/spec/reference-notes.md``: "Every endpoint has a sandbox twin under a ``sandbox/``
path prefix that works with the same key against sandbox data." The list of endpoints is
the URLconf's (``coliving/tests/contracts.py``), so a new endpoint cannot miss its twin.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.http import HttpRequest

from accounts.api.views import SPEC_EXAMPLE
from accounts.models import OutboxEvent, User
from apikeys.models import ApiKey
from apikeys.scopes import PLATFORM_SCOPES
from bookings.models import Booking, BookingMessage, SandboxDataSet
from bookings.tests.factories import guest_of, make_booking
from coliving.api.families import Family
from coliving.api.routing import SANDBOX_PREFIX, registry
from coliving.tests.contracts import PROVIDER, endpoints, example_path
from listings.feed.docs import example as feed_example
from listings.models import Listing, ListingFee, ProviderAccountLink, RoomType, RoomTypeNight
from listings.tests.factories import ListingFactory, RoomTypeFactory

pytestmark = pytest.mark.django_db

ENDPOINTS = endpoints()
SANDBOX = f"/{SANDBOX_PREFIX}"


def live_twinned() -> list:
    """Every live coliving-family endpoint under /v2 (partner and integrations APIs)."""
    return [
        endpoint
        for endpoint in ENDPOINTS
        if endpoint.path.startswith("/v2/")
        and not endpoint.sandbox
        and registry.family_of_path(example_path(endpoint.path)) is Family.COLIVING
    ]


def twin_path(path: str) -> str:
    return SANDBOX + path.removeprefix("/v2")


@pytest.fixture
def sandbox_client(key_client, provider):
    """A test (``sk_test_``) key with every coliving scope, whose owner hosts a live listing."""
    client = key_client(sorted(PLATFORM_SCOPES), prefix=ApiKey.Prefix.TEST)
    client.live_listing = ListingFactory(host=client.owner, name="Live House")
    client.live_room_type = RoomTypeFactory(listing=client.live_listing, amount=3, max_occupancy=2)
    ListingFee.objects.create(listing=client.live_listing, name="Cleaning", amount=50)
    client.live_booking = make_booking(room_type=client.live_room_type, guest=guest_of(client.owner))
    return client


def sandbox_rows(owner) -> dict:
    listing = Listing.objects.filter(host=owner, is_sandbox=True).order_by("id").first()
    booking = Booking.objects.filter(listing__host=owner, is_sandbox=True).order_by("id").first()
    return {"listing": listing, "room_type": listing.room_types.order_by("id").first(), "booking": booking}


def test_every_live_endpoint_has_a_sandbox_twin_served_by_the_same_view():
    twins = {(e.path, e.method): e.view for e in ENDPOINTS if e.sandbox}
    live = live_twinned()
    assert {"GET /v2/me", "POST /v2/bookings", "GET /v2/integrations/{provider}/bookings"} <= {e.id for e in live}
    for endpoint in live:
        assert twins.get((twin_path(endpoint.path), endpoint.method)) is endpoint.view, endpoint.id
    assert len(twins) == len(live)  # and no twin without a live endpoint


@pytest.mark.parametrize("endpoint", live_twinned(), ids=lambda e: e.id)
def test_every_twin_answers_a_test_key_against_sandbox_data(sandbox_client, endpoint):
    sandbox_client.get(f"{SANDBOX}/me")  # the first sandbox request seeds the sandbox
    rows = sandbox_rows(sandbox_client.owner)
    by_model = {Listing: rows["listing"], Booking: rows["booking"]}
    values = {
        "provider": PROVIDER,
        "listing_id": rows["listing"].pk,
        "room_type_id": rows["room_type"].pk,
        "user_id": rows["booking"].guest_id,
    }
    if endpoint.lookup and endpoint.model in by_model:
        values[endpoint.lookup] = by_model[endpoint.model].pk
    url = twin_path(endpoint.path)
    for name, value in values.items():
        url = url.replace("{" + name + "}", str(value))
    if endpoint.view.public:  # the calendar: its listing's token
        url += f"?token={rows['listing'].calendar_token}"
    method = getattr(sandbox_client, endpoint.method)
    response = method(url) if endpoint.is_read else method(url, {}, format="json")
    if endpoint.is_read:
        assert response.status_code == 200, response.content
    else:
        # An empty body: the view's own answer (validation, or a cancel that needs none).
        assert response.status_code in (200, 400, 422), response.content
        assert "success" in response.json()


def test_a_test_key_is_refused_on_every_live_path(sandbox_client):
    for endpoint in live_twinned():
        if endpoint.view.public:
            continue
        url = endpoint.url()
        method = getattr(sandbox_client, endpoint.method)
        response = method(url) if endpoint.is_read else method(url, {}, format="json")
        assert response.status_code == 403, endpoint.id
        assert response.json() == {
            "success": False,
            "error": "Sandbox (sk_test_) keys can only use the sandbox API, under /v2/sandbox/.",
            "code": "sandbox_key_on_live_api",
        }
    assert not SandboxDataSet.objects.exists()  # a refused request seeds nothing


def test_the_sandbox_is_seeded_from_the_owners_live_listings(sandbox_client):
    response = sandbox_client.get(f"{SANDBOX}/listings")
    assert response.status_code == 200
    listings = response.json()
    assert [listing["name"] for listing in listings] == ["Live House"]
    sandbox_listing = Listing.objects.get(pk=listings[0]["id"])
    assert sandbox_listing.is_sandbox and sandbox_listing.pk != sandbox_client.live_listing.pk
    copy = RoomType.objects.get(listing=sandbox_listing)
    live = sandbox_client.live_room_type
    assert (copy.name, copy.amount, copy.base_price, copy.max_occupancy) == (
        live.name,
        live.amount,
        live.base_price,
        live.max_occupancy,
    )
    assert sandbox_listing.fees.get().amount == 50
    assert SandboxDataSet.objects.get(owner=sandbox_client.owner).source == SandboxDataSet.Source.LIVE
    # The seeded pending stay of the sandbox guest, in the sandbox feed.
    feed = sandbox_client.get(f"{SANDBOX}/integrations/{PROVIDER}/bookings").json()["data"]
    assert [item["listing_id"] for item in feed["Bookings"]] == [sandbox_listing.pk]


def test_an_owner_without_listings_gets_the_demo_listings(key_client, provider):
    client = key_client(["listings.read"], prefix=ApiKey.Prefix.TEST)
    listings = client.get(f"{SANDBOX}/listings").json()
    assert [listing["name"] for listing in listings] == ["Sunny Apartment", "City Center Loft"]
    assert SandboxDataSet.objects.get(owner=client.owner).source == SandboxDataSet.Source.DEMO
    # Complete in the feed shape: the prices' currency, every room type's own id.
    loft = client.get(f"{SANDBOX}/listings/{listings[1]['id']}").json()["data"]
    assert loft["prices"]["currency"] == "eur"
    assert [room_type["id"] for room_type in loft["room_types"]] == ["demo-loft-1"]


def test_a_live_key_reaches_both_and_each_sees_its_own_data(sandbox_client, key_client):
    live_key = key_client(["listings.read"], owner=sandbox_client.owner)
    live = live_key.get("/v2/listings").json()
    sandbox = live_key.get(f"{SANDBOX}/listings").json()
    assert [item["id"] for item in live] == [sandbox_client.live_listing.pk]
    assert [item["name"] for item in sandbox] == ["Live House"]
    assert {item["id"] for item in sandbox}.isdisjoint(item["id"] for item in live)
    # A live object is not found through the twin, a sandbox one not found live.
    missing = live_key.get(f"{SANDBOX}/listings/{sandbox_client.live_listing.pk}")
    assert missing.status_code == 404
    assert missing.json()["error"] == "Listing not found or unauthorized"
    assert live_key.get(f"/v2/listings/{sandbox[0]['id']}").status_code == 404


def live_state(owner, live_key) -> dict:
    """Everything live a sandbox session could touch: row counts, nights, prices, the live feed."""
    return {
        "bookings": list(Booking.objects.filter(is_sandbox=False).values_list("id", "status", "change_seq")),
        "messages": BookingMessage.objects.filter(booking__is_sandbox=False).count(),
        "users": User.objects.filter(is_sandbox=False).count(),
        "listings": list(Listing.objects.filter(is_sandbox=False).values_list("id", "name", "updated_at")),
        "room_types": list(
            RoomType.objects.filter(listing__is_sandbox=False).values_list("id", "base_price", "currency", "amount")
        ),
        "nights": list(
            RoomTypeNight.objects.filter(room_type__listing__is_sandbox=False)
            .order_by("room_type_id", "date")
            .values_list("room_type_id", "date", "available")
        ),
        "provider_links": ProviderAccountLink.objects.filter(is_sandbox=False).count(),
        "outbox": OutboxEvent.objects.count(),
        "feed": live_key.get(f"/v2/integrations/{PROVIDER}/bookings").json(),
        "users_api": live_key.get(f"/v2/users/{live_key.live_guest}").json(),
    }


def test_nothing_written_through_a_twin_is_visible_live(sandbox_client, key_client):
    owner = sandbox_client.owner
    live_key = key_client(sorted(PLATFORM_SCOPES), owner=owner)
    live_key.live_guest = sandbox_client.live_booking.guest_id
    before = live_state(owner, live_key)
    sandbox_client.get(f"{SANDBOX}/me")
    rows = sandbox_rows(owner)
    listing, room_type = rows["listing"], rows["room_type"]

    # A sandbox session: every write the twins offer.
    user = sandbox_client.post(f"{SANDBOX}/users", SPEC_EXAMPLE, format="json")
    assert user.status_code == 201, user.content
    assert user["Location"] == f"{SANDBOX}/users/{user.json()['data']['id']}"
    booking = sandbox_client.post(
        f"{SANDBOX}/bookings",
        {
            "user_id": user.json()["data"]["id"],
            "listing_id": listing.pk,
            "room_type_id": room_type.pk,
            "checkin_at": "2024-02-01",
            "checkout_at": "2024-03-15",
            "guests": 1,
        },
        format="json",
    )
    assert booking.status_code == 201, booking.content
    booking_id = booking.json()["data"]["id"]
    message = sandbox_client.post(f"{SANDBOX}/bookings/{booking_id}/messages", {"message": "Hi"}, format="json")
    assert message.status_code == 201
    assert sandbox_client.post(f"{SANDBOX}/bookings/{booking_id}/cancel").status_code == 200
    item = {"listing_id": listing.pk, "room_type_id": room_type.pk}
    pushes = {
        "availability": {"data": [{**item, "available": 1, "start_date": "2024-02-01", "end_date": "2024-02-28"}]},
        "rates": {"data": [{**item, "base_price": 999, "currency": "USD"}]},
        "provider-key": {"provider_api_key": "sandbox-provider-key-0001"},
    }
    for name, body in pushes.items():
        response = sandbox_client.post(f"{SANDBOX}/integrations/{PROVIDER}/{name}", body, format="json")
        assert response.status_code == 200, (name, response.content)
    imported = sandbox_client.post(f"{SANDBOX}/listings", feed_example(), format="json")
    assert imported.status_code == 201, imported.content

    # All of it is in the sandbox…
    assert Booking.objects.get(pk=booking_id).is_sandbox
    assert User.objects.get(pk=user.json()["data"]["id"]).is_sandbox
    assert Listing.objects.get(pk=imported.json()["data"]["listings"][0]["listing_id"]).is_sandbox
    assert ProviderAccountLink.objects.get(owner=owner).is_sandbox
    sandbox_feed = sandbox_client.get(f"{SANDBOX}/integrations/{PROVIDER}/bookings").json()["data"]["Bookings"]
    assert booking_id in {item["booking_id"] for item in sandbox_feed}
    # …and nothing of it is live: same rows, same nights and prices, same feed, same events.
    assert live_state(owner, live_key) == before
    assert live_key.get(f"/v2/bookings/{booking_id}").status_code == 404
    # The live user with the sandbox user's address can still be created.
    assert live_key.post("/v2/users", SPEC_EXAMPLE, format="json").status_code == 201


def test_a_sandbox_booking_takes_sandbox_nights_only(sandbox_client):
    sandbox_client.get(f"{SANDBOX}/me")
    rows = sandbox_rows(sandbox_client.owner)
    live_nights = list(RoomTypeNight.objects.filter(room_type=sandbox_client.live_room_type).values_list())
    sandbox_night = RoomTypeNight.objects.filter(room_type=rows["room_type"], date=date(2024, 2, 1))
    before = sandbox_night.get().available  # the seeded stay (from 14 days ahead) took one already
    guest = sandbox_client.post(f"{SANDBOX}/users", SPEC_EXAMPLE, format="json").json()["data"]["id"]
    body = {
        "user_id": guest,
        "listing_id": rows["listing"].pk,
        "room_type_id": rows["room_type"].pk,
        "checkin_at": "2024-02-01",
        "checkout_at": "2024-03-15",
        "guests": 1,
    }
    assert sandbox_client.post(f"{SANDBOX}/bookings", body, format="json").status_code == 201
    assert list(RoomTypeNight.objects.filter(room_type=sandbox_client.live_room_type).values_list()) == live_nights
    assert sandbox_night.get().available == before - 1


def test_a_second_tenants_sandbox_is_invisible(sandbox_client, key_client):
    other = key_client(sorted(PLATFORM_SCOPES), prefix=ApiKey.Prefix.TEST)
    other.get(f"{SANDBOX}/me")
    sandbox_client.get(f"{SANDBOX}/me")
    theirs = sandbox_rows(other.owner)
    assert sandbox_client.get(f"{SANDBOX}/bookings/{theirs['booking'].pk}").status_code == 404
    assert sandbox_client.get(f"{SANDBOX}/listings/{theirs['listing'].pk}").status_code == 404
    assert sandbox_client.get(f"{SANDBOX}/users/{theirs['booking'].guest_id}").status_code == 404
    assert sandbox_client.post(f"{SANDBOX}/bookings/{theirs['booking'].pk}/cancel").status_code == 404
    assert Booking.objects.get(pk=theirs["booking"].pk).status == Booking.Status.PENDING
    mine = {item["id"] for item in sandbox_client.get(f"{SANDBOX}/bookings").json()["data"]}
    assert theirs["booking"].pk not in mine
    # Both sandboxes hold a guest with the same address: each partner's sandbox is its own.
    assert User.objects.filter(is_sandbox=True, email="guest@sandbox.example.com").count() == 2


def test_a_sandbox_user_never_logs_in(sandbox_client, client):
    sandbox_client.post(f"{SANDBOX}/users", SPEC_EXAMPLE, format="json")
    # django-axes (the first backend) needs the request it throttles by.
    login = {"request": HttpRequest(), "username": SPEC_EXAMPLE["email"]}
    assert not client.login(**login, password=SPEC_EXAMPLE["password"])
    User.objects.create_user(email=SPEC_EXAMPLE["email"], password="another-password-123")
    assert client.login(**login, password="another-password-123")


def test_unknown_sandbox_paths_answer_in_the_coliving_shape(sandbox_client):
    response = sandbox_client.get(f"{SANDBOX}/nope")
    assert response.status_code == 404
    assert response.json()["success"] is False


@pytest.mark.parametrize("extra", [0, 3])
def test_sandbox_lists_cost_one_query_more_than_live_ones(sandbox_client, django_assert_num_queries, extra):
    sandbox_client.get(f"{SANDBOX}/integrations/{PROVIDER}/bookings")  # seeds; warms the active providers
    rows = sandbox_rows(sandbox_client.owner)
    guest = User.objects.get(pk=rows["booking"].guest_id)
    for month in range(4, 4 + extra):
        ListingFactory(host=sandbox_client.owner, is_sandbox=True)
        make_booking(
            room_type=rows["room_type"], guest=guest, checkin=date(2024, month, 1), checkout=date(2024, month, 20)
        )
    # 1. the API key (with its owner)  2. the sandbox data set exists  3. the changes
    with django_assert_num_queries(3):
        feed = sandbox_client.get(f"{SANDBOX}/integrations/{PROVIDER}/bookings")
    assert len(feed.json()["data"]["Bookings"]) == 1 + extra
    # 1. the API key  2. the sandbox data set  3. count  4. the listings page  5. their room types
    with django_assert_num_queries(5):
        listings = sandbox_client.get(f"{SANDBOX}/listings")
    assert len(listings.json()) == 1 + extra

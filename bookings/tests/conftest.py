from __future__ import annotations

import pytest

from apikeys.models import Provider
from bookings.tests.factories import TODAY, guest_of
from listings import limits
from listings.tests.factories import ListingFactory, RoomTypeFactory


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(limits, "today", lambda: TODAY)


@pytest.fixture
def provider(db) -> Provider:
    # Created by a data migration, but a transactional test's flush removes it.
    return Provider.objects.get_or_create(slug="mangobeds", defaults={"name": "Mango Beds"})[0]


@pytest.fixture
def partner(key_client):
    """A client whose key's owner hosts a listing with one room type, and a guest it created."""
    client = key_client(["bookings.read", "bookings.write"])
    client.listing = ListingFactory(host=client.owner)
    client.room_type = RoomTypeFactory(listing=client.listing, amount=5, max_occupancy=2)
    client.guest = guest_of(client.owner)
    return client


@pytest.fixture
def other(key_client):
    """A second tenant, with a listing and room type of its own."""
    client = key_client(["bookings.read", "bookings.write"])
    client.listing = ListingFactory(host=client.owner)
    client.room_type = RoomTypeFactory(listing=client.listing)
    client.guest = guest_of(client.owner)
    return client

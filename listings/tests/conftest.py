"""Fixtures for the listings tests: a pinned calendar, the documented provider, and a
second tenant (another host with a listing, a room type and nights of its own)."""

from __future__ import annotations

from datetime import date

import pytest

from apikeys.models import Provider
from listings import limits
from listings.tests.factories import ListingFactory, RoomTypeFactory

TODAY = date(2024, 4, 15)  # before the spec's example dates (May 2024)


@pytest.fixture
def today(monkeypatch) -> date:
    """Pin the inventory calendar's today to ``TODAY``."""
    monkeypatch.setattr(limits, "today", lambda: TODAY)
    return TODAY


@pytest.fixture
def mangobeds(db) -> Provider:
    return Provider.objects.get(slug="mangobeds")


@pytest.fixture
def other_provider(db) -> Provider:
    return Provider.objects.create(slug="otherbeds", name="Other Beds")


@pytest.fixture
def other_room_type(db):
    """A room type of a listing hosted by someone else (the second tenant)."""
    return RoomTypeFactory(listing=ListingFactory(), amount=4)


@pytest.fixture
def feed_catalogues(db):
    """The amenity, community type and event catalogues (a flushing test may have emptied them)."""
    from listings.feed import catalogues

    catalogues.seed()
    return catalogues.Catalogues.load()

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
    # Created by a data migration, but a transactional test's flush removes it.
    return Provider.objects.get_or_create(slug="mangobeds", defaults={"name": "Mango Beds"})[0]


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


@pytest.fixture
def http_server(settings):
    """A local HTTP server (listings/tests/httpserver.py) the fetch guard lets through:
    ``FETCH_ALLOWED_NETWORKS`` opens 127.0.0.0/8 only, every other private network stays shut.
    Limits are small so that no test waits long."""
    from listings.tests import httpserver

    settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.FETCH_TIMEOUT = 2
    settings.FETCH_MAX_BYTES = 10 * 1024 * 1024
    server, thread = httpserver.start()
    yield server
    httpserver.stop(server, thread)

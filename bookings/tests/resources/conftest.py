"""Fixtures of the resource booking tests: a space (``co-up``, as in the spec's examples), its
meeting room, and one client per persona — ``member`` (John Doe), ``admin`` (Jane Admin),
``stranger`` (a key whose owner is no member of the space)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bookings.tests.resources.factories import ResourceFactory, member_client
from jobs.models import Membership
from jobs.tests.factories import SpaceFactory

SCOPES = ("read_bookings", "write_bookings", "read_resources")


@pytest.fixture
def space(db):
    return SpaceFactory(subdomain="co-up", timezone="UTC")


@pytest.fixture
def room(space):
    """The spec's meeting room: 5 an hour, so 2 hours cost the examples' 10.0."""
    return ResourceFactory(
        space=space, name="Meeting Room", price_per_hour=Decimal("5.00"), tax_rate=Decimal("20.0"), accounting_code="B1"
    )


@pytest.fixture
def desks(space):
    return ResourceFactory(space=space, name="Hot Desks", units=10, price_per_hour=Decimal("3.00"), capacity=1)


@pytest.fixture
def member(key_client, space):
    client = member_client(key_client, space, scopes=SCOPES)
    client.membership.name = "John Doe"
    client.membership.save(update_fields=["name"])
    return client


@pytest.fixture
def admin(key_client, space):
    client = member_client(key_client, space, role=Membership.Role.ADMIN, scopes=SCOPES)
    client.membership.name = "Jane Admin"
    client.membership.save(update_fields=["name"])
    return client


@pytest.fixture
def stranger(key_client, space):
    client = key_client(list(SCOPES))
    client.base = f"/spaces/{space.subdomain}/api"
    return client


@pytest.fixture
def cobot_host(settings):
    """``<subdomain>.cobot.me`` serves the space's API, as on Cobot itself."""
    settings.SPACES_DOMAIN = "cobot.me"
    settings.ALLOWED_HOSTS = [".cobot.me", "testserver"]
    return "co-up.cobot.me"

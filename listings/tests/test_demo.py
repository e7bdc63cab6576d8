"""listings/demo.py: the seed_demo listings, idempotent."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from listings import demo
from listings.models import Listing, RoomType

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("feed_catalogues")]


def test_seeding_twice_gives_the_same_listings_and_room_types():
    owner = UserFactory()

    first: dict[str, object] = {"owner": owner}
    demo.seed(first)
    again: dict[str, object] = {"owner": owner}
    demo.seed(again)

    assert Listing.objects.filter(host=owner).count() == 3  # two by hand, the feed's example imported
    assert RoomType.objects.filter(listing__host=owner).count() == 4
    assert first["feed_listing"].pk == again["feed_listing"].pk
    assert again["feed_listing"].sync_source == "feed"
    assert [listing.pk for listing in first["listings"]] == [listing.pk for listing in again["listings"]]
    assert RoomType.objects.get(name="Standard Room").month_price(1) == 800

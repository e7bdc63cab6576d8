"""The feed import benchmark of ``listings/bench.py`` runs (at a tiny size; never timed here)."""

from __future__ import annotations

import pytest

from listings import bench
from listings.models import Listing

pytestmark = pytest.mark.usefixtures("feed_catalogues")


def test_the_feed_import_benchmark_runs_and_leaves_nothing_behind():
    figures = bench.feed_import(listings=3, room_types=2, rooms=2)

    assert figures["listings"] == 3
    assert figures["queries_per_listing"] <= 16
    assert figures["first_listings_per_s"] > 0 and figures["speedup_unchanged"] > 0
    assert not Listing.objects.exists()


def test_the_listings_benchmark_checks_its_baseline_against_the_view():
    # listings_list raises when the plain baseline's body or Link header differs from the view's.
    figures = bench.listings_list(listings=3, room_types=1, per_page=2, rounds=1)

    assert figures["ratio_view_to_plain"] > 0
    assert not Listing.objects.exists()


def test_the_bench_listings_baselines_answer_the_views_body_and_headers(key_client):
    from django.test import RequestFactory

    from bench import views
    from listings.tests.factories import ListingFactory, RoomTypeFactory

    client = key_client(["listings.read"])
    for listing in ListingFactory.create_batch(3, host=client.owner):
        RoomTypeFactory(listing=listing)
    # What the view must leave out, so must the baseline: a sandbox copy, a deactivated room type.
    RoomTypeFactory(listing=ListingFactory(host=client.owner, is_sandbox=True))
    RoomTypeFactory(listing=Listing.objects.filter(host=client.owner).order_by("id").first(), is_active=False)
    served = client.get("/v2/listings", {"per_page": 2})
    assert served["X-Total-Count"] == "3" and [len(item["room_types"]) for item in served.json()] == [1, 1]
    request = RequestFactory().get("/bench/plain/listings", {"per_page": 2}, HTTP_X_API_KEY=client.raw_key)
    plain = views.plain_listings(request)

    assert plain.content == served.content
    assert plain["X-Total-Count"] == served["X-Total-Count"]
    assert plain["Link"] == served["Link"].replace("http://testserver", "")

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

"""Fixtures of the directory's tests: Coworkies keys (``cwk_live_`` / ``cwk_rstr_``), a few
confirmed cities (Berlin is the spec's id 42 in spirit: any id works), and spaces."""

from __future__ import annotations

import pytest

from apikeys.models import ApiKey
from jobs.tests.factories import CityFactory, SpaceFactory, free_plan

LIVE = ApiKey.Prefix.COWORKIES_LIVE
RESTRICTED = ApiKey.Prefix.COWORKIES_RESTRICTED


@pytest.fixture(autouse=True)
def _free_plan(request):
    """Every database test of the directory has the free plan (see ``free_plan``)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None:
        request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
        free_plan()


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://www.coworkies.com"
    settings.JOBS_DEFAULT_CONTACT_EMAIL = "jobs@coworkies.com"


@pytest.fixture
def cwk(key_client):
    """``cwk(scopes, space=…, prefix=…)``: a client with a Coworkies key (read and write by default)."""

    def make(scopes=("read", "write"), *, prefix=LIVE, **options):
        return key_client(scopes, prefix=prefix, **options)

    return make


@pytest.fixture
def cities(db):
    return {
        slug: CityFactory(name=name, slug=slug, latitude=lat, longitude=lon)
        for name, slug, lat, lon in [
            ("Berlin", "berlin", "52.520000", "13.405000"),
            ("Lisbon", "lisbon", "38.722300", "-9.139300"),
            ("San Francisco", "san-francisco", "37.774900", "-122.419400"),
            ("San Sebastián", "san-sebastian", "43.318300", "-1.981200"),
            ("Zürich", "zurich", "47.376900", "8.541700"),
        ]
    }


@pytest.fixture
def space(cities):
    return SpaceFactory(name="Example Coworking", slug="example-coworking", city=cities["berlin"])


@pytest.fixture
def other_space(cities):
    return SpaceFactory(name="Second Home", slug="second-home", city=cities["lisbon"])

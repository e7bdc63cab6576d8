"""bookings/resources/bench.py: the ``make bench`` data, and baselines that answer the endpoint's bytes."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from accounts.models import User
from bench.seed import BENCH_EMAIL
from bookings.models import ResourceBooking
from bookings.resources import bench

pytestmark = pytest.mark.django_db


def test_the_plain_and_bare_baselines_render_the_endpoints_bytes(monkeypatch, client, django_assert_num_queries):
    monkeypatch.setattr(bench, "BOOKINGS", 120)
    monkeypatch.setattr(bench, "MEMBERS", 5)
    User.objects.create_user(BENCH_EMAIL, password=None)
    context: dict = {}
    bench.seed(context)
    bench.seed(context)  # a second run adds no bookings
    assert ResourceBooking.objects.count() == 120
    headers = {"HTTP_X_API_KEY": context["cobot_key"]}
    query = context["cobot_query"]
    assert context["cobot_bookings_path"] == f"/spaces/bench/api/bookings?{query}"
    served = client.get(context["cobot_bookings_path"], **headers)
    request = RequestFactory().get(f"/bench/plain/spaces/bench/bookings?{query}", **headers)
    # 1. the key  2. the membership joined with its space  3. the bookings: the endpoint's three
    with django_assert_num_queries(3):
        plain = bench.plain_bookings(request, "bench")
    bare_request = RequestFactory().get(f"/bench/bare/spaces/bench/bookings?{query}", **headers)
    bare = bench.bare_bookings(bare_request, "bench")
    assert served.status_code == plain.status_code == bare.status_code == 200
    assert len(served.json()) == 120
    assert served.content == plain.content == bare.content
    refused = bench.plain_bookings(RequestFactory().get(f"/bench/plain/spaces/bench/bookings?{query}"), "bench")
    assert refused.status_code == 401

"""jobs/bench.py: the ``make bench`` data and baselines answer what the endpoint answers."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from accounts.models import User
from bench.seed import BENCH_EMAIL
from jobs import bench
from jobs.models import Job

pytestmark = pytest.mark.django_db


def test_the_plain_and_bare_baselines_render_the_endpoints_bytes(monkeypatch, client, django_assert_num_queries):
    monkeypatch.setattr(bench, "JOBS", 120)
    User.objects.create_user(BENCH_EMAIL, password=None)
    context: dict = {}
    bench.seed(context)
    bench.seed(context)  # a second run adds no jobs
    assert Job.objects.listed().count() == 120
    headers = {"HTTP_X_API_KEY": context["coworkies_key"]}
    served = client.get("/v2/jobs", {"per_page": 50}, **headers)
    request = RequestFactory().get("/bench/plain/jobs", {"per_page": 50}, **headers)
    # 1. the key  2. the page  3. the count: the endpoint's three
    with django_assert_num_queries(3):
        plain = bench.plain_jobs(request)
    bare = bench.bare_jobs(RequestFactory().get("/bench/bare/jobs", {"per_page": 50}))
    assert served.status_code == plain.status_code == bare.status_code == 200
    assert served.content == plain.content == bare.content
    refused = bench.plain_jobs(RequestFactory().get("/bench/plain/jobs", HTTP_X_API_KEY="cwk_live_nope"))
    assert refused.status_code == 401

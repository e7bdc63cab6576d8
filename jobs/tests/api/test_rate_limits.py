"""The Coworkies limits on the directory: 60/min and 1000/h per key, a key's own per-minute
override (verified integrations: 120/min), 429 in the family's shape."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_key_gets_60_a_minute_then_429(cwk, settings):
    client = cwk(("read",))
    first = client.get("/v2/cities")
    assert first["X-RateLimit-Limit"] == "60" and first["X-RateLimit-Remaining"] == "59"
    for _ in range(59):
        assert client.get("/v2/cities").status_code == 200
    response = client.get("/v2/cities")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert response.json() == {
        "success": False,
        "status": 429,
        "error": {"code": "rate_limit_exceeded", "message": "Rate limit exceeded"},
    }


def test_a_verified_integration_gets_120_a_minute(cwk):
    client = cwk(("read",), rate_limit_per_minute=120)
    response = client.get("/v2/jobs")
    assert response["X-RateLimit-Limit"] == "120" and response["X-RateLimit-Remaining"] == "119"


def test_the_hourly_limit_applies_to_the_coworkies_family(cwk, settings):
    settings.RATELIMIT_COWORKIES_PER_HOUR = 3
    client = cwk(("read",))
    assert [client.get("/v2/cities").status_code for _ in range(4)] == [200, 200, 200, 429]

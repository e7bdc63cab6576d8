"""Per-key, per-family and per-IP limits, the X-RateLimit-* headers and the 429 bodies."""

import time

import pytest
from django_ratelimit.core import _get_window

from apikeys.tests.factories import make_key

pytestmark = [pytest.mark.django_db, pytest.mark.urls("coliving.tests.urls")]


def _time_left(key, period: int) -> int:
    """Seconds left in this key's fixed window (django-ratelimit staggers windows per key)."""
    return _get_window(f"key:{key.pk}", period) - int(time.time())


def _exhaust(client, path, n):
    return [client.get(path).status_code for _ in range(n)]


def test_every_response_carries_the_headers(key_client):
    response = key_client(["users.read"]).get("/v2/probe/coliving")
    assert response["X-RateLimit-Limit"] == "60"
    assert response["X-RateLimit-Remaining"] == "59"
    assert 0 <= int(response["X-RateLimit-Reset"]) <= 60


def test_the_61st_request_in_a_minute_is_429_with_retry_after(key_client):
    client = key_client(["users.read"])
    assert _exhaust(client, "/v2/probe/coliving", 60) == [200] * 60
    response = client.get("/v2/probe/coliving")
    assert response.status_code == 429
    body = response.json()
    assert body["success"] is False and body["error"] == "Rate limit exceeded"
    assert body["code"] == "rate_limit_exceeded"
    assert 1 <= body["retry_after"] <= 60
    assert response["Retry-After"] == str(body["retry_after"])
    assert response["X-RateLimit-Remaining"] == "0"


def test_requests_refused_for_a_missing_scope_count_too(key_client):
    client = key_client(["users.write"])
    assert set(_exhaust(client, "/v2/probe/coliving", 60)) == {403}
    assert client.get("/v2/probe/coliving").status_code == 429


def test_keys_are_limited_separately(key_client):
    first, second = key_client(["users.read"]), key_client(["users.read"])
    _exhaust(first, "/v2/probe/coliving", 60)
    assert first.get("/v2/probe/coliving").status_code == 429
    assert second.get("/v2/probe/coliving").status_code == 200


def test_a_key_override_replaces_the_default(key_client):
    client = key_client(["users.read"], rate_limit_per_minute=5)
    assert _exhaust(client, "/v2/probe/coliving", 6) == [200] * 5 + [429]


def test_coworkies_keys_also_have_an_hourly_limit(key_client, settings):
    settings.RATELIMIT_COWORKIES_PER_HOUR = 3
    client = key_client(["read"])
    responses = [client.get("/v2/jobs/probe") for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert responses[0]["X-RateLimit-Limit"] == "3"  # the tightest limit is reported
    assert responses[3].json() == {
        "success": False,
        "status": 429,
        "error": {"code": "rate_limit_exceeded", "message": "Rate limit exceeded"},
    }
    assert abs(int(responses[3]["Retry-After"]) - _time_left(client.api_key, 3600)) <= 1  # the hourly window


def test_the_hourly_limit_is_not_applied_to_other_families(key_client, settings):
    settings.RATELIMIT_COWORKIES_PER_HOUR = 1
    client = key_client(["users.read"])
    assert _exhaust(client, "/v2/probe/coliving", 3) == [200] * 3


def test_public_endpoints_are_limited_per_ip(api_client, settings):
    settings.RATELIMIT_PUBLIC_PER_MINUTE = 3
    statuses = [api_client.get("/v2", REMOTE_ADDR="10.0.0.1").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert api_client.get("/v2", REMOTE_ADDR="10.0.0.2").status_code == 200


def test_failed_authentications_are_limited_per_ip(api_client, settings):
    settings.RATELIMIT_PUBLIC_PER_MINUTE = 3
    _key, raw = make_key(scopes=["users.read"])
    bad = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    statuses = [api_client.get("/v2/probe/coliving", HTTP_X_API_KEY=bad).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]


def test_a_view_can_add_its_own_limit_for_some_methods(key_client):
    client = key_client(["users.read", "users.write"])
    body = {"name": "x", "count": 1}
    statuses = [client.post("/v2/probe/limited", body, format="json").status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    assert client.get("/v2/probe/limited").status_code == 200


def test_me_is_also_limited_per_ip(key_client, settings):
    settings.RATELIMIT_PUBLIC_PER_MINUTE = 2
    first, second = key_client(["users.read"]), key_client(["users.read"])
    assert first.get("/v2/me").status_code == 200
    assert second.get("/v2/me").status_code == 200
    assert first.get("/v2/me").status_code == 429


def test_the_limiter_can_be_switched_off(key_client, settings):
    settings.RATELIMIT_ENABLE = False
    client = key_client(["users.read"], rate_limit_per_minute=1)
    assert _exhaust(client, "/v2/probe/coliving", 3) == [200] * 3


def test_a_429_reports_the_limit_that_blocks_longest(key_client, settings):
    settings.RATELIMIT_COWORKIES_PER_HOUR = 2
    client = key_client(["read"], rate_limit_per_minute=2)
    responses = [client.get("/v2/jobs/probe") for _ in range(3)]
    blocked = responses[2]
    assert blocked.status_code == 429
    assert blocked["X-RateLimit-Reset"] == blocked["Retry-After"]
    longest = max(_time_left(client.api_key, 60), _time_left(client.api_key, 3600))
    assert abs(int(blocked["Retry-After"]) - longest) <= 1

"""Per-key, per-family and per-IP limits, the X-RateLimit-* headers and the 429 bodies.

With ``REDIS_URL`` set the limits are sliding logs counted by one Lua script on the real
Redis (``coliving/api/ratelimit.py``); without it, django-ratelimit's fixed windows on the
local-memory cache. The first tests hold on both; those marked ``on_redis`` are about the
sliding log: the window boundary, the round trip, exact waits, failing open. Those move
the script's clock (``_clock_ms``) instead of sleeping: the script then counts at that
time, everything else about the request is real.
"""

import logging
import socket
import time
from types import SimpleNamespace

import pytest
import redis
from django.conf import settings
from django.core.cache import caches
from django.test import RequestFactory
from django_ratelimit.core import _get_window

from apikeys.api.views import MeView
from apikeys.tests.factories import make_key
from coliving.api import ratelimit
from coliving.api.ratelimit import Limit, apply_limits

pytestmark = [pytest.mark.django_db, pytest.mark.urls("coliving.tests.urls")]

on_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="the sliding log runs on Redis (REDIS_URL)")


def _expected_wait(key, period: int) -> int:
    """Seconds until a key that has just used up a limit of ``period`` s may send again."""
    if settings.REDIS_URL:  # a sliding log: when its first request, made just now, leaves the window
        return period
    return _get_window(f"key:{key.pk}", period) - int(time.time())  # the end of django-ratelimit's staggered window


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
    assert abs(int(responses[3]["Retry-After"]) - _expected_wait(client.api_key, 3600)) <= 1  # the hourly limit


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
    longest = max(_expected_wait(client.api_key, 60), _expected_wait(client.api_key, 3600))
    assert abs(int(blocked["Retry-After"]) - longest) <= 1


# --- the sliding log (Redis) ----------------------------------------------------------------


class Clock:
    """The script's clock, in ms, moved by the test."""

    def __init__(self, monkeypatch, at_ms: int):
        self.ms = at_ms
        monkeypatch.setattr(ratelimit, "_clock_ms", lambda: self.ms)

    def at(self, ms: int) -> "Clock":
        self.ms = ms
        return self


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, int(time.time() * 1000))


@on_redis
def test_a_burst_across_a_window_boundary_cannot_reach_twice_the_limit(key_client, clock):
    client = key_client(["users.read"], rate_limit_per_minute=5)
    # Where django-ratelimit's fixed window for this key would turn: 5 just before, 5 just after.
    boundary_ms = _get_window(f"key:{client.api_key.pk}", 60) * 1000
    clock.at(boundary_ms - 1)
    assert _exhaust(client, "/v2/probe/coliving", 5) == [200] * 5
    clock.at(boundary_ms + 1)
    assert _exhaust(client, "/v2/probe/coliving", 5) == [429] * 5
    # A minute after the first burst, its requests have left the window.
    clock.at(boundary_ms - 1 + 60_000)
    assert _exhaust(client, "/v2/probe/coliving", 6) == [200] * 5 + [429]


@on_redis
def test_without_a_clock_from_the_test_the_log_is_kept_in_redis_time(key_client):
    """What makes the window slide in real time: each admitted request is logged at Redis's now."""
    client = key_client(["users.read"])
    before_ms = time.time() * 1000
    assert client.get("/v2/probe/coliving").status_code == 200
    cache = caches["default"]
    name = cache.make_key(f"rl:{ratelimit.KEY_MINUTE.group}:60:key:{client.api_key.pk}")
    [(_member, logged_ms)] = cache.client.get_client().zrange(name, 0, -1, withscores=True)
    assert before_ms - 5_000 < logged_ms < time.time() * 1000 + 5_000


@on_redis
def test_no_span_of_the_period_admits_more_than_the_limit(clock):
    # A client trying every 250 ms for three minutes against 5/min: wherever a minute starts,
    # it holds at most 5 admitted requests; and the limit is not stricter than that (5 a minute).
    request = RequestFactory().get("/", REMOTE_ADDR="10.9.8.7")
    limits = [Limit("sweep", "ip", rate="5/m")]
    start = clock.ms
    admitted = []
    for t in range(start, start + 180_000, 250):
        clock.at(t)
        if apply_limits(request, limits) is None:
            admitted.append(t)
    assert len(admitted) == 15
    assert max(sum(1 for t in admitted if s <= t < s + 60_000) for s in range(start, start + 180_000, 50)) == 5


@on_redis
def test_retry_after_is_when_the_oldest_request_leaves_the_window(key_client, clock):
    client = key_client(["users.read"], rate_limit_per_minute=3)
    start = clock.ms
    for offset in (0, 10_000, 20_000):
        assert client.get("/v2/probe/coliving").status_code == 200
        clock.at(start + offset + 10_000)
    clock.at(start + 10_000)
    response = client.get("/v2/probe/coliving")  # 3 requests in the last minute: refused
    assert response.status_code == 429
    assert response["Retry-After"] == "50" == response["X-RateLimit-Reset"]
    clock.at(start + 60_000 - 1)
    assert client.get("/v2/probe/coliving")["Retry-After"] == "1"
    clock.at(start + 60_000)  # the first request is a minute old: it no longer counts
    response = client.get("/v2/probe/coliving")
    assert response.status_code == 200
    assert response["X-RateLimit-Remaining"] == "0"
    assert response["X-RateLimit-Reset"] == "10"  # when the request made at +10 s leaves


@on_redis
def test_a_refused_request_uses_no_quota(key_client, clock, settings):
    settings.RATELIMIT_PUBLIC_PER_MINUTE = 3  # /v2/me's per-IP limit
    first, second = key_client(["users.read"], rate_limit_per_minute=2), key_client(["users.read"])
    start = clock.ms
    assert _exhaust(first, "/v2/me", 5) == [200, 200, 429, 429, 429]
    # The three refusals counted neither against the per-IP limit (one more request fits)…
    assert _exhaust(second, "/v2/me", 2) == [200, 429]
    # …nor against the key's own: a minute after its two requests it has its full minute again.
    clock.at(start + 60_000)
    assert first.get("/v2/me")["X-RateLimit-Remaining"] == "1"


@on_redis
def test_all_limits_of_a_request_are_counted_in_one_round_trip(key_client, monkeypatch):
    client = key_client(["users.read"])
    request = RequestFactory().get("/v2/me")
    request.auth = client.api_key
    assert [limit.group for limit in ratelimit.limits_for(request, MeView())] == ["key-minute", "me-ip-minute"]
    assert client.get("/v2/me").status_code == 200  # the script is loaded into Redis once
    sent = []
    original = redis.connection.Connection.send_packed_command

    def counting(self, command, check_health=True):
        sent.append(command)
        return original(self, command, check_health)

    monkeypatch.setattr(redis.connection.Connection, "send_packed_command", counting)
    response = client.get("/v2/me")  # two limits: the key's minute and /v2/me's per-IP minute
    assert response.status_code == 200
    assert response["X-RateLimit-Remaining"] == "58"
    assert len(sent) == 1


@on_redis
@pytest.mark.parametrize("order", ["minute first", "hour first"])
def test_of_two_limits_with_as_much_left_the_headers_report_the_one_that_grows_later(clock, order):
    """X-RateLimit-Reset is when Remaining grows again: with 4 left of each, that is when the
    hour's request leaves its window, not the minute's (Remaining would still be 4 then)."""
    request = RequestFactory().get("/", REMOTE_ADDR="10.9.8.5")
    limits = [Limit("tie-minute", "ip", rate="5/m"), Limit("tie-hour", "ip", rate="5/h")]
    assert apply_limits(request, limits if order == "minute first" else limits[::-1]) is None
    assert ratelimit.ratelimit_headers(request) == {
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "4",
        "X-RateLimit-Reset": "3600",
    }


@on_redis
def test_the_script_is_loaded_again_when_redis_has_forgotten_it(key_client, monkeypatch):
    monkeypatch.setattr(ratelimit, "_SLIDING_LOG_SHA", "0" * 40)  # as after a restart or SCRIPT FLUSH
    client = key_client(["users.read"])
    assert [client.get("/v2/probe/coliving")["X-RateLimit-Remaining"] for _ in range(2)] == ["59", "58"]


@pytest.fixture
def redis_down(settings):
    """The cache pointed at a port nothing listens on, configured as settings.py configures it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{port}/0"}}


@on_redis
def test_it_fails_open_when_redis_is_down(key_client, redis_down):
    client = key_client(["users.read"], rate_limit_per_minute=1)
    started = time.monotonic()
    responses = [client.get("/v2/probe/coliving") for _ in range(3)]
    assert [r.status_code for r in responses] == [200] * 3
    assert "X-RateLimit-Limit" not in responses[0]
    assert time.monotonic() - started < 1  # no retrying against a server that refuses connections


@on_redis
def test_it_fails_closed_when_told_to(key_client, redis_down, settings):
    settings.RATELIMIT_FAIL_OPEN = False
    response = key_client(["users.read"]).get("/v2/probe/coliving")
    assert response.status_code == 429
    assert response["Retry-After"] == "1"


def test_a_failing_cache_is_logged_once_a_minute(monkeypatch, caplog):
    """Ops learn that the limiter is not limiting, without a log line per request."""
    clock = SimpleNamespace(monotonic=lambda: 0.0)
    monkeypatch.setattr(ratelimit, "time", clock)
    monkeypatch.setattr(ratelimit, "_last_warning", float("-inf"))
    logged = []
    with caplog.at_level(logging.WARNING, logger=ratelimit.logger.name):
        for now in (1000.0, 1059.0, 1060.0, 1119.0, 1120.0):
            clock.monotonic = lambda now=now: now
            ratelimit._failed(redis.ConnectionError("refused"))
            logged.append(len(caplog.records))
    assert logged == [1, 1, 2, 2, 3]
    assert {record.getMessage() for record in caplog.records} == {
        "Rate limiter: the cache failed (ConnectionError: refused)"
    }


def test_a_keyless_request_skips_a_views_per_key_limit_but_not_those_after_it():
    request = RequestFactory().get("/")
    request.auth = None
    per_key, per_ip = Limit("view-per-key", "key", rate="2/m"), Limit("view-per-ip", "ip", rate="5/m")
    view = SimpleNamespace(extra_rate_limits=(per_key, per_ip))
    assert ratelimit.limits_for(request, view) == [ratelimit.IP_MINUTE, per_ip]


def test_a_limit_without_a_rate_holds_a_keyless_request_to_the_minute_default(settings):
    settings.RATELIMIT_PER_MINUTE = 4
    request = RequestFactory().get("/")
    request.auth = None
    assert Limit("view-per-ip", "ip").resolve_rate(request) == "4/m"


@on_redis
def test_a_failing_redis_is_logged_with_its_error(key_client, redis_down, monkeypatch, caplog):
    monkeypatch.setattr(ratelimit, "_last_warning", float("-inf"))
    with caplog.at_level(logging.WARNING, logger=ratelimit.logger.name):
        assert key_client(["users.read"]).get("/v2/probe/coliving").status_code == 200
    [message] = [record.getMessage() for record in caplog.records if record.name == ratelimit.logger.name]
    assert message.startswith("Rate limiter: the cache failed (ConnectionError: "), message
    assert "Connection refused" in message, message


def test_a_keyless_request_skips_a_views_per_key_limit(api_client):
    """It is refused for want of a key, not broken by a limit that counts per key."""
    response = api_client.post("/v2/probe/limited", {"name": "x", "count": 1}, format="json")
    assert response.status_code == 401


def test_a_view_outside_the_api_goes_through_the_limiter(api_client):
    """The schema views are plain DRF views (no family, no extra limits of their own)."""
    response = api_client.options("/schema")
    assert response.status_code == 200


@pytest.fixture
def local_memory(settings):
    """The cache of `make run` (no REDIS_URL): django-ratelimit's fixed windows, in process."""
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    yield
    caches["default"].clear()


def _start_of_a_window(key, period: int = 60) -> int:
    """Seconds left in the key's current fixed window, after waiting out one about to end
    (at most 3 s, rarely): a window turning mid-test would reset the count."""
    left = _get_window(f"key:{key.pk}", period) - int(time.time())
    if left < 3:
        time.sleep(left + 1)
        left = _get_window(f"key:{key.pk}", period) - int(time.time())
    return left


def test_without_redis_the_fixed_windows_of_django_ratelimit_hold_the_limits(key_client, local_memory):
    client, other = key_client(["users.read"], rate_limit_per_minute=5), key_client(["users.read"])
    left = _start_of_a_window(client.api_key)
    first = client.get("/v2/probe/coliving")
    assert (first["X-RateLimit-Limit"], first["X-RateLimit-Remaining"]) == ("5", "4")
    assert 0 <= int(first["X-RateLimit-Reset"]) <= left
    assert _exhaust(client, "/v2/probe/coliving", 4) == [200] * 4
    refused = client.get("/v2/probe/coliving")
    assert refused.status_code == 429 and refused["X-RateLimit-Remaining"] == "0"
    assert refused.json()["code"] == "rate_limit_exceeded"
    assert 1 <= int(refused["Retry-After"]) <= left
    assert other.get("/v2/probe/coliving")["X-RateLimit-Remaining"] == "59"  # per key, the default


@pytest.fixture
def lost_count(local_memory, monkeypatch):
    """The next count django-ratelimit takes fails: its window's key is gone between the
    cache's ``add`` (which found it) and its ``incr`` (which does not), as when it expires then."""
    cache = caches["default"]
    failures = iter([True])
    add = cache.add
    monkeypatch.setattr(cache, "add", lambda *args, **kwargs: False if next(failures, False) else add(*args, **kwargs))


def test_without_redis_a_count_the_cache_lost_leaves_the_other_limits_counting(lost_count, settings):
    settings.RATELIMIT_FAIL_OPEN = True
    request = RequestFactory().get("/", REMOTE_ADDR="10.9.8.4")
    limits = [Limit("lost-first", "ip", rate="5/m"), Limit("counted-second", "ip", rate="1/m")]
    assert apply_limits(request, limits) is None  # the first limit's count failed open
    assert ratelimit.ratelimit_headers(request)["X-RateLimit-Limit"] == "1"  # the second one counted it
    assert apply_limits(request, limits) is not None


def test_without_redis_a_count_the_cache_lost_fails_closed_when_told_to(lost_count, settings):
    """As on Redis (``_CLOSED``): refused for a second, and the headers say the same second."""
    settings.RATELIMIT_FAIL_OPEN = False
    request = RequestFactory().get("/", REMOTE_ADDR="10.9.8.3")
    assert apply_limits(request, [Limit("lost", "ip", rate="5/m")]) == 1
    assert ratelimit.ratelimit_headers(request) == {
        "X-RateLimit-Limit": "0",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "1",
    }

"""Rate limits, applied after authentication: per key, per client IP, per view.

django-ratelimit's decorators run on ``dispatch``, before DRF has authenticated the
request, so they cannot count per key. Instead a DRF throttle counts the request against
all of its limits at once, once the key is known, and keeps what the ``X-RateLimit-*``
headers report.

The limits (DESIGN.md): 60/min per key on every family (a key's own override replaces
the 60), plus 1000/hour per key on the Coworkies family; public endpoints and failed
authentications are limited per client IP; a view may add its own (``extra_rate_limits``).

**On Redis** (django-redis, what every deployment runs) the limits are **sliding logs**
counted by one Lua script, in **one round trip** for all of a request's limits. Each
limit is a sorted set of the times of the requests it admitted: the script drops the
entries older than the period, counts what is left, and — only if every limit has room —
records the request in all of them. Redis runs a script atomically, so two workers never
both take a limit's last place. So:

- at most N requests are admitted in *any* span of the period, wherever it starts: a
  burst across what would be a window boundary cannot reach twice the limit (django-
  ratelimit's fixed windows let N through at the end of one window and N more at the
  start of the next);
- a refused request uses no quota anywhere (a client retrying too early does not push
  its own wait further, and a request refused by one limit is not counted by another);
- ``Retry-After`` is exact: when the oldest request that must leave the window leaves it.
  ``X-RateLimit-Reset`` is, likewise, the seconds until ``Remaining`` grows again.

Why a log rather than the alternatives: a weighted two-window counter (O(1) memory) still
admits up to about twice the limit over a period to a client that sends its second batch
at the rate the weighting allows, and GCRA (a token bucket) admits a full burst *plus*
the sustained rate, up to 2N in a period by design — "60 per minute" would no longer
mean 60 in any minute. The log's price is memory: up to N entries per key or IP while
it uses its limit — measured, 1.8 KB for a full 60/min log, 120 KB for a full 1000/h one
(past 128 entries Redis leaves its compact encoding). A per-key override of many
thousands per minute would cost that many entries for that key: then a counter would be
the better trade. The clock is Redis's own (``TIME``), one clock for every worker.

**Other cache backends** (locmem, for ``make run`` in one process) keep django-ratelimit's
``get_usage``: fixed windows, which also count refused requests.

If Redis is unreachable the limiter fails open (``RATELIMIT_FAIL_OPEN``, the default):
a Redis outage should not take the whole API down; the request then carries no
``X-RateLimit-*`` headers. With ``RATELIMIT_FAIL_OPEN`` off it fails closed (429).
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from django.conf import settings
from django.core.cache import caches
from django_ratelimit.core import _split_rate, get_usage
from django_redis.cache import RedisCache
from redis.exceptions import NoScriptError, RedisError
from rest_framework.throttling import BaseThrottle

from coliving.api.client_ip import client_ip
from coliving.api.families import Family

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    group: str
    per: Literal["key", "ip"]
    rate: str | None = None  # "10/m"; None: the per-key minute limit (key override aware)
    methods: tuple[str, ...] | None = None  # None: every method
    setting: str | None = None  # read the count from this setting, e.g. "RATELIMIT_PER_MINUTE"
    period: Literal["m", "h"] = "m"  # with ``setting``

    def resolve_rate(self, request) -> str:
        if self.rate:
            return self.rate
        if self.setting:
            return f"{getattr(settings, self.setting)}/{self.period}"
        override = getattr(request.auth, "rate_limit_per_minute", None)
        return f"{override or settings.RATELIMIT_PER_MINUTE}/m"

    def identity(self, request) -> str:
        return f"key:{request.auth.pk}" if self.per == "key" else f"ip:{client_ip(request)}"


KEY_MINUTE = Limit("key-minute", "key")
KEY_HOUR_COWORKIES = Limit("key-hour-coworkies", "key", setting="RATELIMIT_COWORKIES_PER_HOUR", period="h")
IP_MINUTE = Limit("ip-minute", "ip", setting="RATELIMIT_PUBLIC_PER_MINUTE")
AUTH_FAILURE_IP = Limit("auth-failure-ip", "ip", setting="RATELIMIT_PUBLIC_PER_MINUTE")


def limits_for(request, view) -> list[Limit]:
    limits: list[Limit] = []
    if request.auth is not None:
        limits.append(KEY_MINUTE)
        if view.family is Family.COWORKIES:  # a key is only ever authenticated for an ApiView
            limits.append(KEY_HOUR_COWORKIES)
    else:
        limits.append(IP_MINUTE)
    for limit in getattr(view, "extra_rate_limits", ()):
        if limit.per == "key" and request.auth is None:
            continue
        if limit.methods is None or request.method in limit.methods:
            limits.append(limit)
    return limits


# (limit, remaining, seconds until Remaining grows / until a refused request may retry)
State = tuple[int, int, int]
_CLOSED: State = (0, 0, 1)  # the cache failed and RATELIMIT_FAIL_OPEN is off: refuse, retry in 1 s


def apply_limits(request, limits: list[Limit]) -> int | None:
    """Count this request against ``limits``; return seconds to wait if any is exceeded.

    The tightest limit (fewest remaining; of as many, the one that resets last, since only
    then does Remaining grow) is kept on the request for the response headers; on a
    refusal, the limit that blocks longest.
    """
    if not limits or not settings.RATELIMIT_ENABLE:
        return None
    cache = caches[settings.RATELIMIT_USE_CACHE]
    if isinstance(cache, RedisCache):
        states = _count_on_redis(cache, request, limits)
    else:
        states = _count_with_django_ratelimit(request, limits)
    if not states:  # the cache failed and the limiter fails open
        return None
    tightest: State | None = None
    exceeded: State | None = None
    for state, blocked in states:
        if tightest is None or (state[1], -state[2]) < (tightest[1], -tightest[2]):
            tightest = state
        if blocked and (exceeded is None or state[2] > exceeded[2]):
            exceeded = state  # the limit that blocks longest decides Retry-After and the headers
    if exceeded is not None:
        request._ratelimit = exceeded
        return max(1, exceeded[2])
    request._ratelimit = tightest
    return None


_last_warning = float("-inf")


def _failed(exc: Exception) -> list[tuple[State, bool]]:
    global _last_warning
    if time.monotonic() - _last_warning >= 60:  # once a minute per process, not once per request
        _last_warning = time.monotonic()
        logger.warning("Rate limiter: the cache failed (%s: %s)", type(exc).__name__, exc)
    if settings.RATELIMIT_FAIL_OPEN:
        return []
    return [(_CLOSED, True)]


# --- Redis: one script, one round trip ---------------------------------------------------------

# KEYS: one sorted set per limit. ARGV[1]: the clock in ms (0: Redis's own TIME; tests pass
# one), then per limit its maximum and its period in ms. Returns {admitted, then per limit
# its count (this request included if admitted) and the ms until the entry that must leave
# for the limit to grow (admitted) or to admit (refused) leaves}. Lua 5.1 prints numbers
# with 14 significant digits: milliseconds since 1970 (13 digits) stay exact in members.
_SLIDING_LOG = """
local now = tonumber(ARGV[1])
if now == 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local n = #KEYS
local counts = {}
local admitted = 1
for i = 1, n do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - tonumber(ARGV[2 * i + 1]))
  counts[i] = redis.call('ZCARD', KEYS[i])
  if counts[i] >= tonumber(ARGV[2 * i]) then admitted = 0 end
end
local result = {admitted}
for i = 1, n do
  local key, limit, period = KEYS[i], tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local count = counts[i]
  if admitted == 1 then
    -- Unique: two requests in the same millisecond find different counts.
    redis.call('ZADD', key, now, now .. '.' .. count)
    redis.call('PEXPIRE', key, period)
    count = count + 1
  end
  local wait = 0
  if count > 0 then
    local first = count - limit
    if first < 0 then first = 0 end
    local entry = redis.call('ZRANGE', key, first, first, 'WITHSCORES')
    wait = tonumber(entry[2]) + period - now
  end
  result[2 * i] = count
  result[2 * i + 1] = wait
end
return result
"""
_SLIDING_LOG_SHA = hashlib.sha1(_SLIDING_LOG.encode()).hexdigest()  # noqa: S324 — Redis names scripts by SHA-1


@lru_cache(maxsize=256)
def _rate(rate: str) -> tuple[int, int]:
    """``"60/m"`` → ``(60, 60_000)``: the count and the period in ms."""
    count, seconds = _split_rate(rate)
    return count, seconds * 1000


def _clock_ms() -> int:
    """The time the script counts at, in ms; 0 lets Redis use its own clock. Tests replace it."""
    return 0


def _count_on_redis(cache: RedisCache, request, limits: list[Limit]) -> list[tuple[State, bool]]:
    keys: list[str] = []
    args: list[int] = [_clock_ms()]
    for limit in limits:
        count, period_ms = _rate(limit.resolve_rate(request))
        # The period is part of the name: a log kept for another period is another limit.
        keys.append(cache.make_key(f"rl:{limit.group}:{period_ms // 1000}:{limit.identity(request)}"))
        args += (count, period_ms)
    try:
        client = cache.client.get_client(write=True)
        try:
            reply = client.evalsha(_SLIDING_LOG_SHA, len(keys), *keys, *args)
        except NoScriptError:  # Redis restarted or its script cache was flushed: EVAL loads it again
            reply = client.eval(_SLIDING_LOG, len(keys), *keys, *args)
    except (RedisError, OSError) as exc:
        return _failed(exc)
    blocked = not reply[0]
    states = []
    for index in range(len(limits)):
        count, wait_ms = int(reply[1 + 2 * index]), int(reply[2 + 2 * index])
        maximum = args[1 + 2 * index]
        state = (maximum, max(0, maximum - count), -(-wait_ms // 1000))
        states.append((state, blocked and count >= maximum))
    return states


# --- other caches: django-ratelimit's fixed windows ---------------------------------------------


def _count_with_django_ratelimit(request, limits: list[Limit]) -> list[tuple[State, bool]]:
    states = []
    for limit in limits:
        usage = get_usage(
            request,
            group=limit.group,
            key=lambda group, request, limit=limit: limit.identity(request),
            rate=limit.resolve_rate(request),
            increment=True,
        )
        if usage is None:  # the cache failed with RATELIMIT_FAIL_OPEN
            continue
        # time_left is whole seconds to the window's last one (0 within it; -1 from a count that
        # failed closed): the count resets within the second after, so never report less than 1
        # (what the Redis path and Retry-After say too).
        state = (usage["limit"], max(0, usage["limit"] - usage["count"]), max(1, usage["time_left"]))
        states.append((state, usage["should_limit"]))
    return states


class KeyRateThrottle(BaseThrottle):
    """The DRF face of ``apply_limits``."""

    def allow_request(self, request, view) -> bool:
        self._wait = apply_limits(request, limits_for(request, view))
        return self._wait is None

    def wait(self):
        return self._wait


def ratelimit_headers(request) -> dict[str, str]:
    state = getattr(request, "_ratelimit", None)
    if state is None:
        return {}
    limit, remaining, reset = state
    return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(remaining), "X-RateLimit-Reset": str(reset)}

"""Rate limits on django-ratelimit's shared counters, applied after authentication.

django-ratelimit's decorators run on ``dispatch``, before DRF has authenticated the
request, so they cannot count per key. Instead a DRF throttle calls
``django_ratelimit.core.get_usage`` — one call per limit, which both counts and tells
what the ``X-RateLimit-*`` headers report — once the key is known.

The limits (DESIGN.md): 60/min per key on every family (a key's own override replaces
the 60), plus 1000/hour per key on the Coworkies family; public endpoints and failed
authentications are limited per client IP; a view may add its own (``extra_rate_limits``).
Windows are django-ratelimit's fixed windows, so a burst across a boundary can reach twice
the limit; if the cache is unreachable the limiter fails open (``RATELIMIT_FAIL_OPEN``),
because a Redis outage should not take the whole API down.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django_ratelimit.core import get_usage
from rest_framework.throttling import BaseThrottle

from coliving.api.families import Family


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


KEY_MINUTE = Limit("key-minute", "key")
KEY_HOUR_COWORKIES = Limit("key-hour-coworkies", "key", setting="RATELIMIT_COWORKIES_PER_HOUR", period="h")
IP_MINUTE = Limit("ip-minute", "ip", setting="RATELIMIT_PUBLIC_PER_MINUTE")
AUTH_FAILURE_IP = Limit("auth-failure-ip", "ip", setting="RATELIMIT_PUBLIC_PER_MINUTE")


def _key_value(group, request) -> str:
    return f"key:{request.auth.pk}"


def limits_for(request, view) -> list[Limit]:
    limits: list[Limit] = []
    if request.auth is not None:
        limits.append(KEY_MINUTE)
        if getattr(view, "family", None) is Family.COWORKIES:
            limits.append(KEY_HOUR_COWORKIES)
    else:
        limits.append(IP_MINUTE)
    for limit in getattr(view, "extra_rate_limits", ()):
        if limit.per == "key" and request.auth is None:
            continue
        if limit.methods is None or request.method in limit.methods:
            limits.append(limit)
    return limits


def apply_limits(request, limits: list[Limit]) -> int | None:
    """Count this request against ``limits``; return seconds to wait if any is exceeded.

    The tightest limit (fewest remaining) is kept on the request for the response headers.
    """
    wait: int | None = None
    tightest = None  # (limit, remaining, reset) for the headers
    exceeded = None
    for limit in limits:
        rate = limit.resolve_rate(request)
        usage = get_usage(
            request,
            group=limit.group,
            key=_key_value if limit.per == "key" else "ip",
            rate=rate,
            increment=True,
        )
        if usage is None:  # limiter disabled or cache down with RATELIMIT_FAIL_OPEN
            continue
        state = (usage["limit"], max(0, usage["limit"] - usage["count"]), max(0, usage["time_left"]))
        if tightest is None or state[1] < tightest[1]:
            tightest = state
        if usage["should_limit"] and (exceeded is None or state[2] > exceeded[2]):
            exceeded = state  # the limit that blocks longest decides Retry-After and the headers
    if exceeded is not None:
        tightest = exceeded
        wait = max(1, exceeded[2])
    if tightest is not None:
        request._ratelimit = tightest
    return wait


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

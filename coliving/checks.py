"""System checks for how the platform is deployed (``manage.py check --deploy``)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

SHARED_CACHE_BACKENDS = ("django_redis.cache.RedisCache", "django.core.cache.backends.redis.RedisCache")


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    # Rate-limit counters live in the cache. A per-process cache counts each gunicorn
    # worker alone: with 2 workers, 61 calls a minute all pass a 60/min limit (measured).
    if settings.DEBUG or settings.SINGLE_PROCESS:
        return []
    if settings.CACHES["default"]["BACKEND"] in SHARED_CACHE_BACKENDS:
        return []
    return [
        checks.Error(
            "No shared cache: without REDIS_URL every server process keeps its own rate-limit counters, "
            "so with more than one process the limits do not hold.",
            hint="Set REDIS_URL (docker compose does), or set SINGLE_PROCESS=1 if this instance really runs "
            "one server process (gunicorn with WEB_CONCURRENCY=1).",
            id="coliving.E001",
        )
    ]

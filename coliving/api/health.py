"""``GET /v2/health``: is the process, its database and its Redis working? (public)

503 with the same body when the database cannot be reached, so a load balancer takes the
instance out; Redis is reported but optional (``not_configured`` without ``REDIS_URL``).
"""

from __future__ import annotations

import os
import platform
import resource
import sys

import django
from django.conf import settings
from django.db import connection
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers

from coliving.api.base import ApiView
from coliving.api.families import Family


def _database() -> dict[str, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"
        return {"status": "error", "vendor": connection.vendor, "error": exc.__class__.__name__}
    return {"status": "connected", "vendor": connection.vendor}


def _redis() -> dict[str, str]:
    if not settings.REDIS_URL:
        return {"status": "not_configured"}
    try:
        from django_redis import get_redis_connection

        info = get_redis_connection("default").info("server")
    except Exception as exc:
        return {"status": "error", "error": exc.__class__.__name__}
    return {"status": "connected", "version": str(info.get("redis_version", ""))}


def _memory_usage() -> int:
    """Resident set size in bytes (peak RSS where the current one cannot be read)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


HEALTH = inline_serializer(
    "Health",
    {
        "success": serializers.BooleanField(),
        "status": serializers.IntegerField(),
        "data": inline_serializer(
            "HealthData",
            {
                "status": serializers.ChoiceField(choices=["ok", "degraded", "down"]),
                "python_version": serializers.CharField(),
                "django_version": serializers.CharField(),
                "memory_usage": serializers.IntegerField(),
                "database": serializers.DictField(child=serializers.CharField()),
                "redis": serializers.DictField(child=serializers.CharField()),
            },
        ),
    },
)


class HealthView(ApiView):
    """Status of the API, its database and Redis."""

    family = Family.COWORKIES
    public = True

    @extend_schema(
        operation_id="health",
        tags=["meta"],
        responses={
            (200, "application/json"): HEALTH,
            # The same body, so that a load balancer reads why: no Retry-After, unlike other 503s.
            (503, "application/json"): OpenApiResponse(HEALTH, description="The database cannot be reached"),
        },
    )
    def get(self, request):
        database, redis = _database(), _redis()
        if database["status"] != "connected":
            status_text, http_status = "down", 503
        elif redis["status"] == "error":
            status_text, http_status = "degraded", 200
        else:
            status_text, http_status = "ok", 200
        body = {
            "status": status_text,
            "python_version": platform.python_version() or sys.version.split()[0],
            "django_version": django.get_version(),
            "memory_usage": _memory_usage(),
            "database": database,
            "redis": redis,
        }
        response = self.respond(body, status=http_status)
        response.data["success"] = http_status == 200
        response["Cache-Control"] = "no-store"
        return response

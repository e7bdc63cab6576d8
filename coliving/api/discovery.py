"""``GET /v2``: the API's name, version and endpoint list, read from the URL configuration.

Nothing here is hand-kept: every DRF view routed under ``/v2`` is listed with the HTTP
methods it answers, so a new endpoint appears the moment it is routed.
"""

from __future__ import annotations

import re
from functools import cache

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers

from coliving.api.base import ApiView
from coliving.api.families import Family

_HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def _walk(patterns, prefix: str = ""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _named_groups_to_braces(route: str) -> str:
    """``(?P<subdomain>[a-z](?:[-a-z]{0,61}))`` → ``{subdomain}``, nested groups included."""
    out, index = [], 0
    for match in re.finditer(r"\(\?P<(\w+)>", route):
        if match.start() < index:
            continue  # a group inside a named group already replaced
        out.append(route[index : match.start()] + "{" + match.group(1) + "}")
        depth, index = 1, match.end()
        while index < len(route) and depth:
            if route[index] == "\\":
                index += 1  # an escaped character, e.g. \(
            elif route[index] == "(":
                depth += 1
            elif route[index] == ")":
                depth -= 1
            index += 1
    return "".join(out) + route[index:]


def _readable(route: str) -> str:
    """``^v2/bookings/<id:pk>/cancel`` → ``/v2/bookings/{pk}/cancel``;
    ``^spaces/(?P<subdomain>…)/api/bookings`` → ``/spaces/{subdomain}/api/bookings``."""
    route = _named_groups_to_braces(route)  # regex groups first: they hold <…>
    route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
    route = route.replace("\\Z", "").replace("/?", "/").replace("^", "").replace("$", "")
    route = route.replace("\\.", ".").rstrip("/")
    return "/" + route if route else "/"


def _methods(callback) -> list[str]:
    actions = getattr(callback, "actions", None)
    if actions:  # a viewset: the router told it which methods map to actions
        return sorted(method.upper() for method in actions)
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view_class is None:
        return []
    return [method.upper() for method in _HTTP_METHODS if hasattr(view_class, method)]


@cache
def endpoints() -> list[dict[str, object]]:
    seen: dict[str, set[str]] = {}
    for route, callback in _walk(get_resolver().url_patterns):
        if getattr(callback, "cls", None) is None:
            continue  # not a DRF view (admin, catch-alls)
        path = _readable(route)
        if not path.startswith("/v2"):
            continue
        seen.setdefault(path, set()).update(_methods(callback))
    return [{"path": path, "methods": sorted(methods)} for path, methods in sorted(seen.items()) if methods]


class ApiRootView(ApiView):
    """API information and the list of endpoints (public)."""

    family = Family.COWORKIES
    public = True

    @extend_schema(
        operation_id="api_info",
        tags=["meta"],
        responses=inline_serializer(
            "ApiInfo",
            {
                "success": serializers.BooleanField(),
                "status": serializers.IntegerField(),
                "data": inline_serializer(
                    "ApiInfoData",
                    {
                        "name": serializers.CharField(),
                        "version": serializers.CharField(),
                        "documentation": serializers.CharField(),
                        "endpoints": inline_serializer(
                            "ApiEndpoint",
                            {
                                "path": serializers.CharField(),
                                "methods": serializers.ListField(child=serializers.CharField()),
                            },
                            many=True,
                        ),
                    },
                ),
            },
        ),
    )
    def get(self, request):
        return self.respond(
            {
                "name": settings.SPECTACULAR_SETTINGS["TITLE"],
                "version": settings.SPECTACULAR_SETTINGS["VERSION"],
                "documentation": request.build_absolute_uri("/schema/swagger-ui/"),
                "endpoints": endpoints(),
            }
        )

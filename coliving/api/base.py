"""Base classes every API view builds on.

They add to DRF's ``APIView``: the family the view belongs to (its wire shape), the
scopes it needs (``read_scope`` / ``write_scope``, see ``permissions.py``), the order
authentication → rate limits → permissions (so that every request by a key counts, even
one refused for a missing scope, and failed authentications are limited per IP), the
``X-RateLimit-*`` headers, and the success envelope (``self.respond``).
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, generics, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from coliving.api.families import NO_DATA, Family
from coliving.api.ratelimit import AUTH_FAILURE_IP, apply_limits, ratelimit_headers
from coliving.api.routing import SPACE_KWARG


class FamilyMixin:
    family: Family = Family.COLIVING
    public: bool = False
    any_key: bool = False
    read_scope: str | tuple[str, ...] | None = None
    write_scope: str | tuple[str, ...] | None = None
    extra_rate_limits: tuple = ()
    # The serializer that parses the request body; domain errors (``InvalidInput``) are
    # rendered through its fields' names, and the schema documents it as the request.
    input_serializer_class: type | None = None

    @property
    def accepts_query_key(self) -> bool:
        return self.family is Family.COWORKIES

    def dispatch(self, request, *args, **kwargs):
        # The Cobot family's space comes from the path (/spaces/<subdomain>/api/…) or the
        # host (<subdomain>.<SPACES_DOMAIN>); handlers never take it as an argument.
        self.space_subdomain = kwargs.pop(SPACE_KWARG, None) or getattr(request, "space_subdomain", None)
        return super().dispatch(request, *args, **kwargs)

    def get_authenticators(self):
        # Public endpoints ignore credentials: a stale key sent by habit must not turn a
        # health check or a newsletter sign-up into a 401.
        return [] if self.public else super().get_authenticators()

    def initial(self, request, *args, **kwargs) -> None:
        # DRF's APIView.initial, with throttles before permissions (see module docstring).
        self.format_kwarg = self.get_format_suffix(**kwargs)
        neg = self.perform_content_negotiation(request)
        request.accepted_renderer, request.accepted_media_type = neg
        version, scheme = self.determine_version(request, *args, **kwargs)
        request.version, request.versioning_scheme = version, scheme
        if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get("QUERY_STRING", ""):
            raise exceptions.ParseError("Malformed query string: NUL characters are not allowed.")
        try:
            self.perform_authentication(request)
        except exceptions.AuthenticationFailed:
            wait = apply_limits(request, [AUTH_FAILURE_IP])
            if wait is not None:
                raise exceptions.Throttled(wait=wait) from None
            raise
        self.check_throttles(request)
        self.check_permissions(request)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in ratelimit_headers(request).items():
            response[name] = value
        return response

    def respond(self, data: Any = NO_DATA, *, status: int = 200, message: str | None = None, headers=None) -> Response:
        return Response(self.family.success(data, status=status, message=message), status=status, headers=headers)


class ApiView(FamilyMixin, APIView):
    pass


class ApiGenericView(FamilyMixin, generics.GenericAPIView):
    pass


class ApiViewSet(FamilyMixin, viewsets.GenericViewSet):
    pass

"""Base classes every API view builds on.

They add to DRF's ``APIView``: the family the view belongs to (its wire shape), the
scopes it needs (``read_scope`` / ``write_scope``, see ``permissions.py``), whose rows it
reaches (``tenancy``, see ``tenancy.py``: applied by ``get_queryset()`` and the one object
lookup, ``get_object()``), the order authentication → rate limits → permissions (so that
every request by a key counts, even one refused for a missing scope, and failed
authentications are limited per IP), the ``X-RateLimit-*`` headers, and the success
envelope (``self.respond``).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from rest_framework import exceptions, generics, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from coliving.api.errors import Forbidden, NotFound
from coliving.api.families import NO_DATA, Family
from coliving.api.ratelimit import AUTH_FAILURE_IP, apply_limits, ratelimit_headers
from coliving.api.routing import SPACE_KWARG
from coliving.api.tenancy import Tenancy, Tenant, space_tenant


class FamilyMixin:
    family: Family = Family.COLIVING
    public: bool = False
    any_key: bool = False
    read_scope: str | tuple[str, ...] | None = None
    write_scope: str | tuple[str, ...] | None = None
    extra_rate_limits: tuple = ()
    # Whose rows the view reaches (coliving/api/tenancy.py); every non-public view declares it.
    tenancy: Tenancy | None = None
    # What a missing or someone else's object is called in the 404 (the spec's own words).
    not_found_message: str = "Not found"
    # Where a spec answers 403 for an object that exists but belongs to another tenant (the
    # Coworkies jobs of another space), the message; None: such an object is a plain 404.
    foreign_object_message: str | None = None
    # The serializer that parses the request body; domain errors (``InvalidInput``) are
    # rendered through its fields' names, and the schema documents it as the request.
    input_serializer_class: type | None = None
    # OPTIONS answers with the Allow header only (no DRF metadata: it would describe
    # serializers to anyone and build them for every view).
    metadata_class = None

    @property
    def accepts_query_key(self) -> bool:
        return self.family is Family.COWORKIES

    def dispatch(self, request, *args, **kwargs):
        # The Cobot family's space comes from the path (/spaces/<subdomain>/api/…) or the
        # host (<subdomain>.<SPACES_DOMAIN>); handlers never take it as an argument.
        self.space_subdomain = kwargs.pop(SPACE_KWARG, None) or getattr(request, "space_subdomain", None)
        return super().dispatch(request, *args, **kwargs)

    def get_parsers(self):
        # The coliving documents only ever send JSON (a booking's, a user's meta are objects): a
        # form or multipart body is 415 in the family's shape, and the schema shows one content type.
        parsers = super().get_parsers()
        if self.family is Family.COLIVING:
            parsers = [parser for parser in parsers if parser.media_type == "application/json"]
        return parsers

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
        method = request.method.lower()
        if method == "options":
            return  # the Allow header, for anyone (a CORS preflight carries no key)
        if method not in self.http_method_names or not hasattr(self, method):
            # Before authentication: an unsupported method is 405 (with Allow) for everyone,
            # never a 401 or a 403 "not available to API keys".
            raise exceptions.MethodNotAllowed(request.method)
        try:
            self.perform_authentication(request)
        except exceptions.AuthenticationFailed:
            wait = apply_limits(request, [AUTH_FAILURE_IP])
            if wait is not None:
                raise exceptions.Throttled(wait=wait) from None
            raise
        self.check_throttles(request)
        self.check_permissions(request)
        self.check_tenancy(request)

    def options(self, request, *args, **kwargs):
        return Response(status=204)  # DRF adds Allow from the handlers this view has

    def check_tenancy(self, request) -> None:
        """Bind ``request.tenant``; refuse a space-bound key on an ``"owner"`` view whose rows
        have no space (only ``any_key`` views, which read nothing but the key's own owner —
        ``/v2/me`` —, let any key through).

        A ``"space"`` view reached for a space (the Cobot family) acts in that space as the
        key owner's membership there (``space_tenant``: unknown space 404, a key bound to
        another space or an owner who is no member 403).

        A sandbox request (``Tenant.sandbox``) that passes all that gets its owner's
        sandbox data set seeded on first use (``bookings/sandbox.py``)."""
        request.tenant = Tenant.of(request)
        if self.tenancy == "space" and self.space_subdomain is not None:
            request.tenant = space_tenant(request.tenant, self.space_subdomain)
            return
        if request.tenant is None:
            return
        if request.tenant.space_id is not None and self.tenancy == "owner" and not self.any_key:
            if getattr(getattr(self, "queryset", None), "space_lookup", None) is None:
                raise exceptions.PermissionDenied("This API key is bound to a space and cannot reach this endpoint.")
        if request.tenant.sandbox:
            # A sandbox request (/v2/sandbox/…) finds the owner's sandbox data set seeded.
            apps.get_model("bookings", "SandboxDataSet").objects.ensure(request.tenant.owner)

    def tenant_queryset(self, queryset):
        """``queryset`` narrowed to what this request's tenant may reach (the view's tenancy)."""
        return queryset.for_tenant(getattr(self.request, "tenant", None), self.tenancy)

    def get_queryset(self):
        return self.tenant_queryset(super().get_queryset())

    def get_object(self):
        """The one object lookup: the tenant's queryset, the ``<id:…>`` converter's value, the
        view's 404 message for a missing, malformed or someone else's id."""
        value = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field)
        if value is None:
            raise NotFound(self.not_found_message)
        try:
            obj = self.get_queryset().get(**{self.lookup_field: value})
        except ObjectDoesNotExist:
            if self.foreign_object_message and super().get_queryset().filter(**{self.lookup_field: value}).exists():
                raise Forbidden(self.foreign_object_message) from None
            raise NotFound(self.not_found_message) from None
        self.check_object_permissions(self.request, obj)
        return obj

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

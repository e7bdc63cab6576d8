"""The listings endpoints of the coliving family.

- ``GET /v2/listings`` — Partner API, "List Listings" (``shared/spec/coliving-partner-api.txt``);
- ``GET /v2/integrations/{provider}/listings/{listing_id}/room-types``,
  ``POST /v2/integrations/{provider}/availability``, ``POST …/rates`` — Integrations API
  (``shared/spec/coliving-integrations-api.txt``);
- ``POST /v2/integrations/{provider}/provider-key`` — ``shared/spec/reference-notes.md``.

Every view declares ``tenancy = "owner"``: the base view narrows its queryset to the API
key's owner (listings it hosts or was granted) and refuses space-bound keys. Views parse
with an input serializer, call a service and answer; the reads render ``.values()`` rows.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema

from apikeys.providers import ProviderMixin
from coliving.api.base import ApiGenericView, ApiView
from coliving.api.errors import Unprocessable
from coliving.api.families import dotted
from coliving.api.idempotency import idempotent
from coliving.api.pagination import PagePagination
from coliving.api.parsers import JSONParser
from coliving.api.schema import ColivingError
from listings import limits, services
from listings.api import serializers as s
from listings.filters import ListingFilterSet
from listings.models import Listing, RoomType
from listings.querysets import LISTING_NOT_FOUND, with_room_types


def _error(description: str, example: dict | None = None) -> OpenApiResponse:
    examples = [OpenApiExample(description, value=example, response_only=True)] if example else []
    return OpenApiResponse(ColivingError, description=description, examples=examples)


PUSH_ERRORS = {
    403: _error(
        "Missing scope, a key bound to another provider, or listings the key's owner may not use",
        {
            "success": False,
            "error": "Unauthorized access to listings",
            "code": "unauthorized_listings",
            "details": {"unauthorized_listing_ids": [5325]},
        },
    ),
    404: _error("Unsupported provider"),
    422: _error(
        "A room type that is not of its listing",
        {
            "success": False,
            "error": "Invalid room types for listings",
            "code": "invalid_room_types",
            "details": {"invalid_room_types": [{"listing_id": 5325, "room_type_id": 999}]},
        },
    ),
}


class ListingListView(ApiGenericView):
    """The key owner's listings — hosted or granted by staff — with their room types."""

    read_scope = "listings.read"
    tenancy = "owner"
    queryset = Listing.objects.order_by("id")
    pagination_class = PagePagination
    filterset_class = ListingFilterSet

    def filter_queryset(self, queryset):
        # Building the FilterSet costs more than the rest of the view's Python; skip it
        # when no filter is asked for (the common poll).
        if not any(name in self.request.query_params for name in ListingFilterSet.base_filters):
            return queryset
        return super().filter_queryset(queryset)

    @extend_schema(
        operation_id="listings_list",
        tags=["listings"],
        summary="List Listings",
        responses={200: s.ListingSerializer(many=True), 400: _error("A bad query parameter (page, per_page, status)")},
    )
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()).summaries())
        return self.get_paginated_response(with_room_types(page))


class RoomTypeListView(ProviderMixin, ApiGenericView):
    """A listing's room types with their prices: the source of truth for ``room_type_id``."""

    read_scope = "listings.read"
    tenancy = "owner"
    queryset = Listing.objects.only("pk")
    lookup_url_kwarg = "listing_id"
    not_found_message = LISTING_NOT_FOUND

    @extend_schema(
        operation_id="integrations_room_types_list",
        tags=["integrations"],
        summary="List Room Types",
        responses={
            200: s.RoomTypeListSerializer,
            404: _error(LISTING_NOT_FOUND, {"success": False, "error": LISTING_NOT_FOUND, "code": "not_found"}),
        },
    )
    def get(self, request, provider: str, listing_id: int):
        listing = self.get_object()
        return self.respond({"room_types": RoomType.objects.filter(listing_id=listing.pk).integration_rows()})


class AvailabilityUpdateView(ProviderMixin, ApiView):
    """Set the units still sellable per room type per night, for date ranges (all or nothing)."""

    write_scope = "listings.write"
    tenancy = "owner"
    queryset = RoomType.objects.all()  # written by the service, which checks the owner's listings
    parser_classes = [JSONParser]  # a list of objects has no form encoding
    input_serializer_class = s.AvailabilityUpdateSerializer

    @extend_schema(
        operation_id="integrations_availability_update",
        tags=["integrations"],
        summary="Update Availability",
        description=(
            "Each item sets `available` on every night from `start_date` to `end_date` (inclusive) of one "
            f"room type. 1 to {limits.MAX_ITEMS} items; dates from today to {limits.MAX_DAYS_AHEAD} days "
            "ahead; `available` between 0 and the room type's `amount`. Items that overlap apply in order (the "
            "later wins). Bookings made on the platform then take units from the pushed value. All or nothing: "
            "any error and nothing is written."
        ),
        request=s.AvailabilityUpdateSerializer,
        responses={200: s.MessageSerializer, **PUSH_ERRORS},
        examples=[
            OpenApiExample(
                "Update Availability",
                request_only=True,
                value={
                    "data": [
                        {
                            "listing_id": "5325",
                            "room_type_id": "38753",
                            "available": 3,
                            "start_date": "2024-05-01",
                            "end_date": "2024-05-31",
                        }
                    ]
                },
            ),
            OpenApiExample(
                "Updated",
                response_only=True,
                value={"success": True, "message": "Availability updated successfully"},
            ),
        ],
    )
    @idempotent
    def post(self, request, provider: str):
        body = s.AvailabilityUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.availability_update(owner=request.user, items=body.validated_data["items"])
        return self.respond(message="Availability updated successfully")


class RatesUpdateView(ProviderMixin, ApiView):
    """Set room types' monthly prices and currency (all or nothing)."""

    write_scope = "listings.write"
    tenancy = "owner"
    queryset = RoomType.objects.all()  # written by the service, which checks the owner's listings
    parser_classes = [JSONParser]
    input_serializer_class = s.RatesUpdateSerializer

    @extend_schema(
        operation_id="integrations_rates_update",
        tags=["integrations"],
        summary="Update Rates",
        description=(
            "Each item sets `base_price` and/or monthly overrides `price_jan` … `price_dec` (null clears an "
            "override) and optionally `currency` of one room type; at least one price per item, each at least "
            f"0. 1 to {limits.MAX_ITEMS} items; items for the same room type apply in order. All or nothing."
        ),
        request=s.RatesUpdateSerializer,
        responses={200: s.MessageSerializer, **PUSH_ERRORS},
        examples=[
            OpenApiExample(
                "Update Rates",
                request_only=True,
                value={"data": [{"listing_id": "5325", "room_type_id": "38753", "base_price": 800, "currency": "EUR"}]},
            ),
            OpenApiExample(
                "Updated", response_only=True, value={"success": True, "message": "Rates updated successfully"}
            ),
            OpenApiExample(
                "Validation Error",
                response_only=True,
                status_codes=["400"],
                value={
                    "success": False,
                    "error": "Validation Error",
                    "code": "validation_error",
                    "details": {"data.0.base_price": ["The base_price must be at least 0."]},
                },
            ),
        ],
    )
    @idempotent
    def post(self, request, provider: str):
        body = s.RatesUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.rates_update(owner=request.user, items=body.validated_data["items"])
        return self.respond(message="Rates updated successfully")


class ProviderKeyView(ProviderMixin, ApiView):
    """Store the host's own key at the provider for the calling key's owner.

    Only a SHA-256 digest and the last four characters are kept: the platform references
    the key (to recognise the account, to refuse linking one key to two accounts), it
    never calls the provider with it.
    """

    write_scope = "listings.write"
    tenancy = "owner"  # links the key owner's own account

    @extend_schema(
        operation_id="integrations_provider_key_set",
        tags=["integrations"],
        summary="Store the provider's API key",
        request=s.ProviderKeySerializer,
        responses={
            200: s.ProviderKeyLinkSerializer,
            404: _error("Unsupported provider"),
            409: _error("The provider key is already linked to another account"),
            422: _error("provider_api_key is missing or invalid"),
        },
    )
    @idempotent
    def post(self, request, provider: str):
        body = s.ProviderKeySerializer(data=request.data)
        if not body.is_valid():
            raise Unprocessable("Validation Error", details=dotted(body.errors))
        status = services.provider_key_set(
            owner=request.user,
            provider=self.provider,
            raw_key=body.validated_data["provider_api_key"],
            api_key=request.auth,
        )
        return self.respond({"status": status})

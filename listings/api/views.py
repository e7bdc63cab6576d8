"""The listings endpoints of the coliving family.

- ``GET /v2/listings`` — Partner API, "List Listings" (``shared/spec/coliving-partner-api.txt``);
- ``GET /v2/listings/{id}``, ``POST /v2/listings`` — a listing in the host JSON feed's shape
  (``shared/spec/coliving-json-feed.txt``; ``reference-notes.md``: "POST /listings exists");
- ``GET /v2/integrations/{provider}/listings/{listing_id}/room-types``,
  ``POST /v2/integrations/{provider}/availability``, ``POST …/rates`` — Integrations API
  (``shared/spec/coliving-integrations-api.txt``);
- ``POST /v2/integrations/{provider}/provider-key`` — ``shared/spec/reference-notes.md``.

Every view declares ``tenancy = "owner"``: the base view narrows its queryset to the API
key's owner (listings it hosts or was granted) and refuses space-bound keys. Views parse
with an input serializer, call a service and answer; the reads render ``.values()`` rows.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, PolymorphicProxySerializer, extend_schema

from apikeys.providers import ProviderMixin
from coliving.api.base import ApiGenericView, ApiView, ApiViewSet
from coliving.api.errors import FieldError, InvalidInput, Unprocessable
from coliving.api.families import dotted
from coliving.api.idempotency import idempotent
from coliving.api.pagination import LinkHeaderPagination
from coliving.api.parsers import JSONParser
from coliving.api.schema import ColivingError
from listings import limits, services
from listings.api import serializers as s
from listings.feed import docs
from listings.feed.export import export_queryset, listing_export
from listings.feed.schema import ListingFeedSerializer
from listings.feed.sync import ImportReport, feed_import
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


def _dotted(path: tuple) -> str:
    return ".".join(map(str, path)) or "non_field_errors"


def _messages(errors: list[FieldError]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for error in errors:
        out.setdefault(_dotted(error.path), []).append(error.message)
    return out


def import_report(report: ImportReport) -> dict:
    """The body of ``POST /v2/listings``: one item per listing sent, and the counts."""
    return {
        "listings": [
            {
                "index": result.index,
                "original_id": result.original_id,
                "listing_id": result.listing_id,
                "action": result.action,
                "errors": _messages(result.errors),
                "warnings": _messages(result.warnings),
            }
            for result in report.results
        ],
        "counts": report.counts(),
    }


def _documents(data) -> tuple[list, bool]:
    """The listings a request body carries, and whether it was the ``{"listings": [...]}`` form."""
    if not isinstance(data, dict):
        raise InvalidInput.single((), 'Send one listing object, or {"listings": [...]}.', "type")
    if "listings" not in data:
        return [data], False
    listings = data["listings"]
    if not isinstance(listings, list) or not 1 <= len(listings) <= limits.MAX_FEED_LISTINGS:
        message = f"Must be a list of 1 to {limits.MAX_FEED_LISTINGS} listings."
        raise InvalidInput.single(("listings",), message, "invalid")
    return listings, True


IMPORT_DESCRIPTION = (
    "Create or update listings from the host JSON feed's shape (field guide: `/json/docs`, example: "
    "`/json/import`).\n\n"
    f'Send one listing object, or `{{"listings": [...]}}` with 1 to {limits.MAX_FEED_LISTINGS}. Each listing is '
    "matched among the listings **your key's owner hosts** by `original_id`, else `original_url`, else its name "
    "(reported as a warning), and applied in full or not at all: a listing with errors is not touched (its previous "
    "version stays live) while the others apply. Room types are matched by their `id`, rooms by theirs; those left "
    "out are removed, or deactivated when bookings refer to them. Re-sending an unchanged listing writes nothing "
    "(`unchanged`).\n\n"
    "The answer lists, per listing sent: `index`, `original_id`, `listing_id`, `action` (`created`, `updated`, "
    "`unchanged`, `failed`), `errors` and `warnings` keyed by feed path (`room_types.0.prices.price_jan`). 201 when "
    "a listing was created, else 200; when no listing could be applied, 400 with every error under `details` "
    "(prefixed `listings.<index>.` in the batch form)."
)


class ListingViewSet(ApiViewSet):
    """The key owner's listings: the partner list, one listing in the feed shape, and feed pushes."""

    read_scope = "listings.read"
    write_scope = "listings.write"
    tenancy = "owner"
    queryset = Listing.objects.order_by("id")
    not_found_message = LISTING_NOT_FOUND
    pagination_class = LinkHeaderPagination  # the spec's body is a bare array: paging goes in headers
    filterset_class = ListingFilterSet
    parser_classes = [JSONParser]
    lookup_value_converter = "id"

    def get_queryset(self):
        queryset = super().get_queryset()
        return export_queryset(queryset) if self.action == "retrieve" else queryset

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
        description=(
            "All listings associated with your account — hosted or granted by staff — with their room types, "
            "as a bare JSON array (the spec's shape), oldest first.\n\n"
            f"Without `page`/`per_page` the answer holds every listing up to {LinkHeaderPagination.max_per_page} "
            '(the cap); when there are more, the `Link` header (RFC 8288) carries `rel="next"`. With them, '
            f"`per_page` is 1 to {LinkHeaderPagination.max_per_page} (default: the cap) and `page` starts at 1; a "
            "page past the end is an empty array. `X-Total-Count` is the number of listings over all pages."
        ),
        responses={200: s.ListingSerializer(many=True), 400: _error("A bad query parameter (page, per_page, status)")},
    )
    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()).summaries())
        return self.get_paginated_response(with_room_types(page))

    @extend_schema(
        operation_id="listings_retrieve",
        tags=["listings"],
        summary="Get a listing (JSON feed shape)",
        description=(
            "The listing in the host JSON feed's shape (`/json/docs`), plus the platform's ids (`id`, "
            "`room_types[].room_type_id`): sending it back to `POST /v2/listings` changes nothing."
        ),
        responses={200: ListingFeedSerializer, 404: _error(LISTING_NOT_FOUND)},
    )
    def retrieve(self, request, pk=None):
        return self.respond(listing_export(self.get_object()))

    @extend_schema(
        operation_id="listings_create",
        tags=["listings"],
        summary="Create or update listings (JSON feed shape)",
        description=IMPORT_DESCRIPTION,
        request=PolymorphicProxySerializer(
            component_name="ListingImportRequest",
            serializers=[ListingFeedSerializer, s.ListingBatchSerializer],
            resource_type_field_name=None,
        ),
        responses={
            200: s.ListingImportReportSerializer,
            201: s.ListingImportReportSerializer,
            400: _error("No listing could be applied (every error under details), or a malformed body"),
        },
        examples=[OpenApiExample("The spec's example listing", value=docs.example(), request_only=True)],
    )
    @idempotent
    def create(self, request):
        documents, batch = _documents(request.data)
        tenant = request.tenant
        report = feed_import(
            host=tenant.owner, documents=documents, source=Listing.SyncSource.API, sandbox=tenant.sandbox
        )
        counts = report.counts()
        if counts["failed"] == len(report.results):
            raise InvalidInput(
                FieldError(("listings", result.index, *error.path) if batch else error.path, error.message, error.code)
                for result in report.results
                for error in result.errors
            )
        return self.respond(import_report(report), status=201 if counts["created"] else 200)


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
        room_types = RoomType.objects.sellable().filter(listing_id=listing.pk)
        return self.respond({"room_types": room_types.integration_rows()})


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
            f"room type. 1 to {limits.MAX_ITEMS} items; `end_date` from today (UTC) to {limits.MAX_DAYS_AHEAD} "
            "days ahead; nights before today are skipped and counted in `skipped_past_nights` (a PMS's today is "
            "often UTC's yesterday), a range entirely in the past is a 400; `available` between 0 and the room "
            "type's `amount`. Items that overlap apply in order (the later wins). Bookings made on the platform "
            "then take units from the pushed value. All or nothing: any error and nothing is written."
        ),
        request=s.AvailabilityUpdateSerializer,
        responses={200: s.AvailabilityUpdatedSerializer, **PUSH_ERRORS},
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
                value={"success": True, "message": "Availability updated successfully", "skipped_past_nights": 0},
            ),
        ],
    )
    @idempotent
    def post(self, request, provider: str):
        body = s.AvailabilityUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pushed = services.availability_update(
            owner=request.user, items=body.validated_data["items"], sandbox=request.tenant.sandbox
        )
        response = self.respond(message="Availability updated successfully")
        response.data["skipped_past_nights"] = pushed.skipped_past_nights
        return response


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
        services.rates_update(owner=request.user, items=body.validated_data["items"], sandbox=request.tenant.sandbox)
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
            sandbox=request.tenant.sandbox,
        )
        return self.respond({"status": status})

"""Stay bookings over the partner API (``/v2/bookings…``, ``shared/spec/coliving-partner-api.txt``)
and the integrations feed (``/v2/integrations/{provider}/bookings…``,
``shared/spec/coliving-integrations-api.txt``).

Every view declares ``tenancy = "owner"``: the base view narrows its queryset to the API
key's owner and looks objects up through it, so another tenant's listing, room type or
booking is a 404, never leaked, never changed.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action

from apikeys.providers import ProviderMixin
from bookings import selectors, services
from bookings.api.serializers import (
    PRICING_HELP,
    BookingCreateSerializer,
    BookingMessageCreateSerializer,
    BookingMessageOutSerializer,
    BookingSerializer,
    FeedParamsSerializer,
    FeedSerializer,
    IntegrationBookingDetailSerializer,
    IntegrationBookingSerializer,
    feed_item,
)
from bookings.filters import BookingFilterSet
from bookings.models import Booking
from bookings.versions import encode_cursor
from coliving.api.base import ApiGenericView, ApiViewSet
from coliving.api.errors import NotFound
from coliving.api.idempotency import idempotent
from coliving.api.pagination import PagePagination
from coliving.api.schema import ColivingError
from listings.querysets import LISTING_NOT_FOUND, ROOM_TYPE_NOT_FOUND

BOOKING_NOT_FOUND = "Booking not found or unauthorized"
USER_NOT_FOUND = "User not found or unauthorized"


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ColivingError, description=description)


class BookingViewSet(ApiViewSet):
    """Create, list, read and cancel stay bookings, and message on them."""

    read_scope = "bookings.read"
    write_scope = "bookings.write"
    tenancy = "owner"
    queryset = Booking.objects.order_by("-id")
    not_found_message = BOOKING_NOT_FOUND
    serializer_class = BookingSerializer
    input_serializer_class = BookingCreateSerializer
    filterset_class = BookingFilterSet
    pagination_class = PagePagination
    lookup_value_converter = "id"

    @extend_schema(
        operation_id="bookings_list",
        tags=["bookings"],
        summary="List your bookings",
        description="Bookings on the listings your key's owner hosts or was granted, newest first.",
    )
    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(BookingSerializer(page, many=True).data)

    @extend_schema(
        operation_id="bookings_retrieve",
        tags=["bookings"],
        summary="Get a booking",
        responses={200: BookingSerializer, 404: error(BOOKING_NOT_FOUND)},
    )
    def retrieve(self, request, pk=None):
        return self.respond(BookingSerializer(self.get_object()).data)

    @extend_schema(
        operation_id="bookings_create",
        tags=["bookings"],
        summary="Create a booking",
        description=(
            "Books one unit of the room type for every night from `checkin_at` to the night before "
            "`checkout_at`. The booking starts `pending`.\n\n"
            "Rules: check-out after check-in; check-in not in the past; dates at most 730 days ahead; the "
            "listing's `notice_min_days` (check-in ≥ today + notice) and `move_in_max_days` (check-in ≤ today + "
            "that); the listing's `stay_min` in months, counted as 30 nights each; `guests` ≤ the room type's "
            "`max_occupancy`; the listing active; `user_id` a user your key's owner created. A broken rule is 400 "
            "with the reasons under `details`.\n\n"
            f"The listing must be yours (404 `{LISTING_NOT_FOUND}` otherwise) and the room type one of its own "
            f"(404 `{ROOM_TYPE_NOT_FOUND}` otherwise). If any night has no unit left the answer is 409 "
            "`unavailable` with `details.unavailable_dates`, and nothing is booked.\n\n"
            f"Pricing: {PRICING_HELP}"
        ),
        request=BookingCreateSerializer,
        responses={
            201: BookingSerializer,
            404: error(f"{LISTING_NOT_FOUND} / {ROOM_TYPE_NOT_FOUND} / {USER_NOT_FOUND}"),
            409: error("`unavailable`: no unit left on `details.unavailable_dates`; or an Idempotency-Key conflict."),
        },
    )
    @idempotent
    def create(self, request):
        payload = BookingCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        tenant = request.tenant
        room_type = selectors.bookable_room_type(
            tenant=tenant, listing_id=data["listing_id"], room_type_id=data["room_type_id"]
        )
        guest = selectors.booking_guest(tenant=tenant, user_id=data["user_id"])
        if guest is None:
            raise NotFound(USER_NOT_FOUND)
        booking = services.booking_create(
            owner=tenant.owner,
            guest=guest,
            listing=room_type.listing,
            room_type=room_type,
            checkin=data["checkin"],
            checkout=data["checkout"],
            guests=data["guests"],
            message=data["message"],
            key=request.auth,
            source=Booking.Source.PARTNER,
        )
        return self.respond(BookingSerializer(booking).data, status=201)

    @extend_schema(
        operation_id="bookings_cancel",
        tags=["bookings"],
        summary="Cancel a booking",
        description="Cancels a pending or confirmed booking and gives its nights back. A cancelled or declined "
        "booking is 409 `invalid_status`.",
        request=None,
        responses={
            200: BookingSerializer,
            404: error(BOOKING_NOT_FOUND),
            409: error("`invalid_status`: the booking is already cancelled or declined."),
        },
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        booking = services.booking_cancel(booking=self.get_object())
        return self.respond(BookingSerializer(booking).data)

    @extend_schema(
        operation_id="bookings_messages_create",
        tags=["bookings"],
        summary="Send a message on a booking",
        description="The same text from the same sender on the same booking within 60 seconds is not stored "
        'twice: the answer is then 200 with the stored message and `"duplicate": true` (201 for a new one). '
        "Does not use Idempotency-Key.",
        request=BookingMessageCreateSerializer,
        responses={
            201: BookingMessageOutSerializer,
            200: BookingMessageOutSerializer,
            404: error(BOOKING_NOT_FOUND),
        },
    )
    @action(detail=True, methods=["post"])
    def messages(self, request, pk=None):
        booking = self.get_object()
        payload = BookingMessageCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        message, created = services.booking_message_create(
            booking=booking, sender=request.user, body=payload.validated_data["message"]
        )
        message.duplicate = not created
        return self.respond(BookingMessageOutSerializer(message).data, status=201 if created else 200)


class IntegrationBookingFeedView(ProviderMixin, ApiGenericView):
    """``GET /v2/integrations/{provider}/bookings``: changed bookings since a cursor."""

    read_scope = "bookings.read"
    tenancy = "owner"
    queryset = Booking.objects.all()  # read through selectors.booking_feed with the request's tenant

    @extend_schema(
        operation_id="integrations_bookings_feed",
        tags=["integrations"],
        summary="Poll booking changes",
        description=(
            "Bookings on your listings that changed after `since`, oldest change first, at most `limit`. Keep "
            "`next_since` and send it as `since` next time: no change is ever skipped, even two in the same second "
            "or transactions that commit out of order (each change gets a number in commit order; the cursor "
            "carries it). `since` may also be a time `YYYY-MM-DD HH:MM:SS`, such as the latest `version` you "
            "hold: the changes at or after it, so that second's changes come again, but none is missed (versions "
            "never go backwards in commit order). The `status` filter matches a booking's current status."
        ),
        parameters=[FeedParamsSerializer],
        responses={
            200: FeedSerializer,
            404: error(f"{LISTING_NOT_FOUND} / unsupported_provider"),
        },
    )
    def get(self, request, provider):
        params = FeedParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = params.validated_data
        rows = selectors.booking_feed(
            tenant=request.tenant,
            limit=query["limit"],
            listing_id=query.get("listing_id"),
            status=query.get("status"),
            since=query.get("since"),
        )
        if rows:
            next_since = encode_cursor(rows[-1]["change_seq"])
        else:
            next_since = request.query_params.get("since")
        return self.respond({"Bookings": [feed_item(row) for row in rows], "next_since": next_since})


class IntegrationBookingDetailView(ProviderMixin, ApiGenericView):
    """``GET /v2/integrations/{provider}/bookings/{id}``: one booking with guest and pricing."""

    read_scope = "bookings.read"
    tenancy = "owner"
    queryset = Booking.objects.select_related("listing", "room_type", "guest")
    lookup_url_kwarg = "id"
    not_found_message = BOOKING_NOT_FOUND

    @extend_schema(
        operation_id="integrations_bookings_retrieve",
        tags=["integrations"],
        summary="Get booking details",
        responses={200: IntegrationBookingDetailSerializer, 404: error(BOOKING_NOT_FOUND)},
    )
    def get(self, request, provider, id):
        return self.respond({"Booking": IntegrationBookingSerializer(self.get_object()).data})

"""The Cobot-compatible resource booking endpoints (``shared/spec/cobot-bookings-api.txt``),
served under ``/spaces/<subdomain>/api/`` and on ``<subdomain>.<SPACES_DOMAIN>/api/``.

Every view is in the Cobot family (bare resources; 422 ``{"errors": {…}}``, else
``{"error": "…"}``) and declares ``tenancy = "space"``: the base view resolves the space the
request names, refuses keys that may not act in it, and binds the key owner's membership
there to ``request.tenant`` (``coliving/api/tenancy.py``). Rows are read through
``get_queryset()`` / ``get_object()`` / ``get_parent()``, all narrowed to that space, so
another space's resource or booking is a 404. Views parse with an input serializer, call
``bookings/resources/services.py`` and render with ``selectors.py``.
"""

from __future__ import annotations

from functools import cached_property
from zoneinfo import ZoneInfo

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework.parsers import FormParser

from bookings.resources import selectors, services
from bookings.resources.api import serializers as s
from bookings.resources.models import ResourceBooking
from coliving.api.base import ApiGenericView
from coliving.api.errors import FieldError, Forbidden, InvalidInput, NotFound
from coliving.api.families import Family
from coliving.api.idempotency import idempotent
from coliving.api.parsers import JSONParser
from coliving.api.ratelimit import Limit
from coliving.api.schema import CobotError
from jobs.models import Membership, Resource

BOOKING_NOT_FOUND = "Booking not found"
RESOURCE_NOT_FOUND = "Resource not found"
MEMBERSHIP_NOT_FOUND = "Membership not found"
ADMINS_ONLY = "Only admins of the space can read another member's bookings"
TAG = "resource bookings (Cobot)"
WHO_MEMBER = "Requires a key whose owner is an active member or admin of the space."
CREATE_BODY = {
    "from": "2012-01-01 12:00 +0000",
    "to": "2012-01-01 14:00 +0000",
    "title": "test booking",
    "membership_id": "123498y452346",
    "comments": "tea please",
    "units": 1,
    "has_custom_price": False,
}
UPDATE_BODY = {
    "from": "2012-01-1 12:00 +0000",
    "to": "2012-01-01 14:00 +0000",
    "title": "test booking",
    "membership_id": "123498y452346",
    "resource_id": "12345",
    "comments": "tea please",
    "units": 1,
}


def error(description: str) -> OpenApiResponse:
    return OpenApiResponse(CobotError, description=description)


class CobotView(ApiGenericView):
    """The space's endpoints: Cobot's shape, space tenancy, JSON or form-encoded bodies."""

    family = Family.COBOT
    tenancy = "space"
    read_scope = "read_bookings"
    write_scope = "write_bookings"
    parser_classes = [JSONParser, FormParser]
    queryset = ResourceBooking.objects.all()
    not_found_message = BOOKING_NOT_FOUND
    # A path parameter naming an object the view's rows hang from (``/resources/:id/bookings``).
    parent_queryset = None
    parent_url_kwarg: str | None = None
    parent_not_found_message = "Not found"

    @property
    def actor(self) -> Membership:
        """The membership the key acts as (member or admin)."""
        return self.request.tenant.membership

    @cached_property
    def space_timezone(self) -> ZoneInfo:
        return ZoneInfo(self.request.tenant.space.timezone)

    @cached_property
    def api_root(self) -> str:
        """``https://<host>/spaces/<subdomain>/api`` or, on the space's own host, ``https://<host>/api``:
        the form the request came in, so every ``url`` in an answer works for its client."""
        if getattr(self.request, "space_subdomain", None):
            return self.request.build_absolute_uri("/api")
        return self.request.build_absolute_uri(f"/spaces/{self.space_subdomain}/api")

    @cached_property
    def now(self):
        return services.now()

    def get_parent(self):
        """The object the path's ``parent_url_kwarg`` names, in the request's space; 404 otherwise."""
        try:
            return self.tenant_queryset(self.parent_queryset).get(pk=self.kwargs[self.parent_url_kwarg])
        except ObjectDoesNotExist:
            raise NotFound(self.parent_not_found_message) from None

    def params(self, serializer_class=s.BookingWindowSerializer) -> dict:
        params = serializer_class(data=self.request.query_params, context={"timezone": self.space_timezone})
        params.is_valid(raise_exception=True)
        return params.validated_data

    # "membership_id – … only applicable when booking as space admin", "Admins can optionally
    # pass in a price" (the spec): a member's client may send them, and they are ignored.
    ADMINS_ONLY_FIELDS = ("membership_id", "price")

    def body(self, serializer_class, *, partial: bool = False) -> dict:
        data = self.request.data
        if not self.actor.is_admin and any(name in data for name in self.ADMINS_ONLY_FIELDS):
            data = {name: data[name] for name in data if name not in self.ADMINS_ONLY_FIELDS}
        body = serializer_class(data=data, partial=partial, context={"timezone": self.space_timezone})
        body.is_valid(raise_exception=True)
        return body.validated_data

    def booking_list(self, bookings, *, with_membership: bool = True) -> list[dict]:
        rows = selectors.booking_rows(bookings.in_calendar_order())
        return selectors.booking_items(
            rows, viewer=self.actor, api_root=self.api_root, now=self.now, with_membership=with_membership
        )

    def booking_data(self, booking: ResourceBooking) -> dict:
        return selectors.booking_item(
            selectors.instance_row(booking), viewer=self.actor, api_root=self.api_root, now=self.now
        )

    def overlapping(self, bookings):
        window = self.params()
        return bookings.overlapping(window["start"], window["end"])

    def membership_of_space(self, membership_id: int | None) -> Membership | None:
        """``membership_id`` of the body, looked up in the request's space (422 when it is none of its)."""
        if membership_id is None:
            return None
        membership = self.tenant_queryset(Membership.objects.all()).filter(pk=membership_id).first()
        if membership is None:
            raise InvalidInput([FieldError(("membership",), "is not an active membership of this space")])
        return membership


# --- GET /api/resources ------------------------------------------------------------------------


class ResourceListView(CobotView):
    read_scope = "read_resources"
    queryset = Resource.objects.all()
    not_found_message = RESOURCE_NOT_FOUND

    @extend_schema(
        operation_id="cobot_resources_list",
        tags=[TAG],
        summary="List the space's resources",
        description=f"{WHO_MEMBER} Hidden resources are listed to admins only; `can_book` answers for the "
        "requester (false: booking it is 403).",
        responses={200: s.ResourceSerializer(many=True)},
    )
    def get(self, request):
        resources = self.get_queryset().visible_to(self.actor).order_by("name", "id")
        return self.respond(selectors.resource_items(resources, viewer=self.actor, api_root=self.api_root))


# --- GET /api/bookings -------------------------------------------------------------------------


class BookingListView(CobotView):
    @extend_schema(
        operation_id="cobot_bookings_list",
        tags=[TAG],
        summary="List the space's bookings in a period",
        description=f"All bookings of the space overlapping `[from, to)` (`booking.from < to` and "
        f"`booking.to > from`), earliest first; `limit` keeps the first ones. {WHO_MEMBER} Members see their own "
        "bookings' `comments` only (null on others'); admins see all. `event` only on a booking that belongs to an "
        "event. `from` and `to` are required (422).",
        parameters=[s.BookingListParamsSerializer],
        responses={200: s.ResourceBookingSerializer(many=True)},
    )
    def get(self, request):
        params = self.params(s.BookingListParamsSerializer)
        bookings = self.get_queryset().overlapping(params["start"], params["end"]).in_calendar_order()
        if "limit" in params:
            bookings = bookings[: params["limit"]]
        rows = selectors.booking_rows(bookings)
        items = selectors.booking_items(
            rows, viewer=self.actor, api_root=self.api_root, now=self.now, with_membership=False
        )
        return self.respond(items)


# --- /api/resources/:id/bookings ---------------------------------------------------------------


class ResourceBookingsView(CobotView):
    parent_queryset = Resource.objects.select_related("space")
    parent_url_kwarg = "id"
    parent_not_found_message = RESOURCE_NOT_FOUND
    input_serializer_class = s.ResourceBookingWriteSerializer
    # Cobot: creating a booking is limited to 10 requests a minute per key (on top of the 60).
    extra_rate_limits = (Limit("resource-booking-create", "key", rate="10/m", methods=("POST",)),)

    @extend_schema(
        operation_id="cobot_resource_bookings_list",
        tags=[TAG],
        summary="List a resource's bookings in a period",
        description=f"The resource's bookings overlapping `[from, to)`, earliest first. {WHO_MEMBER}",
        parameters=[s.BookingWindowSerializer],
        responses={200: s.ResourceBookingSerializer(many=True), 404: error(RESOURCE_NOT_FOUND)},
    )
    def get(self, request, id):
        resource = self.get_parent()
        bookings = self.overlapping(self.get_queryset().filter(resource=resource))
        return self.respond(self.booking_list(bookings, with_membership=False))

    @extend_schema(
        operation_id="cobot_resource_bookings_create",
        tags=[TAG],
        summary="Book a resource",
        description=(
            f"{WHO_MEMBER} Limited to 10 requests a minute per key. JSON or form-encoded.\n\n"
            "For members (and admins sending `validate_times_for_admin: true`): inside the resource's `booking_times`, "
            "between its `min_booking_duration` and `max_booking_duration` (minutes), not in the past; a resource "
            "with `can_book: false` is 403. For everyone: `from` before `to`, `1 ≤ units ≤` the resource's `units`, "
            "and at no moment may the overlapping bookings use more units than the resource has.\n\n"
            "`membership_id` and `price` are for admins (`price` makes `has_custom_price: true`); otherwise the "
            "price is `price_per_hour × hours × units`. 201 with the booking; 422 with `errors` otherwise."
        ),
        request=s.ResourceBookingWriteSerializer,
        responses={
            201: s.ResourceBookingSerializer,
            403: error("Missing scope, not a member of the space, or a resource members may not book"),
            404: error(RESOURCE_NOT_FOUND),
            409: error("An Idempotency-Key conflict, or the resource is busy (retry)"),
        },
        examples=[OpenApiExample("Book a meeting room", value=CREATE_BODY, request_only=True)],
    )
    @idempotent
    def post(self, request, id):
        resource = self.get_parent()
        data = self.body(s.ResourceBookingWriteSerializer)
        booking = services.resource_booking_create(
            actor=self.actor,
            resource=resource,
            start=data["start"],
            end=data["end"],
            title=data["title"],
            comments=data["comments"],
            units=data["units"],
            membership=self.membership_of_space(data.get("membership")),
            price=data.get("price"),
            validate_times_for_admin=data["validate_times_for_admin"],
            created_by=request.user,
        )
        body = self.booking_data(booking)
        return self.respond(body, status=201, headers={"Location": body["url"]})


# --- the requester's own bookings ------------------------------------------------------------


OWN_BOOKINGS_SCHEMA = {
    "tags": [TAG],
    "summary": "List your bookings in a period",
    "description": f"The bookings of the key's membership overlapping `[from, to)`, earliest first. {WHO_MEMBER} "
    "Answered at `/api/membership/bookings` and at `/api/memberships/bookings` (the spelling of the spec's example).",
    "parameters": [s.BookingWindowSerializer],
    "responses": {200: s.ResourceBookingSerializer(many=True)},
}


class MembershipBookingsView(CobotView):
    @extend_schema(operation_id="cobot_membership_bookings_list", **OWN_BOOKINGS_SCHEMA)
    def get(self, request):
        return self.respond(self.booking_list(self.overlapping(self.get_queryset().of_membership(self.actor))))


class MembershipsBookingsView(MembershipBookingsView):
    """``/api/memberships/bookings``: the spec's example spells the path so; the same answer."""

    @extend_schema(operation_id="cobot_memberships_bookings_list", **OWN_BOOKINGS_SCHEMA)
    def get(self, request):
        return super().get(request)


class MemberBookingsView(CobotView):
    parent_queryset = Membership.objects.all()
    parent_url_kwarg = "membership_id"
    parent_not_found_message = MEMBERSHIP_NOT_FOUND

    @extend_schema(
        operation_id="cobot_member_bookings_list",
        tags=[TAG],
        summary="List a member's bookings in a period (admins)",
        description="The bookings of one membership of the space overlapping `[from, to)`, earliest first. "
        "Requires a key whose owner is an admin of the space (403 otherwise).",
        parameters=[s.BookingWindowSerializer],
        responses={
            200: s.ResourceBookingSerializer(many=True),
            403: error(f"Missing scope, not a member of the space, or not an admin: {ADMINS_ONLY}"),
            404: error(MEMBERSHIP_NOT_FOUND),
        },
    )
    def get(self, request, membership_id):
        if not self.actor.is_admin:
            raise Forbidden(ADMINS_ONLY)
        membership = self.get_parent()
        return self.respond(self.booking_list(self.overlapping(self.get_queryset().of_membership(membership))))


class RecentBookingsView(CobotView):
    @extend_schema(
        operation_id="cobot_membership_bookings_recent",
        tags=[TAG],
        summary="List your bookings not yet invoiced",
        description=f"The key's membership's bookings that are not invoiced yet and not free, earliest first. "
        f"{WHO_MEMBER}",
        responses={200: s.ResourceBookingSerializer(many=True)},
    )
    def get(self, request):
        bookings = self.get_queryset().of_membership(self.actor).not_invoiced().not_free()
        return self.respond(self.booking_list(bookings))


class UpcomingBookingsView(CobotView):
    @extend_schema(
        operation_id="cobot_membership_bookings_upcoming",
        tags=[TAG],
        summary="List your upcoming bookings",
        description=f"The key's membership's bookings that have not ended yet, earliest first. {WHO_MEMBER}",
        responses={200: s.ResourceBookingSerializer(many=True)},
    )
    def get(self, request):
        return self.respond(self.booking_list(self.get_queryset().of_membership(self.actor).not_over(self.now)))


# --- /api/bookings/:id -------------------------------------------------------------------------


class BookingDetailView(CobotView):
    queryset = ResourceBooking.objects.select_related("resource__space", "membership")
    input_serializer_class = s.ResourceBookingUpdateSerializer

    @extend_schema(
        operation_id="cobot_bookings_retrieve",
        tags=[TAG],
        summary="Get a booking",
        description=WHO_MEMBER,
        responses={200: s.ResourceBookingSerializer, 404: error(BOOKING_NOT_FOUND)},
    )
    def get(self, request, pk):
        return self.respond(self.booking_data(self.get_object()))

    @extend_schema(
        operation_id="cobot_bookings_update",
        tags=[TAG],
        summary="Change a booking",
        description=(
            f"{WHO_MEMBER} Send the fields to change (JSON or form-encoded). Members change only their own "
            "bookings, only before they start and before the resource's `cancellation_period` (hours before the "
            "start); admins any. The rules of a new booking apply to the result (`resource_id` moves it to another "
            "resource of the space). A booking made by an event is 409. 200 with the booking; 422 with `errors`."
        ),
        request=s.ResourceBookingUpdateSerializer,
        responses={
            200: s.ResourceBookingSerializer,
            403: error("Missing scope, not a member of the space, or not a booking the member may change"),
            404: error(BOOKING_NOT_FOUND),
            409: error("The booking was made by an event, or the resource is busy (retry)"),
        },
        examples=[OpenApiExample("Change a booking", value=UPDATE_BODY, request_only=True)],
    )
    def put(self, request, pk):
        booking = self.get_object()
        data = self.body(s.ResourceBookingUpdateSerializer, partial=True)
        changes = {name: data[name] for name in ("start", "end", "title", "comments", "units") if name in data}
        if data.get("resource") is not None:
            resource = self.tenant_queryset(Resource.objects.select_related("space")).filter(pk=data["resource"])
            changes["resource"] = resource.first()
            if changes["resource"] is None:
                raise InvalidInput([FieldError(("resource",), "is not a resource of this space")])
        if data.get("membership") is not None:
            changes["membership"] = self.membership_of_space(data["membership"])
        if data.get("price") is not None:
            changes["price"] = data["price"]
        booking = services.resource_booking_update(
            actor=self.actor,
            booking=booking,
            validate_times_for_admin=data.get("validate_times_for_admin", False),
            **changes,
        )
        return self.respond(self.booking_data(booking))

    @extend_schema(
        operation_id="cobot_bookings_destroy",
        tags=[TAG],
        summary="Delete a booking",
        description=f"{WHO_MEMBER} The same rights as changing it. 204 with no body; 409 for a booking made by "
        "an event.",
        responses={
            204: None,
            403: error("Missing scope, not a member of the space, or not a booking the member may delete"),
            404: error(BOOKING_NOT_FOUND),
            409: error("The booking was made by an event, or the resource is busy (retry)"),
        },
    )
    def delete(self, request, pk):
        services.resource_booking_delete(actor=self.actor, booking=self.get_object())
        return self.respond(None, status=204)

"""``GET /v2/listings/{id}/room-types/{room_type_id}/calendar.ics?token=…[&room=…]``: a room
type's (or one of its rooms') availability as iCalendar, for channel sites to subscribe to
(``listings/ical/export.py`` says what is in it).

Public — channel sites have no API key — and guarded by the listing's secret
``calendar_token``, compared in constant time. A wrong or missing token, an unknown
listing, room type or room all get the same 404 in the coliving JSON shape, so the
endpoint tells nothing about what exists.
"""

from __future__ import annotations

import hmac

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema

from coliving.api.base import ApiView
from coliving.api.errors import NotFound
from coliving.api.negotiation import FirstRendererNegotiation
from coliving.api.routing import is_sandbox_request
from coliving.api.schema import ColivingError
from listings.ical.export import room_type_calendar
from listings.models import Room, RoomType

CALENDAR_NOT_FOUND = "Calendar not found"


class RoomTypeCalendarView(ApiView):
    """A room type's booked and blocked nights as an iCalendar feed."""

    public = True
    content_negotiation_class = FirstRendererNegotiation

    @extend_schema(
        operation_id="listings_room_type_calendar",
        tags=["listings"],
        summary="Room type calendar (iCalendar)",
        description=(
            "Booked nights (one event per booking) and nights blocked by the rooms' host calendars "
            "(one event per run of nights), from today on, with stable UIDs. `room` narrows it to one "
            "room and leaves out what was imported from that room's own calendar URL. No API key: "
            "the listing's calendar token is the `token` parameter."
        ),
        parameters=[
            OpenApiParameter("token", str, required=True, description="The listing's calendar token."),
            OpenApiParameter("room", int, required=False, description="One room of the room type."),
        ],
        responses={
            (200, "text/calendar"): OpenApiResponse(OpenApiTypes.STR, description="An RFC 5545 calendar"),
            404: OpenApiResponse(ColivingError, description=CALENDAR_NOT_FOUND),
        },
    )
    def get(self, request, listing_id: int, room_type_id: int):
        # Reached by the listing's token, not by a key: no tenant queryset. The sandbox twin
        # serves sandbox listings' calendars, the live path live ones.
        room_type = (
            RoomType.objects.select_related("listing")
            .filter(
                pk=room_type_id, listing_id=listing_id, is_active=True, listing__is_sandbox=is_sandbox_request(request)
            )
            .first()
        )
        token = request.query_params.get("token", "")
        expected = room_type.listing.calendar_token if room_type is not None else "-" * 43
        if not hmac.compare_digest(token.encode(), expected.encode()) or room_type is None:
            raise NotFound(CALENDAR_NOT_FOUND)
        room = None
        if "room" in request.query_params:
            room_id = request.query_params["room"]
            room = Room.objects.filter(pk=room_id, room_type=room_type).first() if room_id.isdigit() else None
            if room is None:
                raise NotFound(CALENDAR_NOT_FOUND)
        body = room_type_calendar(room_type=room_type, room=room)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Cache-Control"] = "private, max-age=300"
        return response

"""Read shapes of resource bookings and resources, rendered straight from ``.values()`` rows
(no model instances or nested serializers on the list path), field for field as
``shared/spec/cobot-bookings-api.txt`` shows them. ``api/serializers.py`` documents the same
fields for the OpenAPI schema; a test keeps the two equal.

What a requester sees depends on who it is (``viewer``: the ``Membership`` its key acts as,
or None for the platform — webhooks): the calendar of the whole space, but ``comments``
only of its own bookings unless it is an admin; ``can_change`` answers for it, from the
same rule the writes apply (``rules.change_refusal``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.conf import settings

from bookings.resources.models import ResourceBooking
from bookings.resources.rules import change_refusal, decimal_text
from bookings.resources.times import format_time

BOOKING_FIELDS = (
    "id",
    "start",
    "end",
    "title",
    "comments",
    "units",
    "price",
    "has_custom_price",
    "currency",
    "tax_rate",
    "accounting_code",
    "event_id",
    "membership_id",
    "membership__name",
    "resource_id",
    "resource__name",
    "resource__cancellation_period",
    "created_at",
    "updated_at",
)


def space_api_root(space) -> str:
    """The API root of ``space`` outside any request (webhooks): the path form on ``SITE_URL``."""
    return f"{settings.SITE_URL}/spaces/{space.subdomain}/api"


def booking_rows(bookings) -> Iterable[Mapping[str, Any]]:
    """``bookings`` (a ``ResourceBooking`` queryset) as rows for ``booking_item``: one query,
    joined with the resource and the membership."""
    return bookings.values(*BOOKING_FIELDS)


def instance_row(booking: ResourceBooking) -> dict[str, Any]:
    """A booking already in memory as the row ``booking_item`` reads (its resource and
    membership loaded)."""
    membership = booking.membership
    return {
        "id": booking.pk,
        "start": booking.start,
        "end": booking.end,
        "title": booking.title,
        "comments": booking.comments,
        "units": booking.units,
        "price": booking.price,
        "has_custom_price": booking.has_custom_price,
        "currency": booking.currency,
        "tax_rate": booking.tax_rate,
        "accounting_code": booking.accounting_code,
        "event_id": booking.event_id,
        "membership_id": booking.membership_id,
        "membership__name": membership.name if membership is not None else None,
        "resource_id": booking.resource_id,
        "resource__name": booking.resource.name,
        "resource__cancellation_period": booking.resource.cancellation_period,
        "created_at": booking.created_at,
        "updated_at": booking.updated_at,
    }


def booking_item(
    row: Mapping[str, Any], *, viewer, api_root: str, now: datetime, with_membership: bool = True
) -> dict[str, Any]:
    """One booking as the spec shows it. ``with_membership``: the space's calendars
    (``/bookings``, ``/resources/:id/bookings``) show no ``membership``; every other answer does."""
    own = viewer is not None and row["membership_id"] == viewer.pk
    item: dict[str, Any] = {
        "from": format_time(row["start"]),
        "to": format_time(row["end"]),
        "tax_rate": decimal_text(row["tax_rate"]),
        "title": row["title"],
        "resource": {"name": row["resource__name"], "id": str(row["resource_id"])},
        "price": float(row["price"]),
        "has_custom_price": row["has_custom_price"],
        "currency": row["currency"],
        "accounting_code": row["accounting_code"] or None,
    }
    if with_membership:
        membership_id = row["membership_id"]
        item["membership"] = (
            {"id": str(membership_id), "name": row["membership__name"]} if membership_id is not None else None
        )
    item["url"] = f"{api_root}/bookings/{row['id']}"
    item["id"] = str(row["id"])
    item["can_change"] = (
        change_refusal(
            actor=viewer,
            membership_id=row["membership_id"],
            start=row["start"],
            event_id=row["event_id"],
            cancellation_period=row["resource__cancellation_period"],
            now=now,
        )
        is None
    )
    if row["event_id"] is not None:
        item["event"] = {"id": str(row["event_id"])}
    item["comments"] = row["comments"] if viewer is None or viewer.is_admin or own else None
    item["units"] = row["units"]
    item["created_at"] = format_time(row["created_at"])
    item["updated_at"] = format_time(row["updated_at"])
    return item


def booking_items(rows: Iterable[Mapping[str, Any]], **options) -> list[dict[str, Any]]:
    return [booking_item(row, **options) for row in rows]


RESOURCE_FIELDS = (
    "id",
    "name",
    "description",
    "price_per_hour",
    "tax_rate",
    "currency",
    "hidden",
    "capacity",
    "units",
    "cancellation_period",
    "admins_only",
    "color",
    "photo",
    "min_booking_duration",
    "max_booking_duration",
    "booking_times",
)


def resource_items(resources, *, viewer, api_root: str) -> list[dict[str, Any]]:
    """The space's resources as ``GET /api/resources`` answers them (one query)."""
    return [
        {
            "id": str(row["id"]),
            "name": row["name"],
            "description": row["description"],
            "price_per_hour": decimal_text(row["price_per_hour"]),
            "tax_rate": decimal_text(row["tax_rate"]),
            "currency": row["currency"],
            "hidden": row["hidden"],
            "capacity": row["capacity"],
            "units": row["units"],
            "cancellation_period": row["cancellation_period"],
            "can_book": viewer.is_admin or not row["admins_only"],
            "color": row["color"] or None,
            "photo": row["photo"] or None,
            "min_booking_duration": row["min_booking_duration"],
            "max_booking_duration": row["max_booking_duration"],
            "booking_url": f"{api_root}/resources/{row['id']}/bookings",
            "booking_times": row["booking_times"],
        }
        for row in resources.values(*RESOURCE_FIELDS)
    ]

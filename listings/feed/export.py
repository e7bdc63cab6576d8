"""A listing in the shape of the host JSON feed (``GET /v2/listings/{id}``), and the
conversions between the feed's values and the columns they are stored in.

Both directions walk the field registry, so every field that is imported is exported and
an export re-imported is the same canonical document: ``unchanged``. The export adds the
platform's ids (``id``, ``room_types.*.room_type_id``), which an import ignores.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import date, time
from decimal import Decimal
from typing import Any

import orjson
import pycountry
from django.db.models import Prefetch, QuerySet

from listings.feed.registry import Field, children
from listings.models import Listing, Photo, Room, RoomType
from listings.querysets import money


@functools.cache
def _country_name_of(code: str) -> str | None:
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else None


def to_wire(spec: Field, value: Any) -> Any:
    """A column's value as the feed spells it; None for "not set"."""
    if value is None or value == "":
        return None
    kind = spec.type
    if kind in ("money", "percent"):
        return money(Decimal(value))
    if kind == "date":
        return value.isoformat()
    if kind == "time":
        return value.strftime("%H:%M")
    if kind == "flag":
        return int(bool(value))
    if kind == "country":
        return _country_name_of(value)
    if spec.enum == "currency":
        return value.lower()
    return value


def to_db(spec: Field, value: Any, model_field) -> Any:
    """A canonical feed value as its column stores it; the column's "empty" when absent."""
    if value is None:
        if model_field.null:
            return None
        return "" if model_field.get_internal_type() in ("CharField", "TextField", "URLField") else None
    kind = spec.type
    if kind in ("money", "percent"):
        return Decimal(str(value))
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "time":
        return time.fromisoformat(value)
    if kind == "flag":
        return bool(value)
    if kind == "country":
        from listings.feed.validation import country_code

        return country_code(value)
    if spec.enum == "currency":
        return value.upper()
    return value


def content_hash(document: Any) -> str:
    """SHA-256 of a document with its keys sorted: equal for equal content, whatever the key order."""
    return hashlib.sha256(orjson.dumps(document, option=orjson.OPT_SORT_KEYS)).hexdigest()


# --- export --------------------------------------------------------------------------------


def export_queryset(queryset: QuerySet) -> QuerySet:
    """``queryset`` with everything an export reads prefetched: 11 queries for any number of listings."""
    active_rooms = Room.objects.filter(is_active=True).order_by("position", "id")
    room_photos = Photo.objects.order_by("position", "id")
    room_types = (
        RoomType.objects.filter(is_active=True)
        .order_by("position", "id")
        .prefetch_related(Prefetch("rooms", queryset=active_rooms), "amenities", Prefetch("photos", room_photos))
    )
    listing_photos = Photo.objects.filter(room_type__isnull=True).order_by("position", "id")
    return queryset.prefetch_related(
        "amenities",
        "community_types",
        "community_events",
        "fees",
        "faq",
        Prefetch("photos", queryset=listing_photos, to_attr="listing_photos"),
        Prefetch("room_types", queryset=room_types),
    )


def _rows(spec: Field, row: Any) -> list[Any]:
    """The rows stored for the list field ``spec`` of ``row`` (its listing or room type)."""
    path = spec.path
    if path == "room_types":
        return list(row.room_types.all())
    if path == "room_types.*.rooms":
        return list(row.rooms.all())
    if path == "room_types.*.photos":
        return list(row.photos.all())
    if path == "prices.extra_fees":
        return list(row.fees.all())
    if path == "faq":
        return list(row.faq.all())
    if path in ("media.photos.property", "media.photos.community"):
        kind = spec.name
        return [photo for photo in row.listing_photos if photo.kind == kind]
    raise LookupError(f"no rows for {path}")


def _build(pattern: str, row: Any, *, read_only: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    meta = row._meta
    for spec in children(pattern):
        if spec.read_only:
            if read_only:
                out[spec.name] = row.pk
            continue
        if spec.type == "object":
            value = _build(spec.path, row, read_only=read_only) or None
        elif spec.type == "list":
            value = [_build(spec.items, item, read_only=read_only) for item in _rows(spec, row)] or None
        elif spec.type == "refs":
            value = [{"id": pk} for pk in sorted(item.pk for item in getattr(row, spec.column).all())] or None
        else:
            meta.get_field(spec.column)  # a registry column that is not the model's fails loudly
            value = to_wire(spec, getattr(row, spec.column))
        if value is not None:
            out[spec.name] = value
    return out


def listing_export(listing: Listing, *, read_only: bool = True) -> dict[str, Any]:
    """The listing as the feed shape; pass one loaded through ``export_queryset`` (else ~10
    queries each). ``read_only=False`` leaves out the platform's ids: the canonical form
    an import compares with."""
    if not hasattr(listing, "listing_photos"):
        listing = export_queryset(Listing.objects.filter(pk=listing.pk)).get()
    return _build("", listing, read_only=read_only)

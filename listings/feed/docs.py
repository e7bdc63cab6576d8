"""The field guide (``/json/docs``) and the helper endpoints' values (``/json/import/<name>``),
both read from the field registry and the value sets, never written out by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from listings.feed import catalogues, enums
from listings.feed.registry import CATALOGUES, FIELDS, STATUS_LEGEND, TYPES, Field, fields_using, helpers

EXAMPLE = Path(__file__).with_name("data") / "example.json"

SECTION_TITLES = {
    "": "Listing",
    "descriptions": "Descriptions",
    "location": "Location",
    "amenities": "Amenities",
    "prices": "Prices and fees",
    "room_types": "Room types",
    "bookings": "Booking rules",
    "community": "Community",
    "media": "Media",
    "instructions": "Check-in instructions",
    "faq": "FAQ",
    "rating": "Rating",
}


def example() -> dict[str, Any]:
    """The spec's example payload (``GET /json/import``); a test keeps it equal to the spec's."""
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def helper_kind(name: str) -> str:
    return "catalogue" if name in CATALOGUES else "enum"


def helper_values(name: str) -> list[dict[str, Any]]:
    """``[{"value", "label"}]`` of an enum; ``[{"id", "name"(, "scope")}]`` of a catalogue."""
    return catalogues.entries(name) if name in CATALOGUES else enums.entries(name)


def helper_note(name: str) -> str:
    if name == "amenities":
        return "Amenities, by id; scope property for the listing's amenities, room for a room type's."
    if name in CATALOGUES:
        return f"The {name.replace('_', ' ')}, by id."
    return enums.note(name)


def _field_row(spec: Field) -> dict[str, Any]:
    return {
        "path": spec.path,
        "type": spec.type,
        "status": str(spec.status),
        "unit": spec.unit or None,
        "default": spec.default,
        "helper": f"/json/import/{spec.enum}" if spec.enum else None,
        "note": spec.note,
        "read_only": spec.read_only,
    }


def field_guide() -> dict[str, Any]:
    """Everything ``/json/docs`` shows: the legend, the types, the helpers, one table per section."""
    sections: dict[str, list[dict[str, Any]]] = {key: [] for key in SECTION_TITLES}
    for spec in FIELDS:
        head = spec.path.split(".", 1)[0]
        sections[head if head in SECTION_TITLES else ""].append(_field_row(spec))
    return {
        "example": "/json/import",
        "status_legend": {str(status): text for status, text in STATUS_LEGEND.items()},
        "types": TYPES,
        "helpers": [
            {
                "name": name,
                "url": f"/json/import/{name}",
                "kind": helper_kind(name),
                "note": helper_note(name),
                "fields": [spec.path for spec in fields_using(name)],
            }
            for name in helpers()
        ],
        "sections": [
            {"key": key or "listing", "title": SECTION_TITLES[key], "fields": rows}
            for key, rows in sections.items()
            if rows
        ],
    }

"""The field registry of the host JSON feed: every field, once.

``shared/spec/coliving-json-feed.txt`` gives the shape (its example payload) and
``shared/spec/reference-notes.md`` ("Coliving JSON feed field guide") the facts: statuses,
units, which values come from helper endpoints. Each ``Field`` below says where a field
sits (``path``, ``*`` for the items of a list), its type, status, unit, default, enum or
catalogue (by helper name), a note, and the model column it is stored in. From this one
table come:

- the validation (``validation.py``: types, required fields, enums, placeholders…),
- the import and the export (``sync.py``, ``export.py``: which column each value goes to),
- the OpenAPI schema of the payload (``schema.py``),
- the helper endpoints and the field guide (``docs.py``, ``/json/import/<helper>``, ``/json/docs``).

The lists of a listing are stored in tables of their own, named by ``Scope``: room types,
their rooms and photos, extra fees, property and community photos, FAQ entries. A field
inside a list's items is stored in that table; every other field in ``Listing``.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from typing import Any


class Status(enum.StrEnum):
    REQUIRED = "Required"
    RECOMMENDED = "Recommended"
    OPTIONAL = "Optional"
    CONDITIONAL = "Conditional"


STATUS_LEGEND = {
    Status.REQUIRED: "Must be present; a listing without it is not imported.",
    Status.RECOMMENDED: (
        "Strongly advised for sync and listing quality; a listing without it is imported with a warning."
    ),
    Status.OPTIONAL: "Fine to omit.",
    Status.CONDITIONAL: "Needed only when the enclosing object (or list item) is sent.",
}

# Field types. Scalars carry a value; ``object``/``list`` hold fields; ``refs`` is a list
# of ``{"id": n}`` naming rows of a staff catalogue.
SCALAR_TYPES = {
    "string": "A single-line string.",
    "text": "Free text; use \\n for new lines.",
    "enum": "One of the values its helper endpoint lists, spelled exactly.",
    "integer": "A whole number.",
    "number": "A number.",
    "money": "A non-negative amount, at most 2 decimals.",
    "percent": "A percentage from 0 to 100, at most 2 decimals.",
    "url": "An absolute http(s) URL on a public host, reachable without authentication.",
    "date": "A date, YYYY-MM-DD.",
    "time": "A time of day, HH:MM (24 h).",
    "flag": "0 or 1.",
    "country": "The country's English name (ISO 3166), e.g. United States.",
    "latitude": "Decimal degrees, -90 to 90.",
    "longitude": "Decimal degrees, -180 to 180.",
    "phone_code": "A country calling code, + and 1 to 4 digits, e.g. +1.",
    "phone_number": "Digits only, without the country code, 4 to 15 of them.",
}
CONTAINER_TYPES = {
    "object": "An object holding the fields below it.",
    "list": "A list of objects holding the fields below it.",
    "refs": 'A list of {"id": n}, each id a row of the helper\'s catalogue.',
}
TYPES = {**SCALAR_TYPES, **CONTAINER_TYPES}

# Helpers backed by staff-managed tables (the others are enums, ``listings/feed/enums.py``).
CATALOGUES = ("amenities", "community_types", "community_events")

MAX_TEXT = 20_000  # characters of a free-text field


class Scope(enum.StrEnum):
    """The table that stores the fields of a list's items (and of the listing itself)."""

    LISTING = "listing"
    ROOM_TYPE = "room_type"
    ROOM = "room"
    FEE = "fee"
    PHOTO = "photo"
    FAQ = "faq"


@dataclass(frozen=True)
class Field:
    path: str  # dotted, "*" for a list's items: "room_types.*.prices.price_jan"
    type: str
    status: Status
    note: str = ""
    unit: str = ""
    default: Any = None
    enum: str | None = None  # the helper endpoint naming the allowed values (enum or catalogue)
    column: str | None = None  # the model attribute (of the scope's model) the value is stored in
    minimum: float | None = None
    maximum: float | None = None
    scope: Scope | None = None  # lists: the table their items are stored in
    min_items: int = 0
    max_items: int = 200
    read_only: bool = False  # returned by GET /v2/listings/{id}, ignored on import

    # Read for every field of every document an import validates: worked out once per field.
    @functools.cached_property
    def name(self) -> str:
        return self.path.rsplit(".", 1)[-1]

    @functools.cached_property
    def parent(self) -> str:
        return self.path.rsplit(".", 1)[0] if "." in self.path else ""

    @property
    def items(self) -> str:
        """The pattern of a list's items (``room_types.*``)."""
        return f"{self.path}.*"

    @property
    def is_scalar(self) -> bool:
        return self.type in SCALAR_TYPES


R, RC, OPT, C = Status.REQUIRED, Status.RECOMMENDED, Status.OPTIONAL, Status.CONDITIONAL
SMALL = 32_767  # PositiveSmallIntegerField
LARGE = 2_147_483_647  # PositiveIntegerField

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _photos(path: str, status: Status, scope_note: str) -> list[Field]:
    return [
        Field(path, "list", status, f"Photos of {scope_note}, in display order.", scope=Scope.PHOTO, max_items=100),
        Field(f"{path}.*.url", "url", C, "The image; public, no authentication.", column="url"),
        Field(f"{path}.*.description", "string", OPT, "A caption.", column="description"),
    ]


FIELDS: tuple[Field, ...] = (
    Field("id", "integer", OPT, "The listing's id on this platform.", read_only=True),
    Field(
        "original_id",
        "string",
        RC,
        "The listing's id in the host's system; never changes. The primary sync key.",
        column="original_id",
    ),
    Field(
        "original_url",
        "url",
        RC,
        "The public listing URL; the sync key when original_id is missing.",
        column="original_url",
    ),
    Field("name", "string", R, "Shown to residents; used for fallback matching.", column="name"),
    Field(
        "property_size",
        "integer",
        OPT,
        "Size of the property.",
        unit="property_size_unit",
        column="property_size",
        minimum=0,
        maximum=LARGE,
    ),
    Field(
        "property_size_unit",
        "enum",
        OPT,
        "Unit of property_size.",
        default="m2",
        enum="size_unit",
        column="property_size_unit",
    ),
    Field("parking", "enum", OPT, "Parking at or near the property.", enum="parking", column="parking"),
    Field(
        "internet_download",
        "integer",
        OPT,
        "Download speed.",
        unit="Mbps",
        column="internet_download",
        minimum=0,
        maximum=LARGE,
    ),
    Field(
        "internet_upload",
        "integer",
        OPT,
        "Upload speed.",
        unit="Mbps",
        column="internet_upload",
        minimum=0,
        maximum=LARGE,
    ),
    Field("bedrooms", "integer", OPT, "Bedrooms in the property.", column="bedrooms", minimum=0, maximum=SMALL),
    Field("bathrooms", "integer", OPT, "Bathrooms in the property.", column="bathrooms", minimum=0, maximum=SMALL),
    Field("residents", "integer", OPT, "Maximum number of residents.", column="residents", minimum=0, maximum=SMALL),
    # descriptions
    Field("descriptions", "object", RC, "What residents read about the place."),
    Field("descriptions.property", "text", RC, "The property.", column="description"),
    Field("descriptions.neighborhood", "text", OPT, "The neighbourhood.", column="neighborhood_description"),
    Field("descriptions.community", "text", OPT, "The community.", column="community_description"),
    # location
    Field("location", "object", R, "Where the property is."),
    Field("location.address", "string", R, "Street and number.", column="address"),
    Field("location.zip", "string", RC, "Postal code.", column="zip"),
    Field("location.neighborhood", "string", OPT, "Neighbourhood or district.", column="neighborhood"),
    Field("location.city", "string", R, "City.", column="city"),
    Field("location.state", "string", OPT, "State, province or region.", column="state"),
    Field("location.country", "country", R, "Country.", column="country"),
    Field("location.lat", "latitude", RC, "Latitude; send lat and lng together, never 0,0.", column="lat"),
    Field("location.lng", "longitude", RC, "Longitude; send lat and lng together, never 0,0.", column="lng"),
    Field("amenities", "refs", RC, "Amenities of the property (scope property).", enum="amenities", column="amenities"),
    # prices
    Field("prices", "object", R, "Currency, deposit and extra fees; room prices are in room_types.*.prices."),
    Field("prices.currency", "enum", R, "Currency of every price of the listing.", enum="currency", column="currency"),
    Field(
        "prices.security_deposit_type",
        "enum",
        OPT,
        "How security_deposit is expressed.",
        default="fixed",
        enum="security_deposit_type",
        column="security_deposit_type",
    ),
    Field(
        "prices.security_deposit",
        "money",
        OPT,
        "The security deposit; omit it when the type is none.",
        unit="currency (fixed) or months of rent (months_rent)",
        column="security_deposit",
    ),
    Field(
        "prices.extra_fees",
        "list",
        OPT,
        "Fees besides rent. Mandatory ones are priced into every stay.",
        scope=Scope.FEE,
        max_items=50,
    ),
    Field("prices.extra_fees.*.name", "string", C, "Name of the fee.", column="name"),
    Field("prices.extra_fees.*.description", "text", OPT, "What the fee covers.", column="description"),
    Field(
        "prices.extra_fees.*.mandatory",
        "flag",
        OPT,
        "1: every resident pays it; 0: optional.",
        default=1,
        column="mandatory",
    ),
    Field(
        "prices.extra_fees.*.type",
        "enum",
        OPT,
        "How sum is expressed.",
        default="fixed",
        enum="fee_type",
        column="type",
    ),
    Field(
        "prices.extra_fees.*.sum",
        "money",
        C,
        "The fee.",
        unit="currency (fixed) or percent of rent (percent)",
        column="amount",
    ),
    Field(
        "prices.extra_fees.*.frequency",
        "enum",
        OPT,
        "How often it is charged.",
        default="once",
        enum="fee_frequency",
        column="frequency",
    ),
    # room types
    Field(
        "room_types", "list", R, "What residents rent; at least one.", scope=Scope.ROOM_TYPE, min_items=1, max_items=100
    ),
    Field(
        "room_types.*.room_type_id",
        "integer",
        OPT,
        "The room type's id on this platform (bookings use it).",
        read_only=True,
    ),
    Field(
        "room_types.*.id",
        "string",
        C,
        "The room type's id in the host's system; unique in the listing.",
        column="original_id",
    ),
    Field("room_types.*.name", "string", C, "Name shown to residents.", column="name"),
    Field("room_types.*.room_type", "enum", C, "Kind of room.", enum="room_type", column="room_type"),
    Field("room_types.*.bed_type", "enum", RC, "The largest bed.", enum="bed_type", column="bed_type"),
    Field("room_types.*.application_url", "url", OPT, "Where to apply for this room type.", column="application_url"),
    Field(
        "room_types.*.room_size",
        "integer",
        RC,
        "Size of one room.",
        unit="room_size_unit",
        column="room_size",
        minimum=0,
        maximum=LARGE,
    ),
    Field(
        "room_types.*.room_size_unit",
        "enum",
        OPT,
        "Unit of room_size.",
        default="m2",
        enum="size_unit",
        column="room_size_unit",
    ),
    Field(
        "room_types.*.max_occupancy",
        "integer",
        OPT,
        "Most people who may live in one room.",
        default=1,
        column="max_occupancy",
        minimum=1,
        maximum=SMALL,
    ),
    Field("room_types.*.gender", "enum", OPT, "Who the room is for.", enum="gender", column="gender"),
    Field(
        "room_types.*.bathroom_type",
        "enum",
        RC,
        "The bathroom residents use.",
        enum="bathroom_type",
        column="bathroom_type",
    ),
    Field("room_types.*.available_at", "date", OPT, "First day a room of this type is free.", column="available_at"),
    Field(
        "room_types.*.rooms",
        "list",
        RC,
        "The rooms of this type; their number is the units sold.",
        scope=Scope.ROOM,
        max_items=500,
    ),
    Field(
        "room_types.*.rooms.*.id",
        "string",
        C,
        "The room's id in the host's system; unique in the listing.",
        column="original_id",
    ),
    Field("room_types.*.rooms.*.name", "string", C, "Name or number of the room.", column="name"),
    Field("room_types.*.rooms.*.description", "text", OPT, "About this room.", column="description"),
    Field("room_types.*.rooms.*.availability", "object", OPT, "Where the room's availability is published."),
    Field(
        "room_types.*.rooms.*.availability.ical",
        "url",
        C,
        "An iCal calendar of the room's bookings.",
        column="ical_url",
    ),
    Field("room_types.*.prices", "object", C, "Monthly rent and long-stay discounts."),
    Field(
        "room_types.*.prices.base_price",
        "money",
        C,
        "Monthly rent for months without their own price.",
        unit="prices.currency per month",
        column="base_price",
    ),
    *(
        Field(
            f"room_types.*.prices.price_{month}",
            "money",
            OPT,
            f"Monthly rent in {name}; base_price if omitted.",
            unit="prices.currency per month",
            column=f"price_{month}",
        )
        for month, name in zip(_MONTHS, _MONTH_NAMES, strict=True)
    ),
    *(
        Field(
            f"room_types.*.prices.discount_{days}",
            "percent",
            OPT,
            f"Discount for stays of at least {days} days.",
            unit="percent",
            default=0,
            column=f"discount_{days}",
        )
        for days in (90, 180, 360)
    ),
    Field(
        "room_types.*.amenities",
        "refs",
        RC,
        "Amenities of the room (scope room).",
        enum="amenities",
        column="amenities",
    ),
    *_photos("room_types.*.photos", RC, "the room type"),
    # booking rules
    Field("bookings", "object", RC, "Booking rules of every room type."),
    Field(
        "bookings.stay_min", "integer", RC, "Minimum stay.", unit="months", column="stay_min", minimum=1, maximum=120
    ),
    Field(
        "bookings.notice_min_days",
        "integer",
        OPT,
        "Days between booking and move-in, at least.",
        unit="days",
        column="notice_min_days",
        minimum=0,
        maximum=730,
    ),
    Field(
        "bookings.move_in_max_days",
        "integer",
        OPT,
        "How far ahead move-in may be.",
        unit="days",
        column="move_in_max_days",
        minimum=0,
        maximum=730,
    ),
    Field("bookings.application_url", "url", OPT, "Where to apply.", column="application_url"),
    Field(
        "bookings.cancellation_policy",
        "enum",
        RC,
        "Refunds on cancellation.",
        enum="cancellation_policy",
        column="cancellation_policy",
    ),
    Field("bookings.booking_rules", "text", OPT, "House rules residents accept when booking.", column="booking_rules"),
    # community
    Field("community", "object", OPT, "Who lives here."),
    Field(
        "community.age_min",
        "integer",
        OPT,
        "Youngest resident.",
        unit="years",
        column="age_min",
        minimum=0,
        maximum=120,
    ),
    Field(
        "community.age_max", "integer", OPT, "Oldest resident.", unit="years", column="age_max", minimum=0, maximum=120
    ),
    Field(
        "community.age_avg",
        "integer",
        OPT,
        "Average age; between age_min and age_max.",
        unit="years",
        column="age_avg",
        minimum=0,
        maximum=120,
    ),
    Field("community.gender", "enum", OPT, "Who the community is for.", enum="gender", column="community_gender"),
    Field(
        "community.gender_ratio",
        "integer",
        OPT,
        "Share of women among residents.",
        unit="percent",
        column="gender_ratio",
        minimum=0,
        maximum=100,
    ),
    Field(
        "community.events",
        "refs",
        OPT,
        "Events the community holds.",
        enum="community_events",
        column="community_events",
    ),
    Field("community.community_manager", "object", OPT, "The community manager."),
    Field("community.community_manager.name", "string", C, "First name.", column="community_manager_name"),
    Field("community.community_manager.photo", "url", OPT, "Portrait.", column="community_manager_photo"),
    Field(
        "community.community_manager.onsite",
        "flag",
        OPT,
        "1: lives or works on site.",
        column="community_manager_onsite",
    ),
    Field("community.types", "refs", OPT, "Kinds of community.", enum="community_types", column="community_types"),
    # media
    Field("media", "object", RC, "Tours and photos."),
    Field("media.3d_tour", "url", OPT, "A 3D tour (e.g. Matterport).", column="tour_3d_url"),
    Field("media.video_tour", "object", OPT, "A video tour."),
    Field(
        "media.video_tour.type",
        "enum",
        C,
        "Where the video is hosted.",
        enum="video_tour_type",
        column="video_tour_type",
    ),
    Field("media.video_tour.url", "url", C, "The video's page.", column="video_tour_url"),
    Field("media.photos", "object", RC, "Photos of the property and of the community."),
    *_photos("media.photos.property", RC, "the property"),
    *_photos("media.photos.community", OPT, "the community"),
    # check-in
    Field("instructions", "object", OPT, "Check-in instructions, sent to residents before move-in."),
    Field("instructions.check_in_earliest", "time", OPT, "Earliest check-in.", column="check_in_earliest"),
    Field("instructions.check_in_latest", "time", OPT, "Latest check-in.", column="check_in_latest"),
    Field("instructions.check_out_latest", "time", OPT, "Latest check-out.", column="check_out_latest"),
    Field(
        "instructions.check_in_contact_person",
        "string",
        OPT,
        "Who welcomes residents.",
        column="check_in_contact_person",
    ),
    Field(
        "instructions.check_in_telephone_country",
        "phone_code",
        OPT,
        "Their phone's country code.",
        column="check_in_telephone_country",
    ),
    Field(
        "instructions.check_in_telephone_number",
        "phone_number",
        OPT,
        "Their phone number.",
        column="check_in_telephone_number",
    ),
    Field("instructions.check_in_instructions", "text", OPT, "How to get in.", column="check_in_instructions"),
    Field("instructions.directions", "text", OPT, "How to get there.", column="directions"),
    Field("instructions.house_manual", "text", OPT, "Living in the house.", column="house_manual"),
    # FAQ
    Field("faq", "list", OPT, "Questions and answers, in display order.", scope=Scope.FAQ, max_items=100),
    Field("faq.*.question", "text", C, "The question.", column="question"),
    Field("faq.*.answer", "text", C, "The answer.", column="answer"),
    # rating
    Field("rating", "object", OPT, "Where residents' reviews are."),
    Field("rating.google_places_id", "string", OPT, "The property's Google Places id.", column="google_places_id"),
)

BY_PATH: dict[str, Field] = {field.path: field for field in FIELDS}


@functools.cache
def children(pattern: str) -> tuple[Field, ...]:
    """The fields directly inside the object at ``pattern`` ("" is the listing, "room_types.*" its items)."""
    return tuple(field for field in FIELDS if field.parent == pattern)


@functools.cache
def columns(pattern: str) -> tuple[tuple[tuple[str, ...], Field], ...]:
    """The scalar fields stored in the table of the items at ``pattern`` ("" for the listing),
    with their paths relative to an item: objects are crossed, lists are not (they are
    stored in tables of their own)."""
    found: list[tuple[tuple[str, ...], Field]] = []

    def walk(at: str, prefix: tuple[str, ...]) -> None:
        for field in children(at):
            if field.read_only:
                continue
            if field.type == "object":
                walk(field.path, (*prefix, field.name))
            elif field.is_scalar:
                found.append(((*prefix, field.name), field))

    walk(pattern, ())
    return tuple(found)


@functools.cache
def refs(pattern: str) -> tuple[tuple[tuple[str, ...], Field], ...]:
    """The catalogue references of the items at ``pattern`` (relative paths), stored as many-to-many."""
    found: list[tuple[tuple[str, ...], Field]] = []

    def walk(at: str, prefix: tuple[str, ...]) -> None:
        for field in children(at):
            if field.type == "object":
                walk(field.path, (*prefix, field.name))
            elif field.type == "refs":
                found.append(((*prefix, field.name), field))

    walk(pattern, ())
    return tuple(found)


def helpers() -> list[str]:
    """Every helper endpoint's name: the enums and catalogues fields refer to, in field order."""
    seen: dict[str, None] = {}
    for field in FIELDS:
        if field.enum:
            seen.setdefault(field.enum)
    return list(seen)


def fields_using(helper: str) -> list[Field]:
    return [field for field in FIELDS if field.enum == helper]

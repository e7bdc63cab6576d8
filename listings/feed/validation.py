"""Validation of one listing of the host JSON feed, driven by the field registry.

``listing_validate`` reports every problem at once as ``FieldError``s whose paths are the
feed's own (``("room_types", 0, "prices", "price_jan")`` → ``room_types.0.prices.price_jan``),
and returns the listing in its canonical form: values typed and trimmed, defaults filled
in, ``null``/absent optional fields and empty lists or objects left out, catalogue ids
sorted. The canonical form is what is stored, hashed (``content_hash``) and exported, so
re-importing an export is recognised as unchanged.

Rules: required fields (``Required``, and ``Conditional`` ones inside a sent object);
types; enum values exactly as the helper endpoints list them; catalogue ids that exist
(and amenities of the right scope); placeholders refused (``N/A``, ``-``, ``TBD``, empty or
blank strings, ``0,0`` or out-of-range coordinates); URLs absolute http(s) on a public
host without credentials; ``YYYY-MM-DD`` dates and ``HH:MM`` times; ``age_min ≤ age_avg ≤
age_max``; non-negative sizes and prices; discounts 0–100; room type and room ids unique
in the listing. Warnings (the listing is still imported): missing ``Recommended`` fields,
unknown fields (ignored), a deposit amount with type ``none``.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

import pycountry

from coliving.api.errors import FieldError
from listings.feed import enums
from listings.feed.catalogues import Catalogues
from listings.feed.registry import BY_PATH, MAX_TEXT, Field, Scope, Status, children
from listings.models import FaqEntry, Listing, ListingFee, Photo, Room, RoomType
from listings.querysets import money

Path = tuple[str | int, ...]

PLACEHOLDERS = frozenset({"n/a", "na", "-", "--", "---", "tbd", "tba", "null", "none", "?", "...", "…", "xxx"})
MAX_MONEY = Decimal("9999999999.99")
SCOPE_MODELS = {
    Scope.LISTING: Listing,
    Scope.ROOM_TYPE: RoomType,
    Scope.ROOM: Room,
    Scope.FEE: ListingFee,
    Scope.PHOTO: Photo,
    Scope.FAQ: FaqEntry,
}
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")
_PHONE_CODE = re.compile(r"\+[0-9]{1,4}")
_PHONE_NUMBER = re.compile(r"[0-9]{4,15}")
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa", ".invalid", ".intranet", ".corp")
_MISSING = object()


class Bad(Exception):
    def __init__(self, message: str, code: str = "invalid"):
        self.message, self.code = message, code


@dataclass
class Checked:
    """The outcome of validating one listing: its canonical form when there is no error."""

    document: dict[str, Any] | None
    errors: list[FieldError] = field(default_factory=list)
    warnings: list[FieldError] = field(default_factory=list)


# --- where a field is stored: its table, its column's length -------------------------------


def scope_of(registry_field: Field) -> Scope:
    """The table a field's value is stored in: that of the nearest list around it, else the listing."""
    parent = registry_field.parent
    while parent:
        if parent.endswith(".*"):
            return BY_PATH[parent[:-2]].scope
        parent = BY_PATH[parent].parent
    return Scope.LISTING


@functools.cache
def max_length(path: str) -> int:
    registry_field = BY_PATH[path]
    if registry_field.type == "text":
        return MAX_TEXT
    if registry_field.type == "country":
        return 100  # a name; the column keeps its two-letter code
    model = SCOPE_MODELS[scope_of(registry_field)]
    length = model._meta.get_field(registry_field.column).max_length if registry_field.column else None
    return length or MAX_TEXT


# --- scalar types ------------------------------------------------------------------------


def _string(value: Any, spec: Field) -> str:
    if not isinstance(value, str):
        raise Bad("Must be a string.", "type")
    text = value.strip()
    if not text:
        raise Bad("Must not be empty; omit the field instead.", "placeholder")
    if text.casefold() in PLACEHOLDERS:
        raise Bad(f"'{text}' is a placeholder; omit the field instead.", "placeholder")
    limit = max_length(spec.path)
    if len(text) > limit:
        raise Bad(f"At most {limit} characters.", "max_length")
    return text


def _enum(value: Any, spec: Field) -> str:
    if not isinstance(value, str):
        raise Bad("Must be a string.", "type")
    if value not in enums.values(spec.enum):
        raise Bad(f"'{value}' is not a value of /json/import/{spec.enum}.", "enum")
    return value


def _number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Bad("Must be a number.", "type")
    return value


def _integer(value: Any, spec: Field) -> int:
    number = _number(value)
    if isinstance(number, float):
        if not number.is_integer():
            raise Bad("Must be a whole number.", "type")
        number = int(number)
    if spec.minimum is not None and number < spec.minimum:
        raise Bad(f"Must be at least {spec.minimum:g}.", "min_value")
    if spec.maximum is not None and number > spec.maximum:
        raise Bad(f"Must be at most {spec.maximum:g}.", "max_value")
    return number


def _decimal(value: Any, maximum: Decimal) -> int | float:
    number = _number(value)
    try:
        amount = Decimal(repr(number)) if isinstance(number, float) else Decimal(number)
    except InvalidOperation:
        raise Bad("Must be a number.", "type") from None
    if not amount.is_finite():
        raise Bad("Must be a number.", "type")
    if amount < 0:
        raise Bad("Must not be negative.", "min_value")
    if amount > maximum:
        raise Bad(f"Must be at most {maximum:f}.", "max_value")
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):
        raise Bad("At most 2 decimals.", "decimal_places")
    return money(amount.quantize(Decimal("0.01")))


def _money(value: Any, spec: Field) -> int | float:
    return _decimal(value, MAX_MONEY)


def _percent(value: Any, spec: Field) -> int | float:
    return _decimal(value, Decimal("100"))


_NUMERIC_HOST = re.compile(r"[0-9a-fx.]+")
_WHITESPACE = re.compile(r"\s")  # the characters str.isspace() is true for


def _public_host(host: str) -> bool:
    host = host.rstrip(".").lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is None and _NUMERIC_HOST.fullmatch(host):
        # The legacy IPv4 spellings clients still resolve: 127.1, 0x7f.0.0.1, 0177.0.0.1, 2130706433.
        try:
            address = ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            pass  # a name that only looks numeric ("cafe.be"): checked as a name below
    if address is not None:
        return address.is_global and not address.is_multicast
    if host == "localhost" or host.endswith(_LOCAL_SUFFIXES) or "." not in host:
        return False
    return all(label and len(label) <= 63 for label in host.split("."))


def _url(value: Any, spec: Field) -> str:
    text = _string(value, spec)
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        parts.port  # noqa: B018 — raises ValueError for a port that is not a number
    except ValueError:
        raise Bad("Must be an absolute http(s) URL.", "url") from None
    if parts.scheme not in ("http", "https") or not host:
        raise Bad("Must be an absolute http(s) URL.", "url")
    if parts.username is not None or parts.password is not None:
        raise Bad("Must be reachable without credentials (no user:password@).", "url_private")
    if _WHITESPACE.search(text):
        raise Bad("Must not contain spaces (encode them as %20).", "url")
    if not _public_host(host):
        raise Bad("Must be on a public host (not localhost, a private address or a local name).", "url_private")
    return text


def _date(value: Any, spec: Field) -> str:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise Bad("Must be a date, YYYY-MM-DD.", "date")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise Bad("Must be a date that exists, YYYY-MM-DD.", "date") from None
    return value


def _time(value: Any, spec: Field) -> str:
    if not isinstance(value, str) or not _TIME.fullmatch(value):
        raise Bad("Must be a time, HH:MM (00:00 to 23:59).", "time")
    return value


def _flag(value: Any, spec: Field) -> int:
    if value is True or value is False:
        return int(value)
    if isinstance(value, int) and value in (0, 1):
        return value
    raise Bad("Must be 0 or 1.", "type")


@functools.cache
def country_name(value: str) -> str | None:
    """The ISO 3166 English name for a name, official name or code (``United States``, ``US``, ``USA``)."""
    try:
        return pycountry.countries.lookup(value).name
    except LookupError:
        return None


@functools.cache
def country_code(name: str) -> str:
    return pycountry.countries.lookup(name).alpha_2


def _country(value: Any, spec: Field) -> str:
    text = _string(value, spec)
    name = country_name(text)
    if name is None:
        raise Bad(f"'{text}' is not a country (ISO 3166 name, e.g. United States).", "country")
    return name


def _coordinate(value: Any, limit: int) -> float:
    number = _number(value)
    if not -limit <= number <= limit:
        raise Bad(f"Must be between -{limit} and {limit}.", "out_of_range")
    return float(number)


def _latitude(value: Any, spec: Field) -> float:
    return _coordinate(value, 90)


def _longitude(value: Any, spec: Field) -> float:
    return _coordinate(value, 180)


def _phone_code(value: Any, spec: Field) -> str:
    if not isinstance(value, str) or not _PHONE_CODE.fullmatch(value.strip()):
        raise Bad("Must be + and 1 to 4 digits, e.g. +1.", "phone")
    return value.strip()


def _phone_number(value: Any, spec: Field) -> str:
    if not isinstance(value, str) or not _PHONE_NUMBER.fullmatch(value.strip()):
        raise Bad("Must be 4 to 15 digits, without the country code or spaces.", "phone")
    return value.strip()


CHECKS = {
    "string": _string,
    "text": _string,
    "enum": _enum,
    "integer": _integer,
    "money": _money,
    "percent": _percent,
    "url": _url,
    "date": _date,
    "time": _time,
    "flag": _flag,
    "country": _country,
    "latitude": _latitude,
    "longitude": _longitude,
    "phone_code": _phone_code,
    "phone_number": _phone_number,
}
# "number" is documented as a type for completeness; no field uses it yet.


# --- the walk ----------------------------------------------------------------------------


class _Walk:
    def __init__(self, catalogues: Catalogues):
        self.catalogues = catalogues
        self.errors: list[FieldError] = []
        self.warnings: list[FieldError] = []

    def error(self, path: Path, message: str, code: str = "invalid") -> None:
        self.errors.append(FieldError(path, message, code))

    def warn(self, path: Path, message: str, code: str) -> None:
        self.warnings.append(FieldError(path, message, code))

    def object(self, value: Any, pattern: str, path: Path) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.error(path, "Must be an object.", "type")
            return None
        out: dict[str, Any] = {}
        fields = children(pattern)
        for spec in fields:
            if spec.read_only:
                continue
            raw = value.get(spec.name, _MISSING)
            here = (*path, spec.name)
            if raw is None or raw is _MISSING:
                self.missing(spec, here, out)
                continue
            result = self.value(raw, spec, here)
            if result is not None:
                out[spec.name] = result
        known = {spec.name for spec in fields}
        for key in value:
            if key not in known:
                self.warn((*path, str(key)), "Unknown field; ignored.", "unknown_field")
        return out

    def missing(self, spec: Field, path: Path, out: dict[str, Any]) -> None:
        if spec.default is not None:
            out[spec.name] = spec.default
        elif spec.status in (Status.REQUIRED, Status.CONDITIONAL):
            self.error(path, "This field is required.", "required")
        elif spec.status is Status.RECOMMENDED:
            self.warn(path, "Recommended field missing.", "recommended")

    def value(self, raw: Any, spec: Field, path: Path) -> Any:
        if spec.type == "object":
            result = self.object(raw, spec.path, path)
            return result or None
        if spec.type == "list":
            return self.list(raw, spec, path)
        if spec.type == "refs":
            return self.refs(raw, spec, path)
        try:
            return CHECKS[spec.type](raw, spec)
        except Bad as bad:
            self.error(path, bad.message, bad.code)
            return None

    def list(self, raw: Any, spec: Field, path: Path) -> list[dict[str, Any]] | None:
        if not isinstance(raw, list):
            self.error(path, "Must be a list.", "type")
            return None
        if len(raw) < spec.min_items:
            self.error(path, f"At least {spec.min_items} item(s).", "min_items")
        if len(raw) > spec.max_items:
            self.error(path, f"At most {spec.max_items} items.", "max_items")
            return None
        items = [self.object(item, spec.items, (*path, index)) for index, item in enumerate(raw)]
        return [item for item in items if item is not None] or None

    def refs(self, raw: Any, spec: Field, path: Path) -> list[dict[str, int]] | None:
        if not isinstance(raw, list):
            self.error(path, 'Must be a list of {"id": n}.', "type")
            return None
        ids: list[int] = []
        for index, item in enumerate(raw):
            value = item.get("id") if isinstance(item, dict) else None
            if isinstance(value, bool) or not isinstance(value, int):
                self.error((*path, index, "id"), 'Must be {"id": n} with an integer id.', "type")
                continue
            ids.append(value)
        known = self.catalogues.ids[spec.enum]
        unknown = sorted({value for value in ids if value not in known})
        if unknown:
            listed = ", ".join(map(str, unknown))
            self.error(path, f"Unknown {spec.enum} ids: {listed} (see /json/import/{spec.enum}).", "unknown_id")
        if spec.enum == "amenities":
            wanted = "room" if spec.path.startswith("room_types.") else "property"
            wrong = sorted({value for value in ids if known.get(value, wanted) != wanted})
            if wrong:
                listed = ", ".join(map(str, wrong))
                self.error(
                    path,
                    f"Not {wanted} amenities: {listed} (see their scope at /json/import/amenities).",
                    "amenity_scope",
                )
        return [{"id": value} for value in sorted(set(ids))] or None


def _cross_field_rules(walk: _Walk, doc: dict[str, Any]) -> None:
    location = doc.get("location") or {}
    lat, lng = location.get("lat"), location.get("lng")
    refused = {error.path for error in walk.errors}
    if ("location", "lat") in refused or ("location", "lng") in refused:
        pass
    elif (lat is None) != (lng is None):
        missing = "lng" if lng is None else "lat"
        walk.error(("location", missing), "Send lat and lng together.", "required")
    elif lat == 0 and lng == 0:
        walk.error(("location", "lat"), "0,0 is not a location; omit lat and lng instead.", "placeholder")

    community = doc.get("community") or {}
    ages = [(name, community[name]) for name in ("age_min", "age_avg", "age_max") if name in community]
    for (low_name, low), (high_name, high) in zip(ages, ages[1:], strict=False):
        if low > high:
            walk.error(("community", high_name), f"Must be at least {low_name} ({low}).", "age_order")

    prices = doc.get("prices") or {}
    if prices.get("security_deposit_type") == "none" and "security_deposit" in prices:
        walk.error(("prices", "security_deposit"), "Omit security_deposit when its type is none.", "invalid")
    for index, fee in enumerate(prices.get("extra_fees") or ()):
        if fee.get("type") == "percent" and fee.get("sum", 0) > 100:
            walk.error(("prices", "extra_fees", index, "sum"), "A percentage is at most 100.", "max_value")

    room_type_ids: dict[str, int] = {}
    room_ids: dict[str, tuple[int, int]] = {}
    for index, room_type in enumerate(doc.get("room_types") or ()):
        original_id = room_type.get("id")
        if original_id is not None:
            if original_id in room_type_ids:
                walk.error(("room_types", index, "id"), f"Duplicate room type id '{original_id}'.", "duplicate")
            room_type_ids.setdefault(original_id, index)
        for room_index, room in enumerate(room_type.get("rooms") or ()):
            room_id = room.get("id")
            if room_id is None:
                continue
            if room_id in room_ids:
                walk.error(
                    ("room_types", index, "rooms", room_index, "id"), f"Duplicate room id '{room_id}'.", "duplicate"
                )
            room_ids.setdefault(room_id, (index, room_index))


def listing_validate(document: Any, *, catalogues: Catalogues) -> Checked:
    """Check one listing of the feed; every problem is reported, none raised."""
    walk = _Walk(catalogues)
    doc = walk.object(document, "", ())
    if doc is not None:
        _cross_field_rules(walk, doc)
    if walk.errors:
        return Checked(None, walk.errors, walk.warnings)
    return Checked(doc, walk.errors, walk.warnings)

"""Every write to listings that has a rule: the availability and rate pushes of a PMS or
channel manager, and the provider key a host links to its account
(``shared/spec/coliving-integrations-api.txt``: "Update Availability", "Update Rates";
``reference-notes.md``: ``provider-key``).

A push is all or nothing, and costs the same number of SQL statements however big it is:
one query checks that every listing is the owner's (else 403 with the ids), one loads the
room types (else 422 with the pairs that do not match), and one statement writes
everything — ``INSERT … SELECT … ON CONFLICT DO UPDATE`` for nights, ``UPDATE … FROM`` for
rates — fed with arrays (PostgreSQL ``unnest``) or one JSON document (SQLite
``json_each``), so neither the statement nor its parameter count grows with the batch.
Other databases fall back to the ORM's bulk operations.

Inventory semantics (DESIGN.md, "Inventory and bookings"): a pushed ``available`` is the
number of units still sellable that night; it *sets* the night, and bookings made here
then take units from it (``bookings.services.nights_take``). Nights are written in
``(room_type_id, date)`` order, the order the bookings' UPDATE visits them, so a push and a
booking of the same nights queue for each other's row locks instead of deadlocking.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from apikeys import keys
from apikeys.models import ApiKey, Provider
from coliving.api.errors import Conflict, Forbidden, Unprocessable
from listings.models import MONTH_PRICE_FIELDS, Listing, ProviderAccountLink, RoomType, RoomTypeNight

MAX_ITEMS = 1000
# Nights one availability push may write (items × their nights): 200 room types × 730
# nights fits; a request for 1000 × 731 would hold a worker for seconds and much memory.
MAX_NIGHTS = 150_000
MAX_DAYS_AHEAD = 730
PRICE_FIELDS = ("base_price", *MONTH_PRICE_FIELDS)


def today() -> date:
    """The inventory calendar's today (UTC, like the rest of the platform); tests replace it."""
    return timezone.localdate()


@dataclass(frozen=True)
class AvailabilityItem:
    listing_id: int
    room_type_id: int
    available: int
    start_date: date
    end_date: date  # inclusive


@dataclass(frozen=True)
class RateItem:
    listing_id: int
    room_type_id: int
    prices: dict[str, Decimal | None] = field(default_factory=dict)  # only the fields sent
    currency: str | None = None


# --- ownership ------------------------------------------------------------------------------


def _owned_room_types(
    *, owner, pairs: Sequence[tuple[int, int]], columns: Iterable[str] = (), lock: bool = False
) -> dict[int, RoomType]:
    """The room types named by ``pairs`` (``(listing_id, room_type_id)``), by id.

    Two queries whatever the number of pairs. Raises 403 naming every listing ``owner`` may
    not use (unknown ids included: existence is not leaked), then 422 naming every pair
    whose room type is not of that listing.
    """
    listing_ids = {listing_id for listing_id, _ in pairs}
    owned = set(Listing.objects.for_owner(owner).filter(pk__in=listing_ids).values_list("pk", flat=True))
    unauthorized = sorted(listing_ids - owned)
    if unauthorized:
        raise Forbidden(
            "Unauthorized access to listings",
            code="unauthorized_listings",
            details={"unauthorized_listing_ids": unauthorized},
        )
    room_types = RoomType.objects.filter(pk__in={room_type_id for _, room_type_id in pairs}, listing_id__in=owned)
    room_types = room_types.only("pk", "listing_id", *columns).order_by("pk")
    if lock:
        room_types = room_types.select_for_update(of=("self",))
    found = {room_type.pk: room_type for room_type in room_types}
    invalid: dict[tuple[int, int], None] = {}
    for listing_id, room_type_id in pairs:
        room_type = found.get(room_type_id)
        if room_type is None or room_type.listing_id != listing_id:
            invalid[(listing_id, room_type_id)] = None
    if invalid:
        raise Unprocessable(
            "Invalid room types for listings",
            code="invalid_room_types",
            details={"invalid_room_types": [{"listing_id": lid, "room_type_id": rid} for lid, rid in invalid]},
        )
    return found


# --- room types ------------------------------------------------------------------------------


@transaction.atomic
def room_type_amount_change(*, room_type: RoomType, amount: int) -> RoomType:
    """Set how many units a room type has, and move its stored nights by the same step.

    A night without a row has ``amount``; a stored night holds ``amount`` minus what was
    booked (or what a PMS pushed). Changing ``amount`` must move the stored nights too,
    or a night would keep selling the old number of units. Nights are kept within
    ``0 … amount`` (a PMS pushing afterwards sets them outright again).
    """
    old = RoomType.objects.select_for_update().values_list("amount", flat=True).get(pk=room_type.pk)
    room_type.amount = amount
    RoomType.objects.filter(pk=room_type.pk).update(amount=amount, updated_at=timezone.now())
    if amount != old:
        RoomTypeNight.objects.filter(room_type_id=room_type.pk, date__gte=timezone.localdate()).update(
            available=Greatest(Value(0), Least(Value(amount), F("available") + (amount - old)))
        )
    return room_type


# --- availability ---------------------------------------------------------------------------


@transaction.atomic
def availability_update(*, owner, items: Sequence[AvailabilityItem]) -> int:
    """Set the available units of every night of every item's range; return the nights written.

    ``items`` were validated for shape and dates by the API's input serializer; this checks
    ownership (403), room types (422) and ``available <= amount`` (a validation error keyed
    ``data.<n>.available``). Items that overlap apply in order: the later one wins.
    """
    nights = sum((item.end_date - item.start_date).days + 1 for item in items)
    if nights > MAX_NIGHTS:
        raise ValidationError(
            {"data": [f"A push may set at most {MAX_NIGHTS} nights in all; this one sets {nights}. Split it."]}
        )
    room_types = _owned_room_types(
        owner=owner, pairs=[(item.listing_id, item.room_type_id) for item in items], columns=("amount",)
    )
    errors = {}
    for index, item in enumerate(items):
        amount = room_types[item.room_type_id].amount
        if item.available > amount:
            errors[f"data.{index}.available"] = [
                f"Ensure this value is less than or equal to the room type's amount ({amount})."
            ]
    if errors:
        raise ValidationError(errors)

    # Ranges are expanded once, here; the dict keeps the later item's value for a night
    # two items share. Day ordinals are cheaper keys than dates.
    cells: dict[tuple[int, int], int] = {}
    for item in items:
        first = item.start_date.toordinal()
        for day in range(first, item.end_date.toordinal() + 1):
            cells[(item.room_type_id, day)] = item.available
    rows = sorted(cells.items())
    nights_upsert(
        room_type_ids=[room_type_id for (room_type_id, _), _ in rows],
        dates=[date.fromordinal(day) for (_, day), _ in rows],
        available=[value for _, value in rows],
    )
    return len(rows)


def nights_upsert(*, room_type_ids: list[int], dates: list[date], available: list[int]) -> None:
    """Insert or overwrite the nights ``zip(room_type_ids, dates, available)`` in one statement.

    Rows whose value does not change are left alone (no dead tuple for a PMS re-sending
    the same calendar). The caller orders the rows and makes them unique.
    """
    if not room_type_ids:
        return
    table = connection.ops.quote_name(RoomTypeNight._meta.db_table)
    vendor = connection.vendor
    if vendor == "postgresql":
        sql = (
            f"INSERT INTO {table} (room_type_id, date, available) "  # noqa: S608 — our own table name
            "SELECT * FROM unnest(%s::bigint[], %s::date[], %s::integer[]) "
            "ON CONFLICT (room_type_id, date) DO UPDATE SET available = EXCLUDED.available "
            f"WHERE {table}.available IS DISTINCT FROM EXCLUDED.available"
        )
        params: list[object] = [room_type_ids, dates, available]
    elif vendor == "sqlite":
        # "WHERE true" tells SQLite's parser that ON CONFLICT is the upsert clause, not a join's ON.
        sql = (
            f"INSERT INTO {table} (room_type_id, date, available) "  # noqa: S608
            "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') "
            "FROM json_each(%s) WHERE true "
            "ON CONFLICT (room_type_id, date) DO UPDATE SET available = excluded.available "
            f"WHERE {table}.available <> excluded.available"
        )
        document = [
            [rt, day.isoformat(), value] for rt, day, value in zip(room_type_ids, dates, available, strict=True)
        ]
        params = [json.dumps(document, separators=(",", ":"))]
    else:
        nights_upsert_orm(room_type_ids=room_type_ids, dates=dates, available=available)
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def nights_upsert_orm(*, room_type_ids: list[int], dates: list[date], available: list[int]) -> None:
    """The portable equivalent of ``nights_upsert``: Django's ``bulk_create`` upsert, in batches."""
    RoomTypeNight.objects.bulk_create(
        [
            RoomTypeNight(room_type_id=rt, date=day, available=value)
            for rt, day, value in zip(room_type_ids, dates, available, strict=True)
        ],
        update_conflicts=True,
        unique_fields=["room_type", "date"],
        update_fields=["available"],
        batch_size=5000,
    )


# --- rates ----------------------------------------------------------------------------------


@transaction.atomic
def rates_update(*, owner, items: Sequence[RateItem]) -> int:
    """Set the prices (and currency) each item sends; return the number of room types changed.

    Fields an item leaves out keep their value; ``price_<month>: null`` clears a month's
    override. Items for the same room type apply in order. The room types are loaded
    locked (``SELECT … FOR UPDATE`` on PostgreSQL) so the values written back for fields
    another item sent cannot overwrite a concurrent change.
    """
    columns = sorted({name for item in items for name in item.prices} | {"currency" for i in items if i.currency})
    room_types = _owned_room_types(
        owner=owner, pairs=[(item.listing_id, item.room_type_id) for item in items], columns=columns, lock=True
    )
    changed: dict[int, RoomType] = {}
    for item in items:
        room_type = room_types[item.room_type_id]
        for name, value in item.prices.items():
            setattr(room_type, name, value)
        if item.currency:
            room_type.currency = item.currency
        changed[room_type.pk] = room_type
    now = timezone.now()
    for room_type in changed.values():
        room_type.updated_at = now
    room_types_update(list(changed.values()), [*columns, "updated_at"])
    return len(changed)


_SQL_TYPES = {"base_price": "numeric", "currency": "varchar", "updated_at": "timestamptz"}


def room_types_update(room_types: list[RoomType], columns: list[str]) -> None:
    """Write ``columns`` of ``room_types`` in one ``UPDATE … FROM`` statement.

    PostgreSQL reads the new values from ``unnest`` of one array per column, SQLite from
    one JSON document (``json_each``); other databases get the ORM's ``bulk_update``.
    """
    if not room_types:
        return
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        RoomType.objects.bulk_update(room_types, columns)
        return
    quote = connection.ops.quote_name
    table = quote(RoomType._meta.db_table)
    fields = [RoomType._meta.get_field(name) for name in columns]
    if vendor == "postgresql":
        arrays = ", ".join(f"%s::{_SQL_TYPES.get(name, 'numeric')}[]" for name in columns)
        assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in fields)
        aliases = ", ".join(quote(f.column) for f in fields)
        sql = (
            f"UPDATE {table} AS t SET {assignments} "  # noqa: S608 — names come from the model
            f"FROM unnest(%s::bigint[], {arrays}) AS v(id, {aliases}) WHERE t.id = v.id"
        )
        params: list[object] = [[room_type.pk for room_type in room_types]]
        params += [[getattr(room_type, f.attname) for room_type in room_types] for f in fields]
    else:
        # Values exactly as Django would store them (text for decimals and datetimes).
        assignments = ", ".join(
            f"{quote(f.column)} = json_extract(v.value, '$[{n}]')" for n, f in enumerate(fields, start=1)
        )
        sql = (
            f"UPDATE {table} SET {assignments} "  # noqa: S608
            f"FROM json_each(%s) AS v WHERE {table}.id = json_extract(v.value, '$[0]')"
        )
        document = [
            [room_type.pk, *(f.get_db_prep_save(getattr(room_type, f.attname), connection) for f in fields)]
            for room_type in room_types
        ]
        params = [json.dumps(document, default=str, separators=(",", ":"))]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- provider keys --------------------------------------------------------------------------

ProviderKeyStatus = Literal["created", "updated", "unchanged"]


provider_key_digest = keys.digest  # the same SHA-256 as API keys


@transaction.atomic
def provider_key_set(*, owner, provider: Provider, raw_key: str, api_key: ApiKey | None = None) -> ProviderKeyStatus:
    """Link ``owner``'s account at ``provider`` to the provider key ``raw_key``.

    ``created`` for a first link, ``unchanged`` when the same key is sent again, ``updated``
    when it replaces another key; 409 when the key is already linked to another account.
    Only the key's digest and, for keys of 8 characters or more, its last four characters
    are stored. The unique constraints settle races: a request that loses one reads
    again and answers from what the winner committed.
    """
    digest = provider_key_digest(raw_key)
    last4 = raw_key[-4:] if len(raw_key) >= 8 else ""
    for attempt in range(2):
        if ProviderAccountLink.objects.filter(provider=provider, key_digest=digest).exclude(owner=owner).exists():
            raise Conflict(
                "This provider API key is already linked to another account", code="provider_key_already_linked"
            )
        link = ProviderAccountLink.objects.select_for_update().filter(provider=provider, owner=owner).first()
        if link is not None and link.key_digest == digest:
            return "unchanged"
        try:
            with transaction.atomic():
                if link is None:
                    ProviderAccountLink.objects.create(
                        provider=provider, owner=owner, key_digest=digest, key_last4=last4, api_key=api_key
                    )
                    return "created"
                link.key_digest, link.key_last4, link.api_key = digest, last4, api_key
                link.save(update_fields=["key_digest", "key_last4", "api_key", "updated_at"])
                return "updated"
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")

"""Every write to listings that has a rule: the availability and rate pushes of a PMS or
channel manager, and the provider key a host links to its account
(``shared/spec/coliving-integrations-api.txt``: "Update Availability", "Update Rates";
``reference-notes.md``: ``provider-key``).

A push is all or nothing, and costs the same number of SQL statements however big it is
(on PostgreSQL): one query checks that every listing is the owner's (else 403 with the
ids), one loads and locks the room types (else 422 with the pairs that do not match), and
one statement writes everything — ``listings.inventory.nights_upsert`` for nights,
``UPDATE … FROM unnest(…)`` for rates — fed with one array per column, so neither the
statement nor its parameter count grows with the batch. Other databases take the ORM's
bulk operations (see ``listings/inventory.py`` for what that costs on SQLite).

Inventory semantics (DESIGN.md, "Inventory and bookings"): a pushed ``available`` is the
number of units still sellable that night; it *sets* the night, and bookings made here
then take units from it. Nights are written by ``listings/inventory.py`` only, which
documents the lock order a push follows: its room types first, then the nights in
``(room_type_id, date)`` order.

Services speak the domain: bad input is ``InvalidInput`` with paths such as
``("items", 3, "available")``; the API's input serializer names them on the wire.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Literal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from apikeys import keys
from apikeys.models import ApiKey, Provider
from coliving.api.errors import Conflict, FieldError, Forbidden, InvalidInput, Unprocessable
from coliving.api.tenancy import Tenant
from listings import limits
from listings.inventory import nights_upsert
from listings.limits import AvailabilityItem, RateItem
from listings.models import Listing, ProviderAccountLink, RoomType

# --- ownership ------------------------------------------------------------------------------


def _owned_room_types(
    *, owner, sandbox: bool, pairs: Sequence[tuple[int, int]], columns: Iterable[str] = (), lock: bool = False
) -> dict[int, RoomType]:
    """The room types named by ``pairs`` (``(listing_id, room_type_id)``), by id.

    Two queries whatever the number of pairs. Raises 403 naming every listing ``owner`` may
    not use (unknown ids included: existence is not leaked), then 422 naming every pair
    whose room type is not of that listing. ``lock`` loads them ``FOR NO KEY UPDATE`` in id
    order — step 1 of the inventory's lock order (``listings/inventory.py``); bookings'
    takes (``FOR KEY SHARE``) are not held up by it.
    """
    listing_ids = {listing_id for listing_id, _ in pairs}
    listings = Listing.objects.for_tenant(Tenant(owner=owner, sandbox=sandbox), "owner")
    owned = set(listings.filter(pk__in=listing_ids).values_list("pk", flat=True))
    unauthorized = sorted(listing_ids - owned)
    if unauthorized:
        raise Forbidden(
            "Unauthorized access to listings",
            code="unauthorized_listings",
            details={"unauthorized_listing_ids": unauthorized},
        )
    room_types = RoomType.objects.sellable().filter(
        pk__in={room_type_id for _, room_type_id in pairs}, listing_id__in=owned
    )
    room_types = room_types.only("pk", "listing_id", *columns).order_by("pk")
    if lock:
        room_types = room_types.select_for_update(of=("self",), no_key=True)
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


# --- availability ---------------------------------------------------------------------------


@transaction.atomic
def availability_update(
    *, owner, items: Sequence[AvailabilityItem], sandbox: bool = False
) -> limits.AvailabilityPushed:
    """Set the available units of every night of every item's range from today on; return
    the nights written and the nights skipped for being in the past.

    A PMS pushing "from today" in its own time zone is often a day behind UTC: the nights
    of a range before ``limits.today()`` are skipped and counted, not refused; an item
    whose range is entirely in the past is ``InvalidInput`` on ``items.<n>.end_date``.
    ``items`` were validated for shape and dates by the API's input serializer; this checks
    the push's size (``InvalidInput`` on ``items``), ownership (403), room types (422) and
    ``available <= amount`` (``InvalidInput`` on ``items.<n>.available``), against the
    room types' ``amount`` read under their lock. Items that overlap apply in order: the
    later one wins.
    """
    today = limits.today()
    past = [
        FieldError(("items", index, "end_date"), limits.past_range_message(today), "past_range")
        for index, item in enumerate(items)
        if item.end_date < today
    ]
    if past:
        raise InvalidInput(past)
    skipped = sum(max(0, (today - item.start_date).days) for item in items)
    nights = sum((item.end_date - max(item.start_date, today)).days + 1 for item in items)
    if nights > limits.MAX_NIGHTS:
        raise InvalidInput.single(
            ("items",),
            f"A push may set at most {limits.MAX_NIGHTS} nights in all; this one sets {nights}. Split it.",
            code="max_nights",
        )
    room_types = _owned_room_types(
        owner=owner,
        sandbox=sandbox,
        pairs=[(item.listing_id, item.room_type_id) for item in items],
        columns=("amount",),
        lock=True,
    )
    errors = [
        FieldError(
            ("items", index, "available"),
            f"Ensure this value is less than or equal to the room type's amount ({amount}).",
            "max_value",
        )
        for index, item in enumerate(items)
        if item.available > (amount := room_types[item.room_type_id].amount)
    ]
    if errors:
        raise InvalidInput(errors)

    # Ranges are expanded once, here; the dict keeps the later item's value for a night
    # two items share. Day ordinals are cheaper keys than dates.
    cells: dict[tuple[int, int], int] = {}
    for item in items:
        first = max(item.start_date, today).toordinal()
        for day in range(first, item.end_date.toordinal() + 1):
            cells[(item.room_type_id, day)] = item.available
    rows = sorted(cells.items())  # (room_type_id, date): the inventory's lock order
    nights_upsert(
        room_type_ids=[room_type_id for (room_type_id, _), _ in rows],
        dates=[date.fromordinal(day) for (_, day), _ in rows],
        available=[value for _, value in rows],
    )
    return limits.AvailabilityPushed(nights=len(rows), skipped_past_nights=skipped)


# --- rates ----------------------------------------------------------------------------------


@transaction.atomic
def rates_update(*, owner, items: Sequence[RateItem], sandbox: bool = False) -> int:
    """Set the prices (and currency) each item sends; return the number of room types changed.

    Fields an item leaves out keep their value; ``price_<month>: null`` clears a month's
    override. Items for the same room type apply in order. The room types are loaded
    locked (``FOR NO KEY UPDATE`` on PostgreSQL) so the values written back for fields
    another item sent cannot overwrite a concurrent change.
    """
    columns = sorted({name for item in items for name in item.prices} | {"currency" for i in items if i.currency})
    room_types = _owned_room_types(
        owner=owner,
        sandbox=sandbox,
        pairs=[(item.listing_id, item.room_type_id) for item in items],
        columns=columns,
        lock=True,
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
    """Write ``columns`` of ``room_types`` in one statement.

    PostgreSQL: ``UPDATE … FROM unnest(…)`` of one array per column. Other databases: the
    ORM's ``bulk_update`` (measured on SQLite: 200 room types × 14 prices in 0.23 s,
    against 0.016 s with a SQLite-only ``json_each`` statement — not worth a third dialect
    for the single-user embedded engine).
    """
    if not room_types:
        return
    if connection.vendor != "postgresql":
        RoomType.objects.bulk_update(room_types, columns)
        return
    quote = connection.ops.quote_name
    table = quote(RoomType._meta.db_table)
    pk = quote(RoomType._meta.pk.column)
    fields = [RoomType._meta.get_field(name) for name in columns]
    arrays = ", ".join(f"%s::{_SQL_TYPES.get(name, 'numeric')}[]" for name in columns)
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in fields)
    aliases = ", ".join(quote(f.column) for f in fields)
    sql = (
        f"UPDATE {table} AS t SET {assignments} "  # noqa: S608 — names come from the model
        f"FROM unnest(%s::bigint[], {arrays}) AS v(id, {aliases}) WHERE t.{pk} = v.id"
    )
    params: list[object] = [[room_type.pk for room_type in room_types]]
    params += [[getattr(room_type, f.attname) for room_type in room_types] for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- provider keys --------------------------------------------------------------------------

ProviderKeyStatus = Literal["created", "updated", "unchanged"]


provider_key_digest = keys.digest  # the same SHA-256 as API keys


@transaction.atomic
def provider_key_set(
    *, owner, provider: Provider, raw_key: str, api_key: ApiKey | None = None, sandbox: bool = False
) -> ProviderKeyStatus:
    """Link ``owner``'s account at ``provider`` to the provider key ``raw_key``.

    ``created`` for a first link, ``unchanged`` when the same key is sent again, ``updated``
    when it replaces another key; 409 when the key is already linked to another account.
    Only the key's digest and, for keys of 8 characters or more, its last four characters
    are stored. The unique constraints settle races: a request that loses one reads
    again and answers from what the winner committed. ``sandbox``: the link of ``owner``'s
    sandbox, kept apart from the live one and never matched against other accounts'.
    """
    digest = provider_key_digest(raw_key)
    last4 = raw_key[-4:] if len(raw_key) >= 8 else ""
    for attempt in range(2):
        others = ProviderAccountLink.objects.filter(provider=provider, key_digest=digest, is_sandbox=False)
        if not sandbox and others.exclude(owner=owner).exists():
            raise Conflict(
                "This provider API key is already linked to another account", code="provider_key_already_linked"
            )
        link = (
            ProviderAccountLink.objects.select_for_update()
            .filter(provider=provider, owner=owner, is_sandbox=sandbox)
            .first()
        )
        if link is not None and link.key_digest == digest:
            return "unchanged"
        try:
            with transaction.atomic():
                if link is None:
                    ProviderAccountLink.objects.create(
                        provider=provider,
                        owner=owner,
                        key_digest=digest,
                        key_last4=last4,
                        api_key=api_key,
                        is_sandbox=sandbox,
                    )
                    return "created"
                link.key_digest, link.key_last4, link.api_key = digest, last4, api_key
                link.save(update_fields=["key_digest", "key_last4", "api_key", "updated_at"])
                return "updated"
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")

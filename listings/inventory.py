"""The day-by-day inventory: every write to ``RoomTypeNight`` rows, and nothing else writes them.

A night holds the units of a room type still sellable that night; a night without a row
has the room type's ``amount`` (DESIGN.md, "Inventory and bookings"). Four writes:

- ``nights_take`` — a booking takes one unit of every night of its stay, all or none;
- ``nights_release`` — a cancellation or decline gives them back (never above ``amount``);
- ``nights_upsert`` — a PMS push sets nights outright;
- ``room_type_amount_change`` — a room type's ``amount`` changes and its stored nights
  move by the same step (kept within ``0 … amount``);
- ``room_blocks_apply`` — a room's host calendar (iCal) blocks nights: its blocks are
  replaced and every night whose blocks changed is recomputed as *units not blocked minus
  units held by bookings*; bookings that no longer fit are flagged (``BookingConflict``).

No night ever goes below zero: the take is conditional (``available >= 1``) and the
table's CHECK constraint is the backstop.

**Lock order** — every writer takes its locks in this order, so two writers queue for
each other instead of deadlocking:

1. the room type row(s), by id: ``FOR UPDATE`` to change ``amount``; ``FOR NO KEY UPDATE``
   for pushes (``listings.services``) and releases; ``FOR KEY SHARE`` for takes, so that
   concurrent bookings of one room type never queue on its row, only on the nights they
   share. Holding it while the nights are written means ``amount`` cannot change under a
   take, a release or a push (which all read it);
2. the nights, in ``(room_type_id, date)`` order: an upsert processes its rows in the
   order given (callers sort), and the UPDATEs lock through a sub-select ordered by date;
3. the feed tenants' change counters (``bookings/versions.py``), last, by the booking services.

**SQL dialects.** PostgreSQL, what production runs, gets two hand-written statements:
the push's ``INSERT … SELECT unnest(…) ON CONFLICT DO UPDATE`` (one statement however
many nights, fed with one array per column) and the take's upsert (one statement per
stay, below). Every other write is the ORM's and runs as is on both engines. SQLite — the
embedded default of ``make run``, one process, writers serialised by ``BEGIN IMMEDIATE`` —
and any other database take the ORM paths: ``bulk_create(update_conflicts=True)`` for a
push (measured on SQLite: 73,000 nights in 1.35 s against 0.27 s with a SQLite-only
``json_each`` statement; slower, and not worth a third dialect for a single-user
engine), and four statements for a take. Table and column names come from ``_meta``.

Hourly resources have no row per slot; their overlap and peak-units checks live in
``bookings/intervals.py``, not in a copy of this module.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from listings import limits
from listings.models import BookingConflict, Room, RoomNightBlock, RoomType, RoomTypeNight


def nights_of(checkin: date, checkout: date) -> list[date]:
    """The nights of a stay: ``checkin`` up to the night before ``checkout``."""
    return [checkin + timedelta(days=offset) for offset in range((checkout - checkin).days)]


def _columns() -> dict[str, str]:
    """Quoted table and column names of the two tables, for the hand-written statements."""
    quote = connection.ops.quote_name
    night, room_type = RoomTypeNight._meta, RoomType._meta
    return {
        "nights": quote(night.db_table),
        "room_type_id": quote(night.get_field("room_type").column),
        "date": quote(night.get_field("date").column),
        "available": quote(night.get_field("available").column),
        "room_types": quote(room_type.db_table),
        "id": quote(room_type.pk.column),
        "amount": quote(room_type.get_field("amount").column),
    }


def _in_lock_order(nights: QuerySet) -> QuerySet:
    """``nights`` for an UPDATE that locks them in date order (``… WHERE id IN (SELECT id …
    ORDER BY date FOR UPDATE)``; on SQLite the sub-select simply has no lock clause)."""
    locked = nights.order_by("date").select_for_update().values("pk")  # every caller passes one room type's nights
    return RoomTypeNight.objects.filter(pk__in=locked)


# --- take -------------------------------------------------------------------------------------


def nights_take(*, room_type_id: int, checkin: date, checkout: date) -> list[date]:
    """Take one unit of every night from ``checkin`` to the night before ``checkout``.

    All or none: returns the nights that had no unit left (and then has taken nothing),
    or ``[]`` when every night was taken. The caller's transaction keeps the nights
    locked until it ends. Because it never leaves a partial take behind, the caller
    needs no savepoint around it (and must not raise inside its transaction to undo it).
    A failed take may leave rows behind for nights that had none: they hold ``amount``,
    exactly what a missing row means.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("nights_take() must run inside the booking's transaction")
    nights = nights_of(checkin, checkout)
    if not nights:
        return []
    if connection.vendor == "postgresql":
        return _take_postgresql(room_type_id, nights)
    return nights_take_orm(room_type_id=room_type_id, nights=nights)


def _take_postgresql(room_type_id: int, nights: list[date]) -> list[date]:
    """One statement: lock the room type ``FOR KEY SHARE`` (read its current ``amount``),
    then upsert every night in date order — a missing night is inserted with ``amount - 1``,
    an existing one is decremented if it has a unit left. ``ON CONFLICT DO UPDATE`` locks
    each existing row and re-checks ``available`` on its latest committed version, so two
    concurrent takes of the last unit cannot both win; rows inserted concurrently turn
    into the update path. ``RETURNING`` names the nights taken; if some are missing, the
    ones taken are given back at once under the locks already held.
    """
    c = _columns()
    sql = (
        f"INSERT INTO {c['nights']} AS night ({c['room_type_id']}, {c['date']}, {c['available']}) "  # noqa: S608
        f"SELECT %s, wanted.day, room_type.{c['amount']} - 1 "
        f"FROM (SELECT {c['amount']} FROM {c['room_types']} WHERE {c['id']} = %s FOR KEY SHARE) AS room_type, "
        "unnest(%s::date[]) WITH ORDINALITY AS wanted(day, n) "
        f"WHERE room_type.{c['amount']} >= 1 "
        "ORDER BY wanted.n "
        f"ON CONFLICT ({c['room_type_id']}, {c['date']}) DO UPDATE SET {c['available']} = night.{c['available']} - 1 "
        f"WHERE night.{c['available']} >= 1 "
        f"RETURNING {c['date']}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [room_type_id, room_type_id, nights])
        taken = {row[0] for row in cursor.fetchall()}
    if len(taken) == len(nights):
        return []
    if taken:
        RoomTypeNight.objects.filter(room_type_id=room_type_id, date__in=taken).update(available=F("available") + 1)
    return [night for night in nights if night not in taken]


def nights_take_orm(*, room_type_id: int, nights: list[date]) -> list[date]:
    """The portable take, in four statements: lock the room type and read ``amount``,
    insert the missing nights with it, lock the nights in date order and read them, and
    decrement them all if none is full. Correct wherever row locks exist, and on SQLite,
    whose writers are serialised."""
    amount = RoomType.objects.select_for_update().filter(pk=room_type_id).values_list("amount", flat=True).first()
    if amount is None:
        return list(nights)
    RoomTypeNight.objects.bulk_create(
        [RoomTypeNight(room_type_id=room_type_id, date=night, available=amount) for night in nights],
        ignore_conflicts=True,
    )
    stay = RoomTypeNight.objects.filter(room_type_id=room_type_id, date__gte=nights[0], date__lte=nights[-1])
    current = dict(stay.order_by("date").select_for_update().values_list("date", "available"))
    full = [night for night in nights if not current.get(night)]  # no unit left (never below 0), or no row
    if not full:
        stay.update(available=F("available") - 1)
    return full


# --- release ----------------------------------------------------------------------------------


def nights_release(*, room_type_id: int, checkin: date, checkout: date) -> int:
    """Give back one unit of every night of a stay, never above the room type's ``amount``
    (a PMS push may since have set the night to what the host has in hand); return the
    nights changed. Two statements, both the ORM's: the room type locked ``FOR NO KEY
    UPDATE`` (its ``amount`` cannot change meanwhile), then one UPDATE locking the nights
    in date order."""
    amount = (
        RoomType.objects.select_for_update(no_key=True).filter(pk=room_type_id).values_list("amount", flat=True).get()
    )
    stay = RoomTypeNight.objects.filter(room_type_id=room_type_id, date__gte=checkin, date__lt=checkout)
    return _in_lock_order(stay).update(available=Least(F("available") + 1, Value(amount)))


# --- push -------------------------------------------------------------------------------------


def nights_upsert(*, room_type_ids: list[int], dates: list[date], available: list[int]) -> None:
    """Insert or overwrite the nights ``zip(room_type_ids, dates, available)``.

    The caller sorts the rows by ``(room_type_id, date)`` (the lock order) and makes them
    unique. On PostgreSQL one statement whatever the number of rows, fed with one array
    per column; rows whose value does not change are left alone (no dead tuple for a PMS
    re-sending the same calendar). Elsewhere ``nights_upsert_orm``.
    """
    if not room_type_ids:
        return
    if connection.vendor != "postgresql":
        nights_upsert_orm(room_type_ids=room_type_ids, dates=dates, available=available)
        return
    c = _columns()
    sql = (
        f"INSERT INTO {c['nights']} AS night ({c['room_type_id']}, {c['date']}, {c['available']}) "  # noqa: S608
        "SELECT * FROM unnest(%s::bigint[], %s::date[], %s::integer[]) "
        f"ON CONFLICT ({c['room_type_id']}, {c['date']}) DO UPDATE SET {c['available']} = EXCLUDED.{c['available']} "
        f"WHERE night.{c['available']} IS DISTINCT FROM EXCLUDED.{c['available']}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [room_type_ids, dates, available])


def nights_upsert_orm(*, room_type_ids: list[int], dates: list[date], available: list[int]) -> None:
    """The portable ``nights_upsert``: Django's ``bulk_create`` upsert, in batches."""
    RoomTypeNight.objects.bulk_create(
        [
            RoomTypeNight(room_type_id=rt, date=day, available=value)
            for rt, day, value in zip(room_type_ids, dates, available, strict=True)
        ],
        update_conflicts=True,
        unique_fields=["room_type", "date"],
        update_fields=["available"],
        batch_size=5000,  # pragma: no mutate (bounds a statement's size: any batch size writes the same rows)
    )


# --- amount -----------------------------------------------------------------------------------


def room_type_amount_change(*, room_type: RoomType, amount: int) -> RoomType:
    """Set how many units a room type has, and move its stored nights by the same step.

    A night without a row has ``amount``; a stored night holds ``amount`` minus what was
    booked (or what a PMS pushed). Changing ``amount`` must move the stored nights from
    today on too, or a night would keep selling the old number of units. Nights are kept
    within ``0 … amount`` (a PMS pushing afterwards sets them outright again). The room
    type is locked ``FOR UPDATE`` first: no take, release or push of it runs meanwhile.
    """
    with transaction.atomic():
        old = RoomType.objects.select_for_update().values_list("amount", flat=True).get(pk=room_type.pk)
        room_type.amount = amount
        RoomType.objects.filter(pk=room_type.pk).update(amount=amount, updated_at=timezone.now())
        if amount != old:
            stored = RoomTypeNight.objects.filter(room_type_id=room_type.pk, date__gte=limits.today())
            _in_lock_order(stored).update(
                available=Greatest(Value(0), Least(Value(amount), F("available") + (amount - old)))
            )
        return room_type


# --- iCal blocks ------------------------------------------------------------------------------


def room_blocks_apply(*, room: Room, nights: set[date], source_url: str, start: date, end: date) -> dict:
    """Make ``nights`` (within ``start`` … the night before ``end``) the nights ``room`` is
    blocked by its calendar at ``source_url``, and bring its room type's nights in line.

    Lock order as everywhere: the room type row ``FOR UPDATE`` first — a take holds it
    ``FOR KEY SHARE``, so no booking of this room type commits half-way through the count
    below, and ``amount`` cannot move — then the nights, written in date order by
    ``nights_upsert``. Only nights whose blocks changed are recomputed, each as
    ``amount − active rooms blocked that night − bookings holding it``, never below zero
    (the CHECK constraint). A night where that would go below zero *and* bookings hold
    units is oversold by the host's calendar: the latest bookings of that night, as many
    as are over, get an open ``BookingConflict`` (created once, its nights growing) for
    staff — the booking itself is left as it is. Returns the nights added, removed and
    the bookings flagged.
    """
    with transaction.atomic():
        from django.apps import apps

        booking_model = apps.get_model("bookings", "Booking")
        room_type_id = room.room_type_id
        amount = RoomType.objects.select_for_update().filter(pk=room_type_id).values_list("amount", flat=True).get()
        wanted = {night for night in nights if start <= night < end}
        blocks = RoomNightBlock.objects.filter(room=room, date__gte=start, date__lt=end)
        current = set(blocks.values_list("date", flat=True))
        added, removed = sorted(wanted - current), sorted(current - wanted)
        if removed:
            blocks.filter(date__in=removed).delete()
        blocks.exclude(source_url=source_url).update(source_url=source_url)
        if added:
            RoomNightBlock.objects.bulk_create(
                [RoomNightBlock(room=room, date=night, source_url=source_url) for night in added]
            )
        changed = sorted(set(added) | set(removed))
        flagged: list[int] = []
        if changed:
            flagged = _nights_recompute(room_type_id, amount, changed, source_url, booking_model)
        return {"added": added, "removed": removed, "flagged": flagged}


def _nights_recompute(room_type_id: int, amount: int, dates: list[date], source_url: str, booking_model) -> list[int]:
    blocked = dict.fromkeys(dates, 0)
    active_blocks = RoomNightBlock.objects.filter(
        room__room_type_id=room_type_id, room__is_active=True, date__in=dates
    ).values_list("date", flat=True)
    for night in active_blocks:
        blocked[night] += 1
    holding = booking_model.objects.filter(
        room_type_id=room_type_id,
        status__in=booking_model.HOLDING,
        checkin__lte=dates[-1],
        checkout__gt=dates[0],
    ).order_by("-created_at", "-id")
    bookings = list(holding.values_list("id", "checkin", "checkout"))
    available, over = [], {}
    for night in dates:
        booked = [pk for pk, checkin, checkout in bookings if checkin <= night < checkout]
        free = amount - blocked[night] - len(booked)
        available.append(max(0, free))
        # The latest bookings of the night, as many as the night is over by (none if it is not).
        for pk in booked[: max(0, -free)]:
            over.setdefault(pk, []).append(night.isoformat())
    nights_upsert(room_type_ids=[room_type_id] * len(dates), dates=dates, available=available)
    for booking_id, over_nights in over.items():
        conflict = (
            BookingConflict.objects.select_for_update().filter(booking_id=booking_id, resolved_at__isnull=True).first()
        )
        if conflict is None:
            BookingConflict.objects.create(
                booking_id=booking_id, room_type_id=room_type_id, nights=over_nights, source_url=source_url
            )
            continue
        grown = sorted(set(conflict.nights) | set(over_nights))
        if grown != conflict.nights:
            conflict.nights = grown
            conflict.save(update_fields=["nights"])
    return sorted(over)

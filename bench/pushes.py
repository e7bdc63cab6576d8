"""The pushes of ``make bench``, each timed through the real HTTP endpoint on the run's
gunicorn server and against a baseline timed in this process in the same run.

- **Availability** — one ``POST /v2/integrations/mangobeds/availability`` of 200 items, one
  per room type, each a 365-night range: 73,000 nights. Against its physical limit: the
  very upsert statement the service ends with (``nights_upsert``), executed directly with
  the same rows (the same order, the same values) and committed, as the request commits.
  The HTTP side adds everything else a push does: JSON parsing, validation, the ownership
  and room type queries, expanding the ranges, DRF, HTTP. First both insert (the nights
  are deleted and the table vacuumed in between), then both overwrite ``REPEATS`` times,
  alternating, every write changing every night (the statement skips unchanged rows).
  Target: the push at least ``AVAILABILITY_TARGET`` (0.5) of the direct statement's speed.
- **Rates** — one ``POST …/rates`` of 5,000 items (a host of its own, ``bench/data.py``),
  each with ``base_price``, the twelve months and ``currency``, against one ``save()`` per
  room type with the same 13 prices, in this process, rolled back; medians of ``REPEATS``
  each, alternating. Target: the push at least ``RATES_TARGET`` (20×) faster. Beside it,
  the service's own ``UPDATE`` statement alone with the same prices (rolled back): one by
  one divided by it is the most any push of those rows could reach.

For both, the time this process takes to parse and validate the same body with the view's
input serializer is printed beside the HTTP time, as the part of it that is neither the
database nor HTTP.

``BENCH_ONE_BY_ONE_ROOM_TYPES`` (0: off) also times the availability push's naive form, one
``update_or_create`` per night (a pass inserting, a pass overwriting, rolled back), on that
many room types, scaled to the 200: informational, about 1.2 s per room type.
"""

from __future__ import annotations

import os
import statistics
import time
import urllib.error
import urllib.request
from datetime import timedelta
from decimal import Decimal

import orjson

AVAILABILITY_TARGET = 0.5
RATES_TARGET = 20.0
NIGHTS = 365
REPEATS = 3
AVAILABILITY = "/v2/integrations/mangobeds/availability"
RATES = "/v2/integrations/mangobeds/rates"


class _Rollback(Exception):
    pass


def _post(base: str, path: str, key: str, body: bytes) -> float:
    request = urllib.request.Request(
        base + path, data=body, method="POST", headers={"X-API-Key": key, "Content-Type": "application/json"}
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            answer = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status, answer = error.code, error.read()
    elapsed = time.perf_counter() - started
    if status != 200:
        raise RuntimeError(f"POST {path} answered {status}: {answer[:500]!r}")
    return elapsed


def _parse_and_validate(view, body: bytes) -> float:
    """Seconds to parse ``body`` and validate it with ``view``'s input serializer, in process."""
    started = time.perf_counter()
    serializer = view.input_serializer_class(data=orjson.loads(body))
    valid = serializer.is_valid()
    elapsed = time.perf_counter() - started
    if not valid:
        raise RuntimeError(f"{view.__name__}: the bench's body does not validate: {str(serializer.errors)[:500]}")
    return elapsed


# --- availability ------------------------------------------------------------------------------


def _availability_body(pairs, start, available: int) -> bytes:
    end = (start + timedelta(days=NIGHTS - 1)).isoformat()
    items = [
        {
            "listing_id": listing,
            "room_type_id": room_type,
            "available": available,
            "start_date": start.isoformat(),
            "end_date": end,
        }
        for listing, room_type in pairs
    ]
    return orjson.dumps({"data": items})


def _direct_upsert(room_type_ids: list[int], start, available: int) -> float:
    """Seconds for the push's upsert statement alone, with the rows the push writes, committed."""
    from django.db import transaction

    from listings.inventory import nights_upsert  # the statement the service ends with

    days = [start + timedelta(days=n) for n in range(NIGHTS)]
    ids = sorted(room_type_ids)  # the service's order: (room_type_id, date)
    rows = ([rt for rt in ids for _ in days], [day for _ in ids for day in days], [available] * (len(ids) * NIGHTS))
    started = time.perf_counter()
    with transaction.atomic():
        nights_upsert(room_type_ids=rows[0], dates=rows[1], available=rows[2])
    return time.perf_counter() - started


def _clear_nights(room_type_ids: list[int]) -> None:
    from django.db import connection

    from listings.models import RoomTypeNight

    RoomTypeNight.objects.filter(room_type_id__in=room_type_ids).delete()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {RoomTypeNight._meta.db_table}")


def _nights_one_by_one(room_type_ids: list[int], start, values: tuple[int, int]) -> tuple[float, float]:
    """Seconds for a pass of ``update_or_create`` inserting, then one overwriting, every
    night of ``room_type_ids``; rolled back."""
    from django.db import transaction

    from listings.models import RoomTypeNight

    days = [start + timedelta(days=n) for n in range(NIGHTS)]
    timings = []
    try:
        with transaction.atomic():
            RoomTypeNight.objects.filter(room_type_id__in=room_type_ids).delete()
            for value in values:
                started = time.perf_counter()
                for room_type_id in room_type_ids:
                    for day in days:
                        RoomTypeNight.objects.update_or_create(
                            room_type_id=room_type_id, date=day, defaults={"available": value}
                        )
                timings.append(time.perf_counter() - started)
            raise _Rollback
    except _Rollback:
        pass
    return timings[0], timings[1]


def _availability(base: str, context: dict) -> dict:
    from listings import limits
    from listings.api.views import AvailabilityUpdateView
    from listings.models import RoomTypeNight

    key, pairs = context["api_key"], context["push_room_types"]
    ids = [room_type for _listing, room_type in pairs]
    start = limits.today()
    result: dict = {"room_types": len(ids), "nights": len(ids) * NIGHTS}

    # Insert: over HTTP into no nights; then, the nights deleted and vacuumed, directly.
    result["http_insert_s"] = _post(base, AVAILABILITY, key, _availability_body(pairs, start, 3))
    written = RoomTypeNight.objects.filter(room_type_id__in=ids, available=3).count()
    if written != result["nights"]:
        raise RuntimeError(f"the availability push wrote {written} nights, not {result['nights']}")
    _clear_nights(ids)
    result["direct_insert_s"] = _direct_upsert(ids, start, 3)

    # Overwrites, alternating HTTP and direct; each write flips every night (3 ↔ 4).
    http, direct, value = [], [], 3
    for _ in range(REPEATS):
        value = 7 - value
        http.append(_post(base, AVAILABILITY, key, _availability_body(pairs, start, value)))
        value = 7 - value
        direct.append(_direct_upsert(ids, start, value))
    result["http_overwrite_s"] = statistics.median(http)
    result["direct_overwrite_s"] = statistics.median(direct)
    result["ratio_insert"] = result["direct_insert_s"] / result["http_insert_s"]
    result["ratio_overwrite"] = result["direct_overwrite_s"] / result["http_overwrite_s"]
    result["validate_s"] = statistics.median(
        _parse_and_validate(AvailabilityUpdateView, _availability_body(pairs, start, 4)) for _ in range(REPEATS)
    )

    sample = min(len(ids), int(os.environ.get("BENCH_ONE_BY_ONE_ROOM_TYPES") or 0))
    if sample:
        insert_s, overwrite_s = _nights_one_by_one(ids[:sample], start, (3, 4))
        scale = len(ids) / sample
        result.update(
            one_by_one_room_types=sample,
            one_by_one_insert_s=insert_s * scale,
            one_by_one_overwrite_s=overwrite_s * scale,
        )
    return result


# --- rates -------------------------------------------------------------------------------------


def _rates_body(pairs, base: int) -> bytes:
    from listings.models import MONTH_PRICE_FIELDS

    items = [
        {
            "listing_id": listing,
            "room_type_id": room_type,
            "base_price": base,
            **{name: base + month for month, name in enumerate(MONTH_PRICE_FIELDS, start=1)},
            "currency": "EUR",
        }
        for listing, room_type in pairs
    ]
    return orjson.dumps({"data": items})


def _rates_one_by_one(room_type_ids: list[int], base: int) -> float:
    """Seconds for one ``save()`` per room type with 13 new prices; rolled back."""
    from django.db import transaction

    from listings.models import MONTH_PRICE_FIELDS, RoomType

    elapsed = 0.0
    try:
        with transaction.atomic():
            room_types = list(RoomType.objects.filter(pk__in=room_type_ids).order_by("pk"))
            for room_type in room_types:
                room_type.base_price, room_type.currency = Decimal(base), "EUR"
                for month, name in enumerate(MONTH_PRICE_FIELDS, start=1):
                    setattr(room_type, name, Decimal(base + month))
            started = time.perf_counter()
            for room_type in room_types:
                room_type.save()
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return elapsed


def _rates_statement(room_type_ids: list[int], base: int) -> float:
    """Seconds for the rates service's last step alone: its one ``UPDATE … FROM unnest`` of
    the 13 prices, the currency and ``updated_at`` of every room type; rolled back."""
    from django.db import transaction
    from django.utils import timezone

    from listings.models import MONTH_PRICE_FIELDS, RoomType
    from listings.services import room_types_update  # the statement the rates service ends with

    columns = ["base_price", "currency", *MONTH_PRICE_FIELDS, "updated_at"]
    elapsed = 0.0
    try:
        with transaction.atomic():
            room_types = list(RoomType.objects.filter(pk__in=room_type_ids).only("pk", *columns).order_by("pk"))
            now = timezone.now()
            for room_type in room_types:
                room_type.base_price, room_type.currency, room_type.updated_at = Decimal(base), "EUR", now
                for month, name in enumerate(MONTH_PRICE_FIELDS, start=1):
                    setattr(room_type, name, Decimal(base + month))
            started = time.perf_counter()
            room_types_update(room_types, columns)
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return elapsed


def _rates(base: str, context: dict) -> dict:
    from listings.api.views import RatesUpdateView

    key, pairs = context["rates_api_key"], context["rates_room_types"]
    ids = [room_type for _listing, room_type in pairs]
    http, naive, statement = [], [], []
    for n in range(REPEATS):
        http.append(_post(base, RATES, key, _rates_body(pairs, 700 + 10 * n)))
        naive.append(_rates_one_by_one(ids, 900 + 10 * n))
        statement.append(_rates_statement(ids, 1100 + 10 * n))
    result = {
        "room_types": len(ids),
        "http_s": statistics.median(http),
        "one_by_one_s": statistics.median(naive),
        "statement_s": statistics.median(statement),
        "validate_s": statistics.median(
            _parse_and_validate(RatesUpdateView, _rates_body(pairs, 800 + n)) for n in range(REPEATS)
        ),
    }
    result["ratio"] = result["one_by_one_s"] / result["http_s"]
    return result


def run(base: str, context: dict) -> dict:
    """Time both pushes and their baselines; return the figures ``report`` prints."""
    from django.db import connection

    result = {"availability": _availability(base, context), "rates": _rates(base, context)}
    # The rolled-back writes left dead rows; clear them before the load runs.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE listings_roomtypenight")
        cursor.execute("VACUUM ANALYZE listings_roomtype")
    return result


def report(result: dict) -> int:
    """Print the push table; return how many pushes missed their target."""
    nights, rates = result["availability"], result["rates"]
    print()
    print("Pushes: one HTTP request (gunicorn) against a baseline in this process, same rows, same run:")
    print(f"  {'push':<44}{'HTTP s':>8}{'base s':>8}{'ratio':>8}   target")
    missed = 0
    rows = [
        (f"availability, insert ({nights['nights']:,} nights)", nights["http_insert_s"], nights["direct_insert_s"],
         nights["ratio_insert"], AVAILABILITY_TARGET),
        ("availability, overwrite (median)", nights["http_overwrite_s"], nights["direct_overwrite_s"],
         nights["ratio_overwrite"], AVAILABILITY_TARGET),
        (f"rates, {rates['room_types']:,} room types × 13 prices", rates["http_s"], rates["one_by_one_s"],
         rates["ratio"], RATES_TARGET),
    ]  # fmt: skip
    for label, http, baseline, ratio, target in rows:
        ok = ratio >= target
        missed += not ok
        print(f"  {label:<44}{http:>8.3f}{baseline:>8.3f}{ratio:>7.2f}×   ≥ {target:g}×: {'ok' if ok else 'MISSED'}")
    print("  availability: base = the upsert statement alone (listings.inventory.nights_upsert), committed; ratio =")
    print("  base s ÷ HTTP s, the share of the statement's speed the push keeps (1.00: all of it).")
    print("  rates: base = one RoomType.save() per room type (rolled back); ratio = base s ÷ HTTP s.")
    print(
        f"  rates: the service's UPDATE statement alone takes {rates['statement_s']:.3f} s: one by one is "
        f"{rates['one_by_one_s'] / rates['statement_s']:.1f}× that, the most any push of these rows could be."
    )
    print(
        f"  Parsing and validating the body in process (the view's input serializer): availability "
        f"{nights['validate_s']:.3f} s, rates {rates['validate_s']:.3f} s of the HTTP time above."
    )
    if "one_by_one_room_types" in nights:
        insert, overwrite = nights["one_by_one_insert_s"], nights["one_by_one_overwrite_s"]
        print(
            f"  One update_or_create per night (timed on {nights['one_by_one_room_types']} room types, scaled): "
            f"insert {insert:.1f} s ({insert / nights['http_insert_s']:.0f}× the push), "
            f"overwrite {overwrite:.1f} s ({overwrite / nights['http_overwrite_s']:.0f}×)."
        )
    return missed

"""The pushes of ``make bench``: one availability push of 200 room types × 365 nights and
one rates push of 200 room types × 13 prices through the real HTTP endpoints, against
saving the same rows one by one through the ORM, timed in this process in the same run.

- HTTP side: ``POST /v2/integrations/mangobeds/availability`` (200 items, one per room type,
  each a 365-night range: 73,000 nights in one request, well under the 1000-item cap) and
  ``…/rates`` (200 items with ``base_price``, the twelve months and ``currency``), timed
  from sending to the end of the answer, on the gunicorn server of the run. The first
  availability push inserts the nights; the next ones overwrite them with another value
  (median). Rates: median of ``REPEATS`` pushes, each with new prices.
- One-by-one side, in this process, no HTTP (which flatters it): one
  ``RoomTypeNight.objects.update_or_create`` per night, a pass that inserts then a pass
  that overwrites, inside a transaction rolled back; one ``save()`` per room type for the
  rates. Both in one transaction, which flatters it again (a loop in a view without
  ``ATOMIC_REQUESTS`` would commit every save). The night loop costs the same for every
  night (the same statements each time), so it is timed on the first
  ``BENCH_ONE_BY_ONE_ROOM_TYPES`` room types (20: 7,300 nights, ~25 s) and scaled to 73,000;
  200 times it all. The table says which.

Target (the issue): the push at least 20× faster than one by one.
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

TARGET = 20.0
NIGHTS = 365
REPEATS = 3


def _post(base: str, path: str, key: str, payload: dict) -> float:
    body = orjson.dumps(payload)
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


def _availability_payload(pairs, start, available: int) -> dict:
    end = (start + timedelta(days=NIGHTS - 1)).isoformat()
    return {
        "data": [
            {
                "listing_id": listing,
                "room_type_id": room_type,
                "available": available,
                "start_date": start.isoformat(),
                "end_date": end,
            }
            for listing, room_type in pairs
        ]
    }


def _nights_one_by_one(room_type_ids: list[int], start, values: tuple[int, int]) -> tuple[float, float]:
    """Seconds for a pass of ``update_or_create`` inserting, then one overwriting, every
    night of ``room_type_ids``; rolled back."""
    from django.db import transaction

    from listings.models import RoomTypeNight

    days = [start + timedelta(days=n) for n in range(NIGHTS)]
    timings = []

    class Rollback(Exception):
        pass

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
            raise Rollback
    except Rollback:
        pass
    return timings[0], timings[1]


def _rates_payload(pairs, base: int) -> dict:
    from listings.models import MONTH_PRICE_FIELDS

    return {
        "data": [
            {
                "listing_id": listing,
                "room_type_id": room_type,
                "base_price": base,
                **{name: base + month for month, name in enumerate(MONTH_PRICE_FIELDS, start=1)},
                "currency": "EUR",
            }
            for listing, room_type in pairs
        ]
    }


def _rates_one_by_one(room_type_ids: list[int], base: int) -> float:
    """Seconds for one ``save()`` per room type with 13 new prices; rolled back."""
    from django.db import transaction

    from listings.models import MONTH_PRICE_FIELDS, RoomType

    class Rollback(Exception):
        pass

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
            raise Rollback
    except Rollback:
        pass
    return elapsed


def run(base: str, context: dict) -> dict:
    """Time both pushes both ways; return the figures ``report`` prints."""
    from django.db import connection

    from listings import services
    from listings.models import RoomTypeNight

    key = context["api_key"]
    pairs = context["push_room_types"]
    ids = [room_type for _listing, room_type in pairs]
    start = services.today()
    path = "/v2/integrations/mangobeds/availability"
    result: dict = {"room_types": len(ids), "nights": len(ids) * NIGHTS}

    # Availability over HTTP: insert, then overwrites alternating the value.
    result["http_insert_s"] = _post(base, path, key, _availability_payload(pairs, start, 3))
    written = RoomTypeNight.objects.filter(room_type_id__in=ids, available=3).count()
    if written != result["nights"]:
        raise RuntimeError(f"the availability push wrote {written} nights, not {result['nights']}")
    overwrites = [_post(base, path, key, _availability_payload(pairs, start, 4 - n % 2)) for n in range(REPEATS)]
    result["http_overwrite_s"] = statistics.median(overwrites)

    # Availability one by one, in process, on a sample of the room types (scaled).
    sample = max(1, min(len(ids), int(os.environ.get("BENCH_ONE_BY_ONE_ROOM_TYPES") or 20)))
    insert_s, overwrite_s = _nights_one_by_one(ids[:sample], start, (3, 4))
    scale = len(ids) / sample
    result.update(
        sample_room_types=sample,
        sample_nights=sample * NIGHTS,
        one_by_one_insert_s=insert_s * scale,
        one_by_one_overwrite_s=overwrite_s * scale,
    )
    result["ratio_insert"] = result["one_by_one_insert_s"] / result["http_insert_s"]
    result["ratio_overwrite"] = result["one_by_one_overwrite_s"] / result["http_overwrite_s"]

    # Rates: REPEATS pushes and REPEATS one-by-one passes, alternating, medians.
    http, naive = [], []
    for n in range(REPEATS):
        http.append(_post(base, "/v2/integrations/mangobeds/rates", key, _rates_payload(pairs, 700 + 10 * n)))
        naive.append(_rates_one_by_one(ids, 900 + 10 * n))
    result["rates_http_s"] = statistics.median(http)
    result["rates_one_by_one_s"] = statistics.median(naive)
    result["rates_ratio"] = result["rates_one_by_one_s"] / result["rates_http_s"]

    # The rolled-back inserts left dead rows; clear them before the load runs.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE listings_roomtypenight")
        cursor.execute("VACUUM ANALYZE listings_roomtype")
    return result


def report(result: dict) -> int:
    """Print the push table; return how many pushes missed the target."""
    sample = result["sample_room_types"]
    scale = result["room_types"] / sample
    how = (
        "all of them"
        if sample == result["room_types"]
        else f"timed on {sample} room types ({result['sample_nights']:,} nights), scaled ×{scale:g}"
    )
    rows = [
        (
            f"availability, insert ({result['nights']:,} nights)",
            result["http_insert_s"],
            result["one_by_one_insert_s"],
            result["ratio_insert"],
        ),
        (
            "availability, overwrite (median)",
            result["http_overwrite_s"],
            result["one_by_one_overwrite_s"],
            result["ratio_overwrite"],
        ),
        (
            f"rates, {result['room_types']} room types × 13 prices",
            result["rates_http_s"],
            result["rates_one_by_one_s"],
            result["rates_ratio"],
        ),
    ]
    print()
    print("Pushes: one HTTP request (gunicorn) vs one ORM save per row (in process, rolled back):")
    print(f"  {'push':<40}{'HTTP s':>9}{'1-by-1 s':>10}{'ratio':>8}   target")
    missed = 0
    for label, http, naive, ratio in rows:
        ok = ratio >= TARGET
        missed += not ok
        print(f"  {label:<40}{http:>9.3f}{naive:>10.2f}{ratio:>7.1f}×   ≥ {TARGET:.0f}×: {'ok' if ok else 'MISSED'}")
    print(f"  one by one: update_or_create per night ({how}); save() per room type.")
    print(
        "  HTTP includes the request, JSON parsing, validation and the answer; the one-by-one side has none of those."
    )
    return missed

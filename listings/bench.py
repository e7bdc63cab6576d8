"""Service-level benchmarks of the bulk pushes, run by hand — never as a timed test.

    DATABASE_URL=postgres://… .venv/bin/python manage.py shell -c "from listings import bench; bench.report()"

Each function makes its own data inside a transaction that it rolls back, times the bulk
path and the naive one-by-one ORM path in the same process on the same rows, and returns
the timings and the ratio (one-by-one / bulk). Both paths run in one transaction, which
flatters the naive one (a view without ATOMIC_REQUESTS would commit every save). The
availability push is also timed against its physical limit: the upsert statement it ends
with, alone, with the same rows. ``make bench`` measures the same pushes over HTTP.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from time import perf_counter
from typing import Any

import orjson
from django.db import connection, transaction
from django.http import HttpResponse

from accounts.models import User
from listings import inventory, limits, services
from listings.inventory import nights_upsert  # the statement the availability service ends with
from listings.models import MONTH_PRICE_FIELDS, Listing, RoomType, RoomTypeNight

ROOM_TYPES_PER_LISTING = 10


class _Rollback(Exception):
    pass


def _timed(call) -> float:
    started = perf_counter()
    call()
    return perf_counter() - started


def _room_types(count: int) -> tuple[User, list[RoomType]]:
    owner = User.objects.create(email=f"bench-{uuid.uuid4().hex}@example.com")
    room_types = []
    for first in range(0, count, ROOM_TYPES_PER_LISTING):
        listing = Listing.objects.create(host=owner, name=f"Bench listing {first}")
        room_types += RoomType.objects.bulk_create(
            RoomType(listing=listing, name=f"Bench room type {n}", amount=10)
            for n in range(first, min(first + ROOM_TYPES_PER_LISTING, count))
        )
    return owner, room_types


def availability(*, room_types: int = 200, nights: int = 365) -> dict[str, Any]:
    """Push ``nights`` nights of ``room_types`` room types: the service vs one save per night."""
    result: dict[str, Any] = {"vendor": connection.vendor, "nights": room_types * nights}
    try:
        with transaction.atomic():
            owner, rts = _room_types(room_types)
            start = limits.today()
            end = start + timedelta(days=nights - 1)

            def items(value: int) -> list[services.AvailabilityItem]:
                return [services.AvailabilityItem(rt.listing_id, rt.pk, value, start, end) for rt in rts]

            def wipe() -> None:
                RoomTypeNight.objects.filter(room_type__in=rts).delete()

            # The service: ownership, room types, range expansion and one upsert statement.
            result["bulk_insert_s"] = _timed(lambda: services.availability_update(owner=owner, items=items(3)))
            result["bulk_overwrite_s"] = _timed(lambda: services.availability_update(owner=owner, items=items(4)))
            wipe()

            # The service's last step alone: its upsert statement with the same rows (its order).
            days = [start + timedelta(days=n) for n in range(nights)]
            ids = [rt.pk for rt in sorted(rts, key=lambda rt: rt.pk) for _ in days]
            dates = [day for _ in rts for day in days]
            result["statement_insert_s"] = _timed(
                lambda: nights_upsert(room_type_ids=ids, dates=dates, available=[3] * len(ids))
            )
            result["statement_overwrite_s"] = _timed(
                lambda: nights_upsert(room_type_ids=ids, dates=dates, available=[4] * len(ids))
            )
            wipe()

            # Django's bulk_create(update_conflicts=True), batches of 5000, same rows.
            result["orm_bulk_create_insert_s"] = _timed(
                lambda: inventory.nights_upsert_orm(room_type_ids=ids, dates=dates, available=[3] * len(ids))
            )
            result["orm_bulk_create_overwrite_s"] = _timed(
                lambda: inventory.nights_upsert_orm(room_type_ids=ids, dates=dates, available=[4] * len(ids))
            )
            wipe()

            # Naive: one update_or_create per night (what a loop over the nights would do).
            def one_by_one(value: int) -> None:
                for rt in rts:
                    for day in days:
                        RoomTypeNight.objects.update_or_create(room_type=rt, date=day, defaults={"available": value})

            result["one_by_one_insert_s"] = _timed(lambda: one_by_one(3))
            result["one_by_one_overwrite_s"] = _timed(lambda: one_by_one(4))
            raise _Rollback
    except _Rollback:
        pass
    result["ratio_insert"] = result["one_by_one_insert_s"] / result["bulk_insert_s"]
    result["ratio_overwrite"] = result["one_by_one_overwrite_s"] / result["bulk_overwrite_s"]
    result["ratio_orm_bulk_create_insert"] = result["orm_bulk_create_insert_s"] / result["bulk_insert_s"]
    # The share of the bare statement's speed the service keeps (1.0: all of it).
    result["service_to_statement_insert"] = result["statement_insert_s"] / result["bulk_insert_s"]
    result["service_to_statement_overwrite"] = result["statement_overwrite_s"] / result["bulk_overwrite_s"]
    return result


def rates(*, room_types: int = 200) -> dict[str, Any]:
    """Set base price, currency and all twelve months of ``room_types`` room types: the
    service vs ``bulk_update`` vs one ``save(update_fields=…)`` per room type."""
    result: dict[str, Any] = {"vendor": connection.vendor, "room_types": room_types}
    fields = ["base_price", "currency", *MONTH_PRICE_FIELDS]
    try:
        with transaction.atomic():
            owner, rts = _room_types(room_types)

            def items(base: int) -> list[services.RateItem]:
                prices = {"base_price": Decimal(base), **{name: Decimal(base + 1) for name in MONTH_PRICE_FIELDS}}
                return [services.RateItem(rt.listing_id, rt.pk, prices, "EUR") for rt in rts]

            result["bulk_s"] = _timed(lambda: services.rates_update(owner=owner, items=items(700)))

            def set_prices(base: int) -> None:
                for rt in rts:
                    rt.base_price, rt.currency = Decimal(base), "USD"
                    for name in MONTH_PRICE_FIELDS:
                        setattr(rt, name, Decimal(base + 1))

            set_prices(800)
            result["orm_bulk_update_s"] = _timed(lambda: RoomType.objects.bulk_update(rts, fields))
            set_prices(900)

            def one_by_one() -> None:
                for rt in rts:
                    rt.save(update_fields=[*fields, "updated_at"])

            result["one_by_one_s"] = _timed(one_by_one)
            raise _Rollback
    except _Rollback:
        pass
    result["ratio"] = result["one_by_one_s"] / result["bulk_s"]
    result["ratio_orm_bulk_update"] = result["orm_bulk_update_s"] / result["bulk_s"]
    return result


def _plain_listings(request, raw_key: str, per_page: int):
    """The ``plain`` baseline: no DRF; the same queries with ``.values()``, rendered with orjson
    (the bare array and the paging headers of page 1)."""
    from apikeys.models import ApiKey
    from listings.querysets import LISTING_SUMMARY_FIELDS

    key = ApiKey.objects.authenticate(raw_key)
    listings = Listing.objects.for_owner(key.owner).order_by("id")
    total = listings.count()
    rows = list(listings.values(*LISTING_SUMMARY_FIELDS)[:per_page])
    by_id = {row["id"]: row for row in rows}
    for row in rows:
        row["room_types"] = []
    room_types = RoomType.objects.filter(listing_id__in=by_id).order_by("listing_id", "id")
    for listing_id, pk, name in room_types.values_list("listing_id", "id", "name"):
        by_id[listing_id]["room_types"].append({"id": pk, "name": name})
    headers = {"X-Total-Count": str(total)}
    if total > per_page:
        headers["Link"] = f'<http://testserver/v2/listings?page=2&per_page={per_page}>; rel="next"'
    return HttpResponse(orjson.dumps(rows), content_type="application/json", headers=headers)


def listings_list(*, listings: int = 50, room_types: int = 2, per_page: int = 20, rounds: int = 300) -> dict[str, Any]:
    """``GET /v2/listings`` in process (RequestFactory, no HTTP server): the view as served
    (authentication, scope, rate limits, usage buffer, pagination, filters) against the
    ``plain`` baseline above, interleaved. ``make bench`` measures the same over HTTP."""
    from django.test import RequestFactory

    from apikeys.services import api_key_create
    from listings.api.views import ListingViewSet

    view = ListingViewSet.as_view({"get": "list"})
    factory = RequestFactory()
    result: dict[str, Any] = {"vendor": connection.vendor, "listings": listings, "per_page": per_page}
    try:
        with transaction.atomic():
            owner, _ = _room_types(0)
            for n in range(listings):
                listing = Listing.objects.create(host=owner, name=f"Bench listing {n}", city="Berlin")
                RoomType.objects.bulk_create(
                    RoomType(listing=listing, name=f"Room type {k}") for k in range(room_types)
                )
            _key, raw = api_key_create(owner=owner, name="bench", scopes=["listings.read"], rate_limit_per_minute=10**9)
            query = {"per_page": per_page}
            served = view(factory.get("/v2/listings", query, HTTP_X_API_KEY=raw))
            plain = _plain_listings(factory.get("/v2/listings", query), raw, per_page)
            served.render()
            if orjson.loads(served.content) != orjson.loads(plain.content):
                raise AssertionError("the baseline does not return the view's body")
            if served.headers.get("Link") != plain.headers.get("Link"):
                raise AssertionError("the baseline does not return the view's Link header")
            timings = {"view_s": 0.0, "plain_s": 0.0}
            for _ in range(rounds):
                timings["view_s"] += _timed(
                    lambda: view(factory.get("/v2/listings", query, HTTP_X_API_KEY=raw)).render()
                )
                timings["plain_s"] += _timed(lambda: _plain_listings(factory.get("/v2/listings", query), raw, per_page))
            result.update(timings)
            raise _Rollback
    except _Rollback:
        pass
    result["view_per_s"] = rounds / result["view_s"]
    result["plain_per_s"] = rounds / result["plain_s"]
    result["ratio_view_to_plain"] = result["plain_s"] / result["view_s"]
    return result


def _feed_documents(count: int, room_types: int, rooms: int) -> list[dict[str, Any]]:
    """``count`` listings in the feed's shape: the spec's example, each with its own ids."""
    import copy

    from listings.feed.docs import example

    template = example()
    room_type_template = template["room_types"][0]
    documents = []
    for n in range(count):
        doc = copy.deepcopy(template)
        doc["original_id"] = f"bench-{n}"
        doc["original_url"] = f"https://host.example.com/listings/bench-{n}"
        doc["name"] = f"Bench property {n}"
        doc["room_types"] = []
        for t in range(room_types):
            room_type = copy.deepcopy(room_type_template)
            room_type["id"] = f"bench-{n}-type-{t}"
            room_type["rooms"] = [
                dict(room_type_template["rooms"][0], id=f"bench-{n}-{t}-{r}", name=f"Room {t}{r:02d}")
                for r in range(rooms)
            ]
            doc["room_types"].append(room_type)
        documents.append(doc)
    return documents


def feed_import(*, listings: int = 500, room_types: int = 5, rooms: int = 3) -> dict[str, Any]:
    """The JSON feed import (``listings.feed.sync.feed_import``) of ``listings`` × ``room_types``
    × ``rooms`` for a new host, then the same feed again (unchanged: nothing written), then
    the listings' own exports (a different document with the same content: validated and
    hashed, nothing written), in one transaction that is rolled back. Reports listings/s,
    queries per listing of the first import (counted, not captured) and the re-import's
    speed-up over the first (target ≥ 10)."""
    from listings.feed import sync
    from listings.feed.export import export_queryset, listing_export

    documents = _feed_documents(listings, room_types, rooms)
    result: dict[str, Any] = {
        "vendor": connection.vendor,
        "listings": listings,
        "room_types": room_types,
        "rooms": rooms,
    }
    statements = [0]

    def count(execute, sql, params, many, context):
        statements[0] += 1
        return execute(sql, params, many, context)

    try:
        with transaction.atomic():
            owner = User.objects.create(email=f"bench-feed-{uuid.uuid4().hex}@example.com")
            with connection.execute_wrapper(count):
                started = perf_counter()
                first = sync.feed_import(host=owner, documents=documents)
                result["first_s"] = perf_counter() - started
            if first.counts()["created"] != listings:
                raise AssertionError(f"the first import did not create every listing: {first.counts()}")
            result["queries_per_listing"] = statements[0] / listings
            started = perf_counter()
            again = sync.feed_import(host=owner, documents=documents)
            result["unchanged_s"] = perf_counter() - started
            if again.counts()["unchanged"] != listings:
                raise AssertionError(f"the re-import was not unchanged: {again.counts()}")
            exports = [listing_export(item) for item in export_queryset(Listing.objects.filter(host=owner))]
            started = perf_counter()
            round_trip = sync.feed_import(host=owner, documents=exports)
            result["export_reimport_s"] = perf_counter() - started
            if round_trip.counts()["unchanged"] != listings:
                raise AssertionError(f"the exports did not re-import unchanged: {round_trip.counts()}")
            raise _Rollback
    except _Rollback:
        pass
    result["first_listings_per_s"] = listings / result["first_s"]
    result["unchanged_listings_per_s"] = listings / result["unchanged_s"]
    result["export_reimport_listings_per_s"] = listings / result["export_reimport_s"]
    result["speedup_unchanged"] = result["first_s"] / result["unchanged_s"]
    result["speedup_export_reimport"] = result["first_s"] / result["export_reimport_s"]
    return result


def report(**sizes: int) -> None:
    """Print the benchmarks (``room_types=…``, ``nights=…`` to change the push sizes; the
    rates' ``bulk_update`` comparison grows quadratically: 40 s at 5,000 room types)."""
    nights = availability(**sizes)
    prices = rates(room_types=sizes.get("room_types", 200))
    listing_page = listings_list()
    feed = feed_import()
    for name, figures in (
        ("availability", nights),
        ("rates", prices),
        ("GET /v2/listings", listing_page),
        ("JSON feed import", feed),
    ):
        print(name)
        for key, value in figures.items():
            print(f"  {key:<30} {value:.4f}" if isinstance(value, float) else f"  {key:<30} {value}")

"""The catalogue the listings, push, booking and feed scenarios run against, and the
checks the runner makes between runs.

One host (the bench user, the bench key's owner) with ``LISTINGS`` listings of
``ROOM_TYPES_PER_LISTING`` room types each, used by every scenario but each for its own
part, so that no scenario changes what another one measures or checks:

- all of them: ``GET /v2/listings`` (100 listings × 5 room types, one page of 100);
- the room types of the first ``PUSH_LISTINGS`` listings (200): the availability and rates
  pushes (``bench/pushes.py``);
- the other listings' room types but the last listing's (295, ``amount`` 5): bookings spread
  over many room types; the last listing's first room type (``amount`` 10⁶): bookings all on
  one room type; its second: the bookings made before the load, so the feed has a history.

``GUESTS`` guests, created by the host (``User.created_by``), as ``POST /v2/bookings``
requires. The booking scenarios read their bodies from a Lua data file written here
(``bench/bookings.lua``).

A second host (``seed_rates_host``), with a key of its own, has ``RATES_LISTINGS`` listings
× ``ROOM_TYPES_PER_LISTING`` room types (5,000) for the rates push: a host of its own, so
that its catalogue changes nothing the bench host's scenarios read (``GET /v2/listings``
counts the host's listings).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

LISTINGS = 100
ROOM_TYPES_PER_LISTING = 5
PUSH_LISTINGS = 40  # × 5 = 200 room types pushed
GUESTS = 200
SPREAD_AMOUNT = 5
HOT_AMOUNT = 1_000_000
HISTORY_BOOKINGS = 20
STAY_NIGHTS = 2
SPREAD_WINDOW = 690  # check-in days cycled through (from tomorrow), within the 730 days allowed
HOT_WINDOW = 14  # all bookings of the one room type on the same two weeks: row-lock contention
RATES_LISTINGS = 1000  # × 5 = 5,000 room types in one rates push
RATES_EMAIL = "bench-rates-host@example.com"
HOSTS = 40  # bookings/many-hosts: hosts, each with a key, one listing, ...
HOST_ROOM_TYPES = 5  # ... of this many room types (amount SPREAD_AMOUNT) ...
HOST_GUESTS = 5  # ... and this many guests of its own


def _owner():
    from accounts.models import User
    from bench.seed import BENCH_EMAIL

    return User.objects.get(email=BENCH_EMAIL)


def _lua_data(path: Path, *, rooms, users, first_day, window: int, hosts=None) -> str:
    """Write the table ``bench/bookings.lua`` reads; return the file's path.

    ``rooms``: (listing id, room type id) pairs, or with ``hosts`` (a list of (API key, guest
    ids) per host) triples (listing id, room type id, index of the room's host in ``hosts``):
    each request then goes out with its room's host's key, for one of that host's guests."""
    days = [(first_day + timedelta(days=n)).isoformat() for n in range(window + STAY_NIGHTS)]
    lua_rooms = ", ".join("{" + ", ".join(str(part) for part in room) + "}" for room in rooms)
    lua_users = ", ".join(str(user) for user in users)
    lua_dates = ", ".join(f'"{day}"' for day in days)
    lua_hosts = ""
    if hosts:
        lua_hosts = (
            "  hosts = {"
            + ", ".join(f'{{key = "{key}", users = {{{", ".join(str(u) for u in guests)}}}}}' for key, guests in hosts)
            + "},\n"
        )
    text = (
        "return {\n"
        '  path = "/v2/bookings",\n'
        f"  nights = {STAY_NIGHTS},\n"
        f"  window = {window},\n"
        f"  rooms = {{{lua_rooms}}},\n"
        f"  users = {{{lua_users}}},\n"
        f"  dates = {{{lua_dates}}},\n"
        f"{lua_hosts}"
        "}\n"
    )
    path.write_text(text)
    return str(path)


def seed_catalogue(context: dict) -> None:
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from bookings import services as bookings
    from listings import limits
    from listings.models import Listing, RoomType

    owner = _owner()
    if Listing.objects.filter(host=owner).exists():
        raise SystemExit("The bench host already has listings: run through bench/run.sh (a fresh database).")
    listings = Listing.objects.bulk_create(
        Listing(host=owner, name=f"Bench listing {n:03d}", original_id=f"PMS-{n}", city="Berlin", country="DE")
        for n in range(LISTINGS)
    )
    room_types = RoomType.objects.bulk_create(
        RoomType(
            listing=listing,
            name=f"Room type {n}",
            amount=SPREAD_AMOUNT,
            max_occupancy=2,
            currency="EUR",
            base_price=Decimal("750.00"),
        )
        for listing in listings
        for n in range(ROOM_TYPES_PER_LISTING)
    )
    per = ROOM_TYPES_PER_LISTING
    push = room_types[: PUSH_LISTINGS * per]
    spread = room_types[PUSH_LISTINGS * per : -per]
    hot, history = room_types[-per], room_types[-per + 1]
    RoomType.objects.filter(pk__in=[hot.pk, history.pk]).update(amount=HOT_AMOUNT)
    hot.amount = history.amount = HOT_AMOUNT

    unusable = make_password(None)
    guests = User.objects.bulk_create(
        User(email=f"bench-guest-{n:03d}@example.com", password=unusable, created_by=owner) for n in range(GUESTS)
    )
    tomorrow = limits.today() + timedelta(days=1)
    for n in range(HISTORY_BOOKINGS):
        checkin = tomorrow + timedelta(days=n)
        bookings.booking_create(
            owner=owner,
            guest=guests[n],
            listing=history.listing,
            room_type=history,
            checkin=checkin,
            checkout=checkin + timedelta(days=STAY_NIGHTS),
            guests=1,
        )

    directory = Path(context["tmp"])
    users = [g.pk for g in guests]
    context.update(
        push_room_types=[(rt.listing_id, rt.pk) for rt in push],
        spread_room_type_ids=[rt.pk for rt in spread],
        hot_room_type_ids=[hot.pk],
        history_room_type=(history.listing_id, history.pk),
        guest_ids=users,
        bookings_spread_data=_lua_data(
            directory / "bookings-spread.lua",
            rooms=[(rt.listing_id, rt.pk) for rt in spread],
            users=users,
            first_day=tomorrow,
            window=SPREAD_WINDOW,
        ),
        bookings_one_room_type_data=_lua_data(
            directory / "bookings-one-room-type.lua",
            rooms=[(hot.listing_id, hot.pk)],
            users=users,
            first_day=tomorrow,
            window=HOT_WINDOW,
        ),
    )
    refresh_feed_cursor(context)


def seed_rates_host(context: dict) -> None:
    """The rates push's host: 5,000 room types and a key (``rates_api_key``, ``rates_room_types``)."""
    from accounts.models import User
    from apikeys.services import api_key_create
    from listings.models import Listing, RoomType

    host = User.objects.create_user(RATES_EMAIL, password=None, first_name="Bench", last_name="Rates")
    listings = Listing.objects.bulk_create(
        Listing(host=host, name=f"Rates listing {n:04d}", city="Berlin", country="DE") for n in range(RATES_LISTINGS)
    )
    room_types = RoomType.objects.bulk_create(
        RoomType(listing=listing, name=f"Room type {n}", amount=SPREAD_AMOUNT, currency="EUR", base_price=750)
        for listing in listings
        for n in range(ROOM_TYPES_PER_LISTING)
    )
    _key, raw = api_key_create(owner=host, name="bench rates", scopes=["listings.read", "listings.write"])
    context.update(rates_api_key=raw, rates_room_types=[(rt.listing_id, rt.pk) for rt in room_types])


def seed_many_hosts(context: dict) -> None:
    """``bookings/many-hosts``: ``HOSTS`` hosts, each with a key, one listing of
    ``HOST_ROOM_TYPES`` room types and ``HOST_GUESTS`` guests; the booking requests are spread
    over all their room types, each sent with its host's key (``many_hosts_data``,
    ``many_hosts_room_type_ids``)."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from apikeys.services import api_key_create
    from listings import limits
    from listings.models import Listing, RoomType

    unusable = make_password(None)
    per_host, hosts, room_type_ids = [], [], []
    for n in range(HOSTS):
        host = User.objects.create_user(f"bench-host-{n:03d}@example.com", password=None)
        listing = Listing.objects.create(host=host, name=f"Many hosts listing {n:03d}", city="Berlin", country="DE")
        room_types = RoomType.objects.bulk_create(
            RoomType(listing=listing, name=f"Room type {m}", amount=SPREAD_AMOUNT, currency="EUR", base_price=750)
            for m in range(HOST_ROOM_TYPES)
        )
        guests = User.objects.bulk_create(
            User(email=f"bench-host-{n:03d}-guest-{m}@example.com", password=unusable, created_by=host)
            for m in range(HOST_GUESTS)
        )
        _key, raw = api_key_create(owner=host, name=f"bench host {n}", scopes=["bookings.read", "bookings.write"])
        hosts.append((raw, [g.pk for g in guests]))
        room_type_ids += [rt.pk for rt in room_types]
        per_host.append([(listing.pk, rt.pk, n + 1) for rt in room_types])  # Lua tables count from 1
    # Round-robin over the hosts: consecutive requests go to different hosts.
    rooms = [host_rooms[m] for m in range(HOST_ROOM_TYPES) for host_rooms in per_host]
    context.update(
        many_hosts_room_type_ids=room_type_ids,
        many_hosts_data=_lua_data(
            Path(context["tmp"]) / "bookings-many-hosts.lua",
            rooms=rooms,
            users=[],
            first_day=limits.today() + timedelta(days=1),
            window=SPREAD_WINDOW,
            hosts=hosts,
        ),
    )


def refresh_feed_cursor(context: dict) -> None:
    """``feed_since``: the feed's cursor after the host's latest booking change, URL-encoded — so
    that the feed, asked right after, has nothing new to answer (bookings scenarios add some)."""
    from bookings.models import Booking
    from bookings.versions import encode_cursor

    latest = Booking.objects.for_owner(_owner().pk).order_by("-change_seq").values_list("change_seq", flat=True).first()
    context["feed_since"] = quote(encode_cursor(latest))


def inventory_check(room_type_ids: list[int]) -> dict[str, int]:
    """The invariant after booking runs, from the database: the units the nights of
    ``room_type_ids`` have given (``amount - available``, summed) against the nights the
    holding bookings on them hold; and how many nights are below 0."""
    from django.db import connection

    # One statement, one snapshot: a booking committing meanwhile is in both sums or in neither.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT (SELECT COALESCE(SUM(rt.amount - n.available), 0)
                      FROM listings_roomtypenight n JOIN listings_roomtype rt ON rt.id = n.room_type_id
                     WHERE n.room_type_id = ANY(%(ids)s)),
                   (SELECT COUNT(*) FROM listings_roomtypenight
                     WHERE room_type_id = ANY(%(ids)s) AND available < 0),
                   (SELECT COUNT(*) FROM bookings_booking WHERE room_type_id = ANY(%(ids)s)),
                   (SELECT COALESCE(SUM(checkout - checkin), 0) FROM bookings_booking
                     WHERE room_type_id = ANY(%(ids)s) AND status IN ('pending', 'confirmed'))
            """,
            {"ids": room_type_ids},
        )
        consumed, negative, bookings, held = cursor.fetchone()
    return {
        "bookings": int(bookings),
        "units_taken": int(consumed),
        "nights_held": int(held),
        "oversold": int(consumed) - int(held),
        "nights_below_0": int(negative),
    }

"""Demo listings for ``manage.py seed_demo``: two listings of the demo host with room types
and monthly prices, and the JSON feed's example imported through the feed service (as a
host's feed would be). Idempotent: listings are matched by (host, name), room types by
(listing, name), and the feed listing by its ``original_id`` (a second run is unchanged).
Puts ``listings`` and ``room_types`` (the first two listings') and ``feed_listing`` in the
context for later apps."""

from __future__ import annotations

from decimal import Decimal

from listings.models import Listing, RoomType

LISTINGS = [
    {
        "name": "Sunny Apartment",
        "defaults": {
            "city": "Berlin",
            "country": "DE",
            "address": "Sample Street 12",
            "original_id": "demo-sunny",
            "description": "A bright shared apartment close to the park.",
            "stay_min": 1,
        },
        "room_types": [
            {
                "name": "Standard Room",
                "room_type": "private",
                "amount": 5,
                "max_occupancy": 1,
                "currency": "EUR",
                "base_price": Decimal("750"),
                "price_jan": Decimal("800"),
            },
            {
                "name": "Deluxe Suite",
                "room_type": "private",
                "amount": 2,
                "max_occupancy": 2,
                "currency": "EUR",
                "base_price": Decimal("1100"),
                "price_jul": Decimal("1250"),
                "price_aug": Decimal("1250"),
            },
        ],
    },
    {
        "name": "City Center Loft",
        "defaults": {
            "city": "Lisbon",
            "country": "PT",
            "address": "Rua Exemplo 5",
            "original_id": "demo-loft",
            "description": "A whole loft in the old town.",
        },
        "room_types": [
            {
                "name": "Entire Loft",
                "room_type": "entire_place",
                "amount": 1,
                "max_occupancy": 3,
                "currency": "EUR",
                "base_price": Decimal("1900"),
            },
        ],
    },
]


def seed(context: dict[str, object]) -> None:
    owner = context["owner"]
    listings, room_types = [], []
    for spec in LISTINGS:
        listing, _ = Listing.objects.update_or_create(host=owner, name=spec["name"], defaults=spec["defaults"])
        listings.append(listing)
        for fields in spec["room_types"]:
            fields = dict(fields)
            name = fields.pop("name")
            room_type, _ = RoomType.objects.update_or_create(listing=listing, name=name, defaults=fields)
            room_types.append(room_type)
    context["listings"] = listings
    context["room_types"] = room_types
    context["feed_listing"] = _seed_feed_listing(owner)


def _seed_feed_listing(owner) -> Listing:
    from listings.feed.docs import example
    from listings.feed.sync import listing_import

    result = listing_import(host=owner, document=example())
    if result.errors:
        raise RuntimeError(f"the feed example did not import: {result.errors}")
    return Listing.objects.get(pk=result.listing_id)

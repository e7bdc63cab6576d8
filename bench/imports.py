"""The JSON feed import of ``make bench``: 500 listings × 5 room types × 3 rooms for a new
host, then the same feed again (unchanged: nothing written) and the listings' own exports
(validated and hashed, nothing written), in process against the bench database and rolled
back (``listings.bench.feed_import``). The target: the unchanged re-import at least 10× as
fast as the first import, measured in the same run; the queries per listing must not grow
with the listing's size (no per-field or per-night queries)."""

from __future__ import annotations

UNCHANGED_TARGET = 10.0


def run() -> dict:
    from listings import bench

    return bench.feed_import(listings=500, room_types=5, rooms=3)


def report(result: dict) -> int:
    """Print the import figures; return 1 when the re-import misses its target."""
    ok = result["speedup_unchanged"] >= UNCHANGED_TARGET
    print()
    print(
        f"JSON feed import, {result['listings']} listings × {result['room_types']} room types × {result['rooms']} "
        f"rooms, in process ({result['vendor']}):"
    )
    print(
        f"  first import      {result['first_s']:7.2f} s  {result['first_listings_per_s']:7.0f} listings/s  "
        f"{result['queries_per_listing']:.1f} queries per listing"
    )
    print(
        f"  unchanged again   {result['unchanged_s']:7.3f} s  {result['speedup_unchanged']:6.1f}× faster   "
        f"≥ {UNCHANGED_TARGET:g}×: {'ok' if ok else 'MISSED'}"
    )
    print(
        f"  own exports again {result['export_reimport_s']:7.3f} s  {result['speedup_export_reimport']:6.1f}× faster "
        "(a different document with the same content: validated and hashed, nothing written)"
    )
    return 0 if ok else 1

"""Half-open intervals ``[start, end)`` and the two checks a capacity-limited booking makes:
do two intervals overlap, and how many units are in use at the busiest moment of a window.

A stay is an interval of days (check-in to check-out: the check-out day is not a night);
an hourly resource booking (coworking rooms, Cobot's resource bookings) is an interval of
times. Two intervals that only touch — one ends when the other starts — do not overlap.

Stays do not need ``peak_units``: their inventory keeps one row per room type per night
(``listings/inventory.py``), so the busiest night is simply the row with the fewest units
left and taking is one conditional write under those rows' locks. Hourly resources have
no row per slot; a booking there locks the resource's row (the one lock that orders
writers), reads the bookings that overlap its interval (``overlap_q``), and refuses when
``peak_units`` of those plus its own exceeds the resource's capacity — the same invariant,
checked under a lock, without a row per hour.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TypeVar

from django.db.models import Q

T = TypeVar("T", date, datetime)


def overlaps(first: tuple[T, T], second: tuple[T, T]) -> bool:
    """Whether ``[first)`` and ``[second)`` share a moment (touching ends do not)."""
    return first[0] < second[1] and second[0] < first[1]


def overlap_q(start: T, end: T, *, start_field: str = "start", end_field: str = "end") -> Q:
    """Rows whose ``[start_field, end_field)`` overlaps ``[start, end)``."""
    return Q(**{f"{start_field}__lt": end, f"{end_field}__gt": start})


def peak_units(intervals: Iterable[tuple[T, T, int]], *, within: tuple[T, T] | None = None) -> int:
    """The most units in use at one moment by ``(start, end, units)`` intervals, optionally
    only counting the moments of ``within``.

    A sweep over the interval ends: at the same moment ends are counted before starts, so
    back-to-back intervals never add up.
    """
    events: list[tuple[T, int, int]] = []
    for start, end, units in intervals:
        if within is not None:
            start, end = max(start, within[0]), min(end, within[1])
        if start < end:
            events.append((start, 1, units))
            events.append((end, 0, -units))
    events.sort()
    peak = in_use = 0
    for _moment, _kind, change in events:
        in_use += change
        peak = max(peak, in_use)
    return peak

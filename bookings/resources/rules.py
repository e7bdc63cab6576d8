"""Cobot's booking rules as plain functions of values (no database): booking windows, price,
who may change a booking. ``services.py`` enforces them on writes; ``selectors.py`` answers
``can_change`` with the very same function, so the flag never disagrees with what a PUT or
DELETE would do.

Durations and prices are elapsed time between two instants (UTC), so a booking across a
DST change is as long as the clock on the wall says it is, not as the wall's numbers
suggest; booking windows are wall-clock times of the space (``Space.timezone``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal

from coliving.api.errors import ApplicationError, Conflict, Forbidden

CENT = Decimal("0.01")
DAY_SECONDS = 24 * 3600

EVENT_BOOKING_CHANGE = "This booking was made by an event and can't be changed through this endpoint"
EVENT_BOOKING_DELETE = "This booking was made by an event and can't be deleted through this endpoint"
NOT_YOURS = "Members can only change their own bookings"
NOT_FUTURE = "Members can only change bookings in the future"
CANCELLATION_PERIOD = "The cancellation period of this booking has passed ({hours} hours before its start)"
CANNOT_BOOK = "You are not allowed to book this resource"


def elapsed(start: datetime, end: datetime) -> timedelta:
    """Time between two instants. Python subtracts two datetimes of the *same* tzinfo as wall
    times (ignoring a DST change between them), so both are taken to UTC first."""
    return end.astimezone(UTC) - start.astimezone(UTC)


def booking_price(*, price_per_hour: Decimal, start: datetime, end: datetime, units: int) -> Decimal:
    """``price_per_hour × hours × units``, to the cent (half up)."""
    hours = Decimal(int(elapsed(start, end).total_seconds())) / 3600
    return (price_per_hour * hours * units).quantize(CENT, rounding=ROUND_HALF_UP)


def _seconds(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60


def within_booking_times(windows: list[dict], start: datetime, end: datetime, tz: tzinfo) -> bool:
    """Whether ``[start, end)`` lies inside one window on one local day (an empty list: any time).

    A window is ``{"from": "09:00", "to": "18:00", "weekdays": [1, …]}`` in the space's local
    time; ``24:00`` is the end of the day, so a booking ending at midnight fits a window
    ending at ``24:00``.
    """
    if not windows:
        return True
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    day = local_start.date()
    begins = local_start.hour * 3600 + local_start.minute * 60 + local_start.second + local_start.microsecond / 1e6
    if local_end.date() == day:
        ends = local_end.hour * 3600 + local_end.minute * 60 + local_end.second + local_end.microsecond / 1e6
    elif local_end.date() == day + timedelta(days=1) and local_end.time().replace(tzinfo=None) == datetime.min.time():
        ends = DAY_SECONDS
    else:
        return False  # a window never spans two days
    weekday = day.isoweekday()
    for window in windows:
        weekdays = window.get("weekdays") or range(1, 8)
        if weekday in weekdays and _seconds(window["from"]) <= begins and ends <= _seconds(window["to"]):
            return True
    return False


def change_refusal(
    *,
    actor,
    membership_id: int | None,
    start: datetime,
    event_id: int | None,
    cancellation_period: int,
    now: datetime,
    deleting: bool = False,
) -> ApplicationError | None:
    """Why ``actor`` (a ``Membership``, or None for the platform itself) may not change or delete
    a booking with these values, or None when it may.

    A booking made by an event is the event's (409 for everyone). Admins may change any
    other booking; members only their own, only before it starts, and only before its
    resource's cancellation period (hours before the start) has begun.
    """
    if event_id is not None:
        return Conflict(EVENT_BOOKING_DELETE if deleting else EVENT_BOOKING_CHANGE)
    if actor is None or actor.is_admin:
        return None
    if membership_id != actor.pk:
        return Forbidden(NOT_YOURS)
    if start <= now:
        return Forbidden(NOT_FUTURE)
    if cancellation_period and now > start - timedelta(hours=cancellation_period):
        return Forbidden(CANCELLATION_PERIOD.format(hours=cancellation_period))
    return None


def decimal_text(value: Decimal | None) -> str | None:
    """Cobot's decimal strings: ``20.0``, ``7.5``, ``12.25`` (at least one decimal)."""
    if value is None:
        return None
    whole, _, fraction = f"{value:f}".partition(".")
    return f"{whole}.{fraction.rstrip('0') or '0'}"

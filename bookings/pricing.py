"""The price of a stay: one pure function, ``stay_price``, and the rules it applies.

- **Rent.** Each night costs its month's price (``RoomType.month_price``: the month's
  override, else ``base_price``) divided by the number of days of that month. Nights are
  grouped per calendar month, one line each: ``month price × nights / days in month``.
  A stay of the whole of February 2024 (29 nights) costs exactly February's price.
- **Long-stay discount.** A stay of at least 90, 180 or 360 nights gets the room type's
  ``discount_90`` / ``discount_180`` / ``discount_360`` percent off the rent; when several
  thresholds are reached, the largest of their percents applies (one discount, never
  stacked).
- **Mandatory fees** (``ListingFee.mandatory``; optional ones are not priced in):
  ``fixed`` + ``once`` → its amount once; ``fixed`` + ``monthly`` → its amount × the number
  of started 30-night periods, ``ceil(nights / 30)``; ``percent`` (any frequency) → that
  percent of the discounted rent.
- **Deposit** (``Listing.deposit``) is shown separately and is *not* in the total: it is
  refundable and collected apart from the rent.
- ``total`` = discounted rent + mandatory fees.

Money is ``Decimal`` throughout; each line is rounded to cents (``ROUND_HALF_UP``) when
it is computed, and sums are of rounded lines, so the breakdown always adds up to the
total. Amounts in the breakdown are JSON numbers with at most two decimals.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
LONG_STAY_THRESHOLDS = (90, 180, 360)
FEE_PERIOD_NIGHTS = 30


class PricedRoomType(Protocol):
    currency: str
    discount_90: Decimal
    discount_180: Decimal
    discount_360: Decimal

    def month_price(self, month: int) -> Decimal: ...


class PricedFee(Protocol):
    name: str
    type: str  # "fixed" | "percent"
    frequency: str  # "once" | "monthly"
    amount: Decimal
    mandatory: bool


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _number(value: Decimal) -> float:
    # A two-decimal Decimal survives the trip through float and back exactly (shortest repr).
    return float(value)


@dataclass(frozen=True)
class StayPrice:
    """What a booking keeps: the total, and the breakdown that adds up to it."""

    currency: str
    total: Decimal
    breakdown: dict[str, Any]


def _month_spans(checkin: date, checkout: date) -> Iterable[tuple[int, int, int]]:
    """``(year, month, nights)`` for each calendar month the stay's nights fall in."""
    current = checkin
    while current < checkout:
        days = calendar.monthrange(current.year, current.month)[1]
        month_end = date(current.year, current.month, days)
        last_night = min(month_end, date.fromordinal(checkout.toordinal() - 1))
        yield current.year, current.month, (last_night - current).days + 1
        current = date.fromordinal(last_night.toordinal() + 1)


def long_stay_percent(room_type: PricedRoomType, nights: int) -> tuple[int, Decimal] | None:
    """The discount that applies to a stay of ``nights``: ``(threshold, percent)`` or None."""
    best: tuple[int, Decimal] | None = None
    for threshold in LONG_STAY_THRESHOLDS:
        percent = getattr(room_type, f"discount_{threshold}") or Decimal("0")
        if nights >= threshold and percent > 0 and (best is None or percent >= best[1]):
            best = (threshold, Decimal(percent))
    return best


def stay_price(
    *,
    room_type: PricedRoomType,
    checkin: date,
    checkout: date,
    fees: Iterable[PricedFee] = (),
    deposit: Decimal | None = None,
) -> StayPrice:
    """Price a stay of the nights ``checkin`` … ``checkout - 1`` (see the module docstring)."""
    if checkout <= checkin:
        raise ValueError("checkout must be after checkin")
    nights = (checkout - checkin).days

    rent_lines = []
    rent = Decimal("0")
    for year, month, month_nights in _month_spans(checkin, checkout):
        days_in_month = calendar.monthrange(year, month)[1]
        month_price = Decimal(room_type.month_price(month))
        amount = cents(month_price * month_nights / days_in_month)
        rent += amount
        rent_lines.append(
            {
                "month": f"{year:04d}-{month:02d}",
                "nights": month_nights,
                "days_in_month": days_in_month,
                "month_price": _number(month_price),
                "amount": _number(amount),
            }
        )

    discount = Decimal("0")
    discount_line = None
    applicable = long_stay_percent(room_type, nights)
    if applicable is not None:
        threshold, percent = applicable
        discount = cents(rent * percent / HUNDRED)
        discount_line = {"min_nights": threshold, "percent": _number(percent), "amount": _number(-discount)}
    discounted_rent = rent - discount

    fee_lines = []
    fees_total = Decimal("0")
    for fee in fees:
        if not fee.mandatory:
            continue
        if fee.type == "percent":
            quantity = 1
            amount = cents(discounted_rent * Decimal(fee.amount) / HUNDRED)
        elif fee.frequency == "monthly":
            quantity = math.ceil(nights / FEE_PERIOD_NIGHTS)
            amount = cents(Decimal(fee.amount) * quantity)
        else:
            quantity = 1
            amount = cents(Decimal(fee.amount))
        fees_total += amount
        fee_lines.append(
            {
                "name": fee.name,
                "type": fee.type,
                "frequency": fee.frequency,
                "rate": _number(Decimal(fee.amount)),
                "quantity": quantity,
                "amount": _number(amount),
            }
        )

    total = discounted_rent + fees_total
    deposit_value = cents(Decimal(deposit)) if deposit is not None else None
    breakdown = {
        "nights": nights,
        "rent": rent_lines,
        "rent_total": _number(rent),
        "long_stay_discount": discount_line,
        "fees": fee_lines,
        "fees_total": _number(fees_total),
        "deposit": _number(deposit_value) if deposit_value is not None else None,
        "deposit_included_in_total": False,
        "total": _number(total),
    }
    return StayPrice(currency=room_type.currency, total=total, breakdown=breakdown)

"""The price of a stay (``bookings/pricing.py``), as a table."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from bookings.pricing import long_stay_percent, stay_price
from listings.models import ListingFee, RoomType


def room(base="750", **prices) -> RoomType:
    values = {key: D(value) for key, value in prices.items()}
    return RoomType(currency="EUR", base_price=D(base), **values)


def fee(name, amount, type="fixed", frequency="once", mandatory=True) -> ListingFee:
    return ListingFee(name=name, amount=D(amount), type=type, frequency=frequency, mandatory=mandatory)


CASES = [
    # (what, room type, checkin, checkout, fees, deposit, total)
    ("14 nights of a leap February: 750 x 14 / 29", room(), date(2024, 2, 1), date(2024, 2, 15), [], None, "362.07"),
    ("all of February costs exactly its month price", room(), date(2024, 2, 1), date(2024, 3, 1), [], None, "750.00"),
    ("non-leap February has 28 days", room(), date(2023, 2, 1), date(2023, 2, 15), [], None, "375.00"),
    (
        "a month's own price overrides the base price, one line per month",
        room(price_jan="800"),
        date(2024, 1, 25),
        date(2024, 2, 5),
        [],
        None,
        "284.10",  # January 7 × 800 / 31 = 180.65 + February 4 × 750 / 29 = 103.45
    ),
    ("one night", room(base="310"), date(2024, 1, 1), date(2024, 1, 2), [], None, "10.00"),
    ("half a cent rounds up", room(base="100.01"), date(2024, 4, 1), date(2024, 4, 16), [], None, "50.01"),
    (
        "89 nights: no discount",
        room(base="1000", discount_90="10"),
        date(2024, 3, 1),
        date(2024, 5, 29),
        [],
        None,
        "2903.23",  # 1000 + 1000 + 28 × 1000 / 31 = 903.23
    ),
    (
        "90 nights: discount_90 on the rent",
        room(base="1000", discount_90="10"),
        date(2024, 3, 1),
        date(2024, 5, 30),
        [],
        None,
        "2641.93",  # rent 2935.48 − 293.55
    ),
    (
        "360+ nights: the largest applicable percent",
        room(base="1000", discount_90="5", discount_180="10", discount_360="15"),
        date(2024, 1, 1),
        date(2025, 1, 1),
        [],
        None,
        "10200.00",  # 12 000 − 15 %
    ),
    (
        "360+ nights with discount_360 unset: discount_180 applies",
        room(base="1000", discount_90="5", discount_180="10"),
        date(2024, 1, 1),
        date(2025, 1, 1),
        [],
        None,
        "10800.00",
    ),
    (
        "mandatory fees: once, monthly x ceil(nights / 30), percent of the discounted rent; optional ignored",
        room(base="3000"),
        date(2024, 4, 1),
        date(2024, 5, 16),  # 45 nights: April 3000 + May 15 × 3000 / 31 = 1451.61 → rent 4451.61
        [
            fee("Cleaning", "50"),
            fee("Utilities", "100", frequency="monthly"),  # × 2
            fee("Service", "5", type="percent"),  # 222.58
            fee("Linen", "30", mandatory=False),
        ],
        None,
        "4924.19",  # 4451.61 + 50 + 200 + 222.58
    ),
    ("the deposit is not in the total", room(), date(2024, 2, 1), date(2024, 3, 1), [], D("500"), "750.00"),
]


@pytest.mark.parametrize("what, room_type, checkin, checkout, fees, deposit, total", CASES, ids=[c[0] for c in CASES])
def test_stay_price(what, room_type, checkin, checkout, fees, deposit, total):
    price = stay_price(room_type=room_type, checkin=checkin, checkout=checkout, fees=fees, deposit=deposit)
    assert price.total == D(total)
    assert price.currency == "EUR"
    breakdown = price.breakdown
    assert breakdown["total"] == float(D(total))
    # The lines add up to the total: rent lines − discount + fee lines.
    rent = sum(D(str(line["amount"])) for line in breakdown["rent"])
    assert rent == D(str(breakdown["rent_total"]))
    discount = D(str(breakdown["long_stay_discount"]["amount"])) if breakdown["long_stay_discount"] else D("0")
    fee_sum = sum((D(str(line["amount"])) for line in breakdown["fees"]), D("0"))
    assert rent + discount + fee_sum == price.total
    assert sum(line["nights"] for line in breakdown["rent"]) == breakdown["nights"] == (checkout - checkin).days


def test_the_breakdown_shows_each_month_the_discount_the_fees_and_the_deposit_apart():
    price = stay_price(
        room_type=room(base="1000", price_jan="1200", discount_90="10"),
        checkin=date(2024, 1, 1),
        checkout=date(2024, 4, 1),
        fees=[fee("Utilities", "50", frequency="monthly")],
        deposit=D("800"),
    )
    breakdown = price.breakdown
    assert breakdown["rent"] == [
        {"month": "2024-01", "nights": 31, "days_in_month": 31, "month_price": 1200.0, "amount": 1200.0},
        {"month": "2024-02", "nights": 29, "days_in_month": 29, "month_price": 1000.0, "amount": 1000.0},
        {"month": "2024-03", "nights": 31, "days_in_month": 31, "month_price": 1000.0, "amount": 1000.0},
    ]
    assert breakdown["long_stay_discount"] == {"min_nights": 90, "percent": 10.0, "amount": -320.0}
    assert breakdown["fees"] == [
        {"name": "Utilities", "type": "fixed", "frequency": "monthly", "rate": 50.0, "quantity": 4, "amount": 200.0}
    ]
    assert breakdown["deposit"] == 800.0
    assert breakdown["deposit_included_in_total"] is False
    assert price.total == D("3080.00")  # 3200 − 320 + 200; the deposit apart


def test_an_empty_stay_is_refused():
    with pytest.raises(ValueError, match="^checkout must be after checkin$"):
        stay_price(room_type=room(), checkin=date(2024, 2, 1), checkout=date(2024, 2, 1))


@pytest.mark.parametrize(
    "discounts, nights, expected",
    [
        ({"discount_90": "0"}, 120, None),  # a zero percent is no discount (no 0 % line in the breakdown)
        ({"discount_90": "0.5"}, 90, (90, D("0.5"))),  # under one percent still applies
        ({"discount_90": "10", "discount_180": "10"}, 200, (180, D("10"))),  # a tie: the longest stay reached
        ({"discount_90": "12", "discount_180": "10"}, 200, (90, D("12"))),  # the largest percent, not the longest
    ],
    ids=["zero", "under-one-percent", "tie", "largest"],
)
def test_the_long_stay_discount_is_the_largest_percent_the_stay_reaches(discounts, nights, expected):
    assert long_stay_percent(room(**discounts), nights) == expected


def test_a_short_stay_shows_no_discount_and_each_mandatory_fee_once_after_an_optional_one():
    price = stay_price(
        room_type=room(base="3100"),
        checkin=date(2024, 1, 1),
        checkout=date(2024, 1, 11),  # 10 × 3100 / 31 = 1000.00
        fees=[fee("Linen", "30", mandatory=False), fee("Service", "5", type="percent"), fee("Cleaning", "50")],
    )
    assert price.breakdown["long_stay_discount"] is None
    assert price.breakdown["fees"] == [
        {"name": "Service", "type": "percent", "frequency": "once", "rate": 5.0, "quantity": 1, "amount": 50.0},
        {"name": "Cleaning", "type": "fixed", "frequency": "once", "rate": 50.0, "quantity": 1, "amount": 50.0},
    ]
    assert (price.breakdown["fees_total"], price.total) == (100.0, D("1100.00"))

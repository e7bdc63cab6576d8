"""ISO 4217 currency codes a room type may be priced in.

The list of current codes comes from ``pycountry`` (Debian's ``iso-codes``), which drops a
code when ISO withdraws it (ANG → XCG in 2025, BGN → EUR in 2026, HRK → EUR in 2023…) and
adds new ones. ISO 4217 also lists codes that are not money a price can be paid in; those
are refused here, see ``NOT_PRICING_CURRENCIES``.
"""

from __future__ import annotations

import functools

import pycountry

# ISO 4217 codes that no guest pays a stay in, so a price in them is a mistake:
NOT_PRICING_CURRENCIES = frozenset(
    {
        # fund and accounting units (Bolivian Mvdol, WIR, Chilean UF, US next-day dollar, …)
        *("BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI", "UYW", "XAD", "XDR", "XSU", "XUA"),
        # European bond-market units
        *("XBA", "XBB", "XBC", "XBD"),
        # precious metals
        *("XAU", "XAG", "XPD", "XPT"),
        # the test code and "no currency"
        *("XTS", "XXX"),
    }
)


@functools.cache
def currency_codes() -> frozenset[str]:
    """The alphabetic codes of the currencies in circulation (built on first use: pycountry loads lazily)."""
    return frozenset(currency.alpha_3 for currency in pycountry.currencies) - NOT_PRICING_CURRENCIES


@functools.cache
def currency_pattern() -> str:
    """The codes of ``currency_codes()`` in any case as a JSON Schema ``pattern`` (``[Ee][Uu][Rr]``:
    ECMA 262 has no case-insensitive flag a pattern can carry): what ``normalise_currency`` takes."""
    codes = ("".join(f"[{letter}{letter.lower()}]" for letter in code) for code in sorted(currency_codes()))
    return f"^(?:{'|'.join(codes)})$"


def normalise_currency(value: str) -> str | None:
    """``"eur"`` → ``"EUR"``; ``None`` when ``value`` is not the code of a currency in circulation."""
    code = value.strip().upper()
    return code if code in currency_codes() else None

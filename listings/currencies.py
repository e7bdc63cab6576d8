"""ISO 4217 currency codes a room type may be priced in.

Python has no currency list built in and the stack has no package for one, so this is a
constant: the alphabetic codes of the currencies in circulation as of 2026, taken from
the ISO 4217 list one (current currencies and funds). Left out on purpose: fund and
accounting units (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW, XDR, XSU, XUA, XB*), precious
metals (XAU, XAG, XPD, XPT), the test and "no currency" codes (XTS, XXX), and withdrawn
codes (ANG → XCG in 2025, BGN → EUR in 2026, HRK → EUR in 2023, SLL → SLE, ZWL → ZWG,
CUC). When ISO adds or withdraws a code, edit this list.
"""

from __future__ import annotations

CURRENCY_CODES: frozenset[str] = frozenset(
    """
    AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
    CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS
    GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW
    KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR
    MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR
    SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX
    USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
    """.split()
)


def normalise_currency(value: str) -> str | None:
    """``"eur"`` → ``"EUR"``; ``None`` when ``value`` is not a code in ``CURRENCY_CODES``."""
    code = value.strip().upper()
    return code if code in CURRENCY_CODES else None

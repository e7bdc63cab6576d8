"""The value sets of the JSON feed's enums, read from ``data/enums.json`` (data, not code).

Each enum is served by a helper endpoint ``/json/import/<name>`` and listed on
``/json/docs``; the models' ``choices`` come from here too, so a value set is written once.
The ``currency`` helper is the list of ISO 4217 codes in circulation (``listings/currencies``),
spelled in lower case as the feed's example sends them (``usd``).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from listings.currencies import currency_codes

DATA = Path(__file__).with_name("data") / "enums.json"


@functools.cache
def _enums() -> dict[str, dict]:
    return json.loads(DATA.read_text(encoding="utf-8"))


def names() -> list[str]:
    return [*_enums(), "currency"]


def entries(name: str) -> list[dict[str, str]]:
    """``[{"value": …, "label": …}, …]`` of the enum ``name``."""
    if name == "currency":
        return [{"value": code.lower(), "label": code} for code in sorted(currency_codes())]
    return list(_enums()[name]["values"])


def note(name: str) -> str:
    if name == "currency":
        return "ISO 4217 code of a currency in circulation, in lower case."
    return _enums()[name]["note"]


@functools.cache
def values(name: str) -> frozenset[str]:
    return frozenset(entry["value"] for entry in entries(name))


def choices(name: str) -> list[tuple[str, str]]:
    """Model field choices for the enum ``name``."""
    return [(entry["value"], entry["label"]) for entry in entries(name)]

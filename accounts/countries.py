"""ISO 3166-1 countries: the names partners send, and the alpha-2 codes we store.

``POST /v2/users`` takes ``country`` as a full English name (the spec's example is
"United States"); the user row stores the ISO 3166-1 alpha-2 code and responses give the
name back. The country list and its names come from ``pycountry`` (Debian's
``iso-codes``); a country's display name is its common name where ISO writes the short
name inverted or in long form for sorting ("South Korea" for "Korea, Republic of",
"Vietnam" for "Viet Nam"), its ISO short name otherwise.

Accepted on input, compared without case, accents or repeated spaces:

- the display name and the ISO short name ("Vietnam", "Viet Nam");
- the ISO official name ("United States of America", "Czech Republic");
- the everyday and former names in ``ALIASES``, which ISO does not list.

Alpha-2 codes themselves are not accepted: the contract says "full name", and "CA" or
"IN" read as names are ambiguous to people.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import pycountry

# Names partners send that ISO 3166-1 (and so pycountry) does not know. Keep it short:
# every entry is a name in everyday English use that points at one country only.
ALIASES: dict[str, str] = {
    # Abbreviations and everyday names for the two countries partners send most.
    "USA": "US",
    "U.S.A.": "US",
    "U.S.": "US",
    "America": "US",
    "UK": "GB",
    "U.K.": "GB",
    "Great Britain": "GB",
    "Britain": "GB",
    # Everyday English names where ISO keeps a formal one ("Russian Federation",
    # "Brunei Darussalam", "Holy See (Vatican City State)", "Palestine, State of",
    # "Micronesia, Federated States of", "Congo, The Democratic Republic of the").
    "Russia": "RU",
    "Brunei": "BN",
    "Vatican": "VA",
    "Vatican City": "VA",
    "Palestine": "PS",
    "Micronesia": "FM",
    "Democratic Republic of the Congo": "CD",
    "DR Congo": "CD",
    # Names with a leading article, or the country's everyday name in English.
    "The Netherlands": "NL",
    "Holland": "NL",
    "The Gambia": "GM",
    "The Bahamas": "BS",
    # Former or English-language names still in wide use after the country renamed itself
    # (Türkiye 2022, Côte d'Ivoire, Cabo Verde 2013, Eswatini 2018, North Macedonia 2019,
    # Myanmar 1989, Timor-Leste 2002).
    "Turkey": "TR",
    "Ivory Coast": "CI",
    "Cape Verde": "CV",
    "Swaziland": "SZ",
    "Macedonia": "MK",
    "Burma": "MM",
    "East Timor": "TL",
}


def _fold(name: str) -> str:
    """Case-, accent- and spacing-insensitive form used for lookups ("Côte d’Ivoire" = "cote d'ivoire")."""
    decomposed = unicodedata.normalize("NFKD", name.replace("\u2019", "'"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", stripped).strip().casefold()


@functools.cache
def countries() -> dict[str, str]:
    """Every assigned alpha-2 code and its display name (built on first use: pycountry loads lazily)."""
    return {country.alpha_2: getattr(country, "common_name", None) or country.name for country in pycountry.countries}


@functools.cache
def _codes_by_name() -> dict[str, str]:
    names: dict[str, str] = {_fold(name): code for name, code in ALIASES.items()}
    for country in pycountry.countries:
        for attribute in ("official_name", "name", "common_name"):
            if name := getattr(country, attribute, None):
                names[_fold(name)] = country.alpha_2
    return names


@functools.cache
def country_names() -> list[str]:
    """Every name ``country_code`` knows, as spelled in ISO 3166-1 or ``ALIASES`` (for the OpenAPI document)."""
    names = set(ALIASES)
    for country in pycountry.countries:
        names.update(
            name
            for attribute in ("official_name", "name", "common_name")
            if (name := getattr(country, attribute, None))
        )
    return sorted(names)


def country_code(name: str) -> str | None:
    """The alpha-2 code for a country name, or ``None`` when the name is not known."""
    return _codes_by_name().get(_fold(name))


def country_name(code: str | None) -> str | None:
    """The display name for an alpha-2 code (``None`` for an empty or unknown code)."""
    return countries().get(code or "")

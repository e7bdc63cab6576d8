"""ISO 639-1 languages: the two-letter codes ``POST /v2/users`` accepts in ``language``.

The codes come from ``pycountry`` (the ISO 639-3 languages that have an ISO 639-1 code).
Codes are stored and returned lower-case; input is accepted in any case. Region subtags
(``en-US``) are not part of ISO 639-1 and are refused.
"""

from __future__ import annotations

import functools

import pycountry

# ISO 639-1 codes that pycountry's ISO 639-3 table cannot hold. "bh" (Bihari) names a
# group of languages, which ISO 639-3 does not list (pycountry has it only as the
# family "bih", without a two-letter code); it was accepted before pycountry was used.
EXTRA_CODES = frozenset({"bh"})


@functools.cache
def language_codes() -> frozenset[str]:
    """Every ISO 639-1 code, lower-case (built on first use: pycountry loads lazily)."""
    return EXTRA_CODES | {language.alpha_2 for language in pycountry.languages if hasattr(language, "alpha_2")}


def is_language_code(value: str) -> bool:
    """``True`` for a lower-case ISO 639-1 code (``"en"``); ``"EN"``, ``"eng"`` and ``"en-US"`` are not."""
    return value in language_codes()

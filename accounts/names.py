"""How people's names are written on the platform: one function shared by every sign-up path.

Web sign-up and ``POST /v2/users`` (``shared/spec/coliving-partner-api.txt``: "proper
name formatting") both store names through ``format_name``.
"""

from __future__ import annotations

import re

# Lowercase nobiliary particles (Dutch, German, French, Italian, Spanish, Portuguese).
PARTICLES = frozenset({"van", "von", "de", "der", "den", "du", "da", "di", "del", "della", "le", "la", "ter", "ten"})

_WORD_PARTS = re.compile(r"([-'\u2019])")


def _capitalise(word: str) -> str:
    # Capital after each hyphen and apostrophe: "o'neil" → "O'Neil", "mary-jane" → "Mary-Jane".
    return "".join(part[:1].upper() + part[1:].lower() for part in _WORD_PARTS.split(word))


def format_name(value: str, *, last_name: bool = False) -> str:
    """Return ``value`` written the way the platform stores names.

    - Leading and trailing whitespace is removed and any inner run of whitespace becomes
      one space: ``"  jOHN   o'neil "`` → ``"John O'Neil"``.
    - Every word is capitalised, and so is every part after a hyphen or an apostrophe
      (straight ``'`` or typographic ``’``): ``"mary-jane"`` → ``"Mary-Jane"``.
    - A nobiliary particle (``PARTICLES``: van, von, de, der, den, du, da, di, del, della,
      le, la, ter, ten) that the person typed in lower case stays lower case, unless it
      begins the full name. A last name never begins the full name, so its leading
      particle stays lower case too: first name ``"ludwig"``, last name
      ``"van beethoven"`` → ``"Ludwig"``, ``"van Beethoven"``. A particle is only a
      particle when a name follows it: a last name that is just ``"de"`` becomes ``"De"``.

    Choices, and what they cost:

    - A particle typed with a capital keeps it (``"Van Damme"``, Flemish usage; ``"De
      Gaulle"``): we cannot tell "van" from "Van" for the person, so we keep what they
      wrote. A name typed all in capitals has no lower-case particle to keep:
      ``"LUDWIG VAN BEETHOVEN"`` → ``"Ludwig Van Beethoven"``.
    - Inner capitals that no rule predicts are lost: ``"McDonald"`` → ``"Mcdonald"``,
      ``"DiCaprio"`` → ``"Dicaprio"``. The same trade-off as web sign-up; people fix it in
      their profile.
    """
    words = value.split()
    formatted = []
    for index, word in enumerate(words):
        leads_full_name = index == 0 and not last_name
        followed_by_name = any(w.lower() not in PARTICLES for w in words[index + 1 :])
        if word in PARTICLES and not leads_full_name and followed_by_name:
            formatted.append(word)
        else:
            formatted.append(_capitalise(word))
    return " ".join(formatted)

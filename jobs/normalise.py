"""Text normalisation shared by the directory's models and services."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def collapse(value: str) -> str:
    """Trimmed, with every run of whitespace inside reduced to one space."""
    return _SPACES.sub(" ", value).strip()


def fold(value: str) -> str:
    """Case- and accent-insensitive form for matching: ``"  São  Paulo"`` → ``"sao paulo"``."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return collapse(stripped.casefold())

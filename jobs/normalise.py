"""Text normalisation shared by the directory's models and services: matching forms of
names, job tags, source URLs and their ``ref`` parameter, the dedupe fingerprint, and the
HTML sanitiser (nh3, the Rust ammonia sanitiser) for job descriptions and blog bodies."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from decimal import Decimal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import nh3

_SPACES = re.compile(r"\s+")
REF_PARAM = "ref"
REF_VALUE = "coworkiesjobs"

# Job descriptions: "plain text or basic HTML: p, br, ul, ol, li, h2, h3, strong, em, a".
DESCRIPTION_TAGS = frozenset({"p", "br", "ul", "ol", "li", "h2", "h3", "strong", "em", "a"})
# Blog bodies are written by staff; a few more structural tags, same link rules.
BLOG_TAGS = DESCRIPTION_TAGS | {"h4", "blockquote", "code", "pre", "img", "figure", "figcaption", "hr"}
_LINK_SCHEMES = frozenset({"http", "https"})


def collapse(value: str) -> str:
    """Trimmed, with every run of whitespace inside reduced to one space."""
    return _SPACES.sub(" ", value).strip()


def fold(value: str) -> str:
    """Case- and accent-insensitive form for matching: ``"  São  Paulo"`` → ``"sao paulo"``."""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return collapse(stripped.casefold())


def tags(value: str) -> str:
    """``" React, node ,REACT,, "`` → ``"react,node"``: trimmed, lowercased, de-duplicated
    (first occurrence kept), empty entries dropped."""
    seen: dict[str, None] = {}
    for tag in value.split(","):
        tag = collapse(tag).lower()
        if tag:
            seen.setdefault(tag, None)
    return ",".join(seen)


def _without_ref(query: str) -> list[tuple[str, str]]:
    return [(name, value) for name, value in parse_qsl(query, keep_blank_values=True) if name != REF_PARAM]


def with_ref(url: str) -> str:
    """``url`` with ``ref=coworkiesjobs`` as its last query parameter, its other parameters
    (and fragment) kept; any ``ref`` it already had is replaced."""
    parts = urlsplit(url.strip())
    query = urlencode([*_without_ref(parts.query), (REF_PARAM, REF_VALUE)])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def url_identity(url: str) -> str:
    """A source URL as the fingerprint sees it: trimmed, lowercased, without ``ref``."""
    parts = urlsplit(url.strip().lower())
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(_without_ref(parts.query)), parts.fragment))


def dedupe_hash(*, title: str, company: str, city_id: int, external_url: str) -> str:
    """SHA-256 of the normalised title, company, city id and source URL (lowercase, trimmed,
    inner spaces collapsed, ``ref`` removed), one per line."""
    parts = [collapse(title).lower(), collapse(company).lower(), str(city_id), url_identity(external_url)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _keep_http_links(tag: str, attribute: str, value: str) -> str | None:
    if attribute in ("href", "src"):
        scheme = urlsplit(value.strip()).scheme.lower()
        return value if scheme in _LINK_SCHEMES else None
    return value


def sanitise(value: str, *, allowed: frozenset[str] = DESCRIPTION_TAGS) -> str:
    """HTML reduced to ``allowed`` tags; ``<a href>`` (and ``<img src>`` where allowed) keep
    absolute http(s) URLs only — ``javascript:``, ``data:`` and relative ones are dropped —
    and no other attribute survives. ``script`` and ``style`` go with their content."""
    attributes: dict[str, set[str]] = {"*": set(), "a": {"href"}}  # "*": no generic lang/title
    if "img" in allowed:
        attributes["img"] = {"src", "alt"}
    cleaned = nh3.clean(
        value,
        tags=set(allowed),
        clean_content_tags={"script", "style"},
        attributes=attributes,
        attribute_filter=_keep_http_links,
        url_schemes=set(_LINK_SCHEMES),
        url_relative="deny",
        link_rel="nofollow noopener noreferrer",
    )
    return cleaned.strip()


def text_of(value: str) -> str:
    """The text of an HTML fragment, tags removed and entities decoded."""
    return html.unescape(nh3.clean(value, tags=set(), clean_content_tags={"script", "style"}))


def coordinate(value: Decimal | None) -> str | None:
    """A coordinate as the spec writes it: at least four decimals, trailing zeros past them
    dropped (``52.520000`` → ``"52.5200"``, ``52.520012`` → ``"52.520012"``)."""
    if value is None:
        return None
    text = f"{value:.6f}".rstrip("0")
    whole, _, decimals = text.partition(".")
    return f"{whole}.{decimals.ljust(4, '0')}"

"""The one catalogue of API key scopes, with the rules for which scope grants which.

- Coliving partner API: ``users.read|write``, ``bookings.read|write``, ``listings.read|write``.
  A write scope does not grant the matching read scope. The legacy ``*.create`` names are
  accepted and stored as ``*.write``.
- Coworkies: ``read`` (all reads), ``write`` (all reads and writes), ``jobs:read``,
  ``jobs:write``, ``spaces:read``, ``events:read``.
- Cobot-compatible resource booking: ``read_bookings``, ``write_bookings``, ``read_resources``.

Restricted (``cwk_rstr_``) keys can never write, whatever they hold; that rule lives in
``ApiKey.has_scope``.

A key's scopes belong to its prefix's family (``PREFIX_SCOPES``): ``sk_live_``/``sk_test_``
carry coliving and resource-booking scopes, ``cwk_live_``/``cwk_rstr_`` coworkies scopes.
``api_key_create`` refuses a mix (``outside_family``); ``ApiKey.has_scope`` ignores a
foreign scope a key issued before the rule may still hold.
"""

from __future__ import annotations

from collections.abc import Iterable

SCOPES: dict[str, str] = {
    "users.read": "Read users created by this key's owner",
    "users.write": "Create users",
    "bookings.read": "Read bookings on the owner's listings",
    "bookings.write": "Create, cancel and message bookings",
    "listings.read": "Read the owner's listings and room types",
    "listings.write": "Push availability and rates, create listings",
    "read": "Coworkies: read all resources (jobs, spaces, cities, events, blog)",
    "write": "Coworkies: read and write all resources (implies read)",
    "jobs:read": "Coworkies: read job listings",
    "jobs:write": "Coworkies: create and update job listings",
    "spaces:read": "Coworkies: read space profiles",
    "events:read": "Coworkies: read events",
    "read_bookings": "Resource bookings: list bookings",
    "write_bookings": "Resource bookings: create, change and delete bookings",
    "read_resources": "Resource bookings: list the space's bookable resources",
}

LEGACY_ALIASES = {
    "users.create": "users.write",
    "bookings.create": "bookings.write",
    "listings.create": "listings.write",
}

# scope held -> the further scopes it grants
IMPLIES: dict[str, frozenset[str]] = {
    "read": frozenset({"jobs:read", "spaces:read", "events:read"}),
    "write": frozenset({"read", "jobs:read", "spaces:read", "events:read", "jobs:write"}),
}

WRITE_SCOPES = frozenset({"users.write", "bookings.write", "listings.write", "write", "jobs:write", "write_bookings"})


COWORKIES_SCOPES = frozenset({"read", "write", "jobs:read", "jobs:write", "spaces:read", "events:read"})
PLATFORM_SCOPES = frozenset(SCOPES) - COWORKIES_SCOPES  # coliving partner API + resource booking

# Key prefix (``ApiKey.Prefix``'s values) -> the scopes a key with it may hold.
PREFIX_SCOPES: dict[str, frozenset[str]] = {
    "sk_live_": PLATFORM_SCOPES,
    "sk_test_": PLATFORM_SCOPES,
    "cwk_live_": COWORKIES_SCOPES,
    "cwk_rstr_": COWORKIES_SCOPES,
}


def outside_family(prefix: str, scopes: Iterable[str]) -> list[str]:
    """The scopes (canonical names) a key with ``prefix`` may not hold, in catalogue order."""
    allowed = PREFIX_SCOPES.get(prefix, frozenset())
    held = set(scopes)
    return [scope for scope in SCOPES if scope in held and scope not in allowed]


def family_error(prefix: str, foreign: Iterable[str]) -> str:
    family = "coworkies" if PREFIX_SCOPES.get(prefix) is COWORKIES_SCOPES else "coliving and resource-booking"
    return f"A {prefix} key carries only {family} scopes; not: {', '.join(foreign)}."


def normalise(scopes: Iterable[str]) -> list[str]:
    """Map legacy names to canonical ones, drop duplicates, keep catalogue order.

    Raises ``ValueError`` naming any scope the catalogue does not know.
    """
    canonical = {LEGACY_ALIASES.get(s.strip(), s.strip()) for s in scopes if s and s.strip()}
    unknown = sorted(canonical - SCOPES.keys())
    if unknown:
        raise ValueError(f"Unknown scope(s): {', '.join(unknown)}")
    return [scope for scope in SCOPES if scope in canonical]


def expand(scopes: Iterable[str]) -> frozenset[str]:
    """All scopes granted by the held ones, implications included."""
    granted = set(scopes)
    for scope in list(granted):
        granted |= IMPLIES.get(scope, frozenset())
    return frozenset(granted)

"""Generating, parsing and hashing API key strings.

A key reads ``<prefix><key id><secret>``: a known prefix (``sk_live_``…), a 12-character
key id that is stored in clear and indexed, and a 32-character secret. Only the SHA-256
digest of the whole string is stored. A password hasher would be wasted here: the secret
carries 190 bits of randomness, so a fast digest cannot be brute-forced, and verification
stays one indexed lookup plus one hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from dataclasses import dataclass

PREFIXES = ("sk_live_", "sk_test_", "cwk_live_", "cwk_rstr_")
RESTRICTED_PREFIX = "cwk_rstr_"
SANDBOX_PREFIX = "sk_test_"
KEY_ID_LENGTH = 12
SECRET_LENGTH = 32
_ALPHABET = string.ascii_letters + string.digits


@dataclass(frozen=True)
class ParsedKey:
    prefix: str
    key_id: str


def _random(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def generate(prefix: str) -> tuple[str, str]:
    """Return ``(full_key, key_id)`` for a new key with the given prefix."""
    if prefix not in PREFIXES:
        raise ValueError(f"Unknown key prefix {prefix!r}")
    key_id = _random(KEY_ID_LENGTH)
    return f"{prefix}{key_id}{_random(SECRET_LENGTH)}", key_id


def parse(raw: str) -> ParsedKey | None:
    """Split a presented key; ``None`` when it cannot be one of ours (no database lookup needed)."""
    for prefix in PREFIXES:
        if raw.startswith(prefix):
            rest = raw[len(prefix) :]
            # isascii() and isalnum(): letters and digits only, _ALPHABET (one C call, not 44 lookups).
            if len(rest) == KEY_ID_LENGTH + SECRET_LENGTH and rest.isascii() and rest.isalnum():
                return ParsedKey(prefix=prefix, key_id=rest[:KEY_ID_LENGTH])
            return None
    return None


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def matches(raw: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(raw), stored_digest)

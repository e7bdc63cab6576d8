"""API keys are made through the service so the digest and key id are real."""

from __future__ import annotations

from accounts.tests.factories import UserFactory
from apikeys.models import ApiKey
from apikeys.services import api_key_create


def make_key(*, owner=None, scopes=(), prefix=ApiKey.Prefix.LIVE, name="Test key", **extra) -> tuple[ApiKey, str]:
    """Return ``(key, raw)``."""
    return api_key_create(owner=owner or UserFactory(), name=name, scopes=list(scopes), prefix=prefix, **extra)

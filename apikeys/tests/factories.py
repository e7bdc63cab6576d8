"""API keys are made through the service so the digest and key id are real."""

from __future__ import annotations

from accounts.tests.factories import UserFactory
from apikeys import scopes as scope_catalogue
from apikeys.models import ApiKey
from apikeys.services import api_key_create


def make_key(*, owner=None, scopes=(), prefix=None, name="Test key", **extra) -> tuple[ApiKey, str]:
    """Return ``(key, raw)``. Without a prefix, the scopes' family picks it: ``cwk_live_`` for
    coworkies scopes, else ``sk_live_``."""
    scopes = list(scopes)
    if prefix is None:
        coworkies = scopes and set(scope_catalogue.normalise(scopes)) <= scope_catalogue.COWORKIES_SCOPES
        prefix = ApiKey.Prefix.COWORKIES_LIVE if coworkies else ApiKey.Prefix.LIVE
    return api_key_create(owner=owner or UserFactory(), name=name, scopes=scopes, prefix=prefix, **extra)

"""Reads of API keys; ``authenticate`` is the one lookup path every request goes through."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils import timezone

from apikeys import keys

if TYPE_CHECKING:
    from apikeys.models import ApiKey


class InvalidKey(Exception):
    """The presented key cannot be used; ``reason`` is a machine code for the error body."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class ApiKeyQuerySet(models.QuerySet):
    def with_status(self, status: str) -> ApiKeyQuerySet:
        """Keys whose ``ApiKey.status`` is ``status``: revoked, then inactive (the key or its
        owner), then expired, else active — the same precedence as the property."""
        now = timezone.now()
        live = Q(revoked_at__isnull=True)
        enabled = live & Q(is_active=True, owner__is_active=True)
        unexpired = Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        match status:
            case "revoked":
                return self.filter(revoked_at__isnull=False)
            case "inactive":
                return self.filter(live).exclude(is_active=True, owner__is_active=True)
            case "expired":
                return self.filter(enabled, expires_at__lte=now)
            case "active":
                return self.filter(enabled & unexpired)
        raise ValueError(f"Unknown key status {status!r}")

    def authenticate(self, raw: str) -> ApiKey:
        """Return the usable key ``raw`` stands for, or raise ``InvalidKey``.

        Expiry, activity and revocation are checked here and nowhere else, so no caller
        can look a key up and forget one of them. One indexed query.
        """
        parsed = keys.parse(raw)
        if parsed is None:
            raise InvalidKey("invalid_api_key")
        try:
            # .get(), not .first(): no ORDER BY to compile or run on the hottest query there is.
            key = self.select_related("owner").get(key_id=parsed.key_id)
        except self.model.DoesNotExist:
            key = None
        if key is None or key.prefix != parsed.prefix or not keys.matches(raw, key.digest):
            raise InvalidKey("invalid_api_key")
        if key.revoked_at is not None:
            raise InvalidKey("api_key_revoked")
        if not key.is_active or not key.owner.is_active:
            raise InvalidKey("api_key_inactive")
        if key.expires_at is not None and key.expires_at <= timezone.now():
            raise InvalidKey("api_key_expired")
        return key

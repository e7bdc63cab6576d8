"""Writes on API keys: issuing, revoking, (de)activating."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from apikeys import keys
from apikeys import scopes as scope_catalogue
from apikeys.models import ApiKey, IdempotencyRecord, Provider
from coliving.api.errors import InvalidInput
from jobs.models import Space


@transaction.atomic
def api_key_create(
    *,
    owner: User,
    name: str,
    scopes: Iterable[str],
    prefix: str = ApiKey.Prefix.LIVE,
    space: Space | None = None,
    provider: Provider | None = None,
    expires_at: datetime | None = None,
    rate_limit_per_minute: int | None = None,
    created_by: User | None = None,
) -> tuple[ApiKey, str]:
    """Issue a key and return it with its full string — the only time that string exists.

    Raises ``InvalidInput`` on ``scopes`` when one is unknown or outside the prefix's
    family (``scopes.outside_family``): every path that issues keys gets the rule.
    """
    try:
        scopes = scope_catalogue.normalise(scopes)
    except ValueError as exc:
        raise InvalidInput.single(("scopes",), str(exc), code="unknown_scope") from None
    if foreign := scope_catalogue.outside_family(prefix, scopes):
        raise InvalidInput.single(("scopes",), scope_catalogue.family_error(prefix, foreign), code="scope_family")
    raw, key_id = keys.generate(prefix)
    key = ApiKey.objects.create(
        owner=owner,
        name=name,
        prefix=prefix,
        key_id=key_id,
        digest=keys.digest(raw),
        scopes=scopes,
        space=space,
        provider=provider,
        expires_at=expires_at,
        rate_limit_per_minute=rate_limit_per_minute,
        created_by=created_by,
    )
    return key, raw


def api_key_revoke(*, key: ApiKey, revoked_by: User | None = None) -> ApiKey:
    """Revoke for good. Takes effect on the very next request: nothing caches keys."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.revoked_by = revoked_by
        key.save(update_fields=["revoked_at", "revoked_by"])
    return key


def api_key_set_active(*, key: ApiKey, active: bool) -> ApiKey:
    if key.is_active != active:
        key.is_active = active
        key.save(update_fields=["is_active"])
    return key


def idempotency_records_purge() -> int:
    """Delete idempotency records past their time to live; return how many."""
    cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted

"""Writes on API keys: issuing, revoking, (de)activating, re-scoping.

Each write appends its event to the security log (``staff.models.SecurityEvent``) in the
same transaction, whoever calls it: the admin, ``createapikey``, the demo seeding.
"""

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
from staff.models import SecurityEvent
from staff.services import security_event_record


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
    nonce: str | None = None,
    ip: str | None = None,
) -> tuple[ApiKey, str]:
    """Issue a key and return it with its full string — the only time that string exists.

    Raises ``InvalidInput`` on ``scopes`` when one is unknown or outside the prefix's
    family (``scopes.outside_family``): every path that issues keys gets the rule. A
    ``nonce`` already used by another key raises ``IntegrityError`` (a resubmitted form).
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
        creation_nonce=nonce or None,
    )
    security_event_record(
        action=SecurityEvent.Action.KEY_CREATED,
        actor=created_by,
        api_key=key,
        ip=ip,
        details={"owner": owner.get_username(), "name": name, "scopes": scopes, "expires_at": _iso(expires_at)},
    )
    return key, raw


@transaction.atomic
def api_key_revoke(*, key: ApiKey, revoked_by: User | None = None, ip: str | None = None) -> ApiKey:
    """Revoke for good. Takes effect on the very next request: nothing caches keys.

    The conditional update makes a second (or concurrent) revocation a no-op that keeps
    the first one's time and author, and logs nothing."""
    now = timezone.now()
    if ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=now, revoked_by=revoked_by):
        key.revoked_at, key.revoked_by = now, revoked_by
        security_event_record(action=SecurityEvent.Action.KEY_REVOKED, actor=revoked_by, api_key=key, ip=ip)
    else:
        key.refresh_from_db(fields=["revoked_at", "revoked_by"])
    return key


@transaction.atomic
def api_key_set_active(*, key: ApiKey, active: bool, by: User | None = None, ip: str | None = None) -> ApiKey:
    if ApiKey.objects.filter(pk=key.pk, is_active=not active).update(is_active=active):
        key.is_active = active
        action = SecurityEvent.Action.KEY_ACTIVATED if active else SecurityEvent.Action.KEY_DEACTIVATED
        security_event_record(action=action, actor=by, api_key=key, ip=ip)
    else:
        key.refresh_from_db(fields=["is_active"])
    return key


@transaction.atomic
def api_key_update(*, key: ApiKey, changes: dict, by: User | None = None, ip: str | None = None) -> ApiKey:
    """Save the fields staff changed on an issued key (only those: a full save would write
    back a stale usage count or undo a revocation made meanwhile). A scope change and an
    (in)activation are logged as such; a revoked key takes no changes."""
    if not changes:
        return key
    before = ApiKey.objects.select_for_update().values("scopes", "is_active", "revoked_at").get(pk=key.pk)
    if before["revoked_at"] is not None:
        raise InvalidInput.single(("revoked_at",), "A revoked key cannot be changed.", code="key_revoked")
    for field, value in changes.items():
        setattr(key, field, value)
    key.save(update_fields=list(changes))
    if "scopes" in changes and list(before["scopes"]) != list(key.scopes):
        security_event_record(
            action=SecurityEvent.Action.KEY_SCOPES_CHANGED,
            actor=by,
            api_key=key,
            ip=ip,
            details={"before": before["scopes"], "after": key.scopes},
        )
    if "is_active" in changes and before["is_active"] != key.is_active:
        action = SecurityEvent.Action.KEY_ACTIVATED if key.is_active else SecurityEvent.Action.KEY_DEACTIVATED
        security_event_record(action=action, actor=by, api_key=key, ip=ip)
    return key


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def idempotency_records_purge() -> int:
    """Delete idempotency records past their time to live; return how many."""
    cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted

"""Writes to the security log (``staff.models.SecurityEvent``)."""

from __future__ import annotations

from typing import Any

from staff.models import SecurityEvent


def security_event_record(
    *,
    action: str,
    actor: Any = None,
    actor_label: str = "",
    api_key: Any = None,
    ip: str | None = None,
    details: dict | None = None,
) -> SecurityEvent:
    """Append one event. ``actor`` is a user (or None for the system); ``api_key`` an ApiKey."""
    if actor is not None and not actor_label:
        actor_label = actor.get_username()
    return SecurityEvent.objects.create(
        action=action,
        actor_id=getattr(actor, "pk", None),
        actor=actor_label[:254],
        api_key_id=getattr(api_key, "pk", None),
        api_key=str(api_key.masked) if api_key is not None else "",
        ip=ip or None,
        details=details or {},
    )

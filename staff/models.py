"""The security log: one append-only table of what happened to API keys and admin logins.

Rows are written by ``staff.services.security_event_record`` only (from the key services
and from login signals) and never changed or deleted: no foreign keys, so deleting a user
or a key leaves its events intact, with the label it had at the time.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SecurityEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The security log is append-only.")

    def delete(self):
        raise TypeError("The security log is append-only.")


class SecurityEvent(models.Model):
    """One security-relevant event: a key issued, revoked, (de)activated or re-scoped, a
    failed or locked-out admin login, or a refused second-factor code."""

    class Action(models.TextChoices):
        KEY_CREATED = "key_created", "key created"
        KEY_REVOKED = "key_revoked", "key revoked"
        KEY_DEACTIVATED = "key_deactivated", "key deactivated"
        KEY_ACTIVATED = "key_activated", "key activated"
        KEY_SCOPES_CHANGED = "key_scopes_changed", "key scopes changed"
        LOGIN_FAILED = "login_failed", "admin login failed"
        LOCKED_OUT = "locked_out", "admin login locked out"
        TWO_FACTOR_RESET = "two_factor_reset", "two-factor reset"
        TWO_FACTOR_FAILED = "two_factor_failed", "two-factor code refused"

    at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    action = models.CharField(max_length=30, choices=Action.choices, editable=False)
    # Who did it (the staff user), or for a failed login the username that was tried.
    actor_id = models.BigIntegerField(null=True, blank=True, editable=False)
    actor = models.CharField("actor", max_length=254, blank=True, db_index=True, editable=False)
    api_key_id = models.BigIntegerField(null=True, blank=True, editable=False)
    api_key = models.CharField("API key", max_length=80, blank=True, db_index=True, editable=False)
    ip = models.GenericIPAddressField(null=True, blank=True, editable=False)
    details = models.JSONField(default=dict, blank=True, editable=False)

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["action", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_action_display()} {self.api_key or self.actor}".strip()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("The security log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The security log is append-only.")

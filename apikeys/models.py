"""API keys partners authenticate with, their usage counters, the integration providers
keys can be bound to, and the idempotency records of keyed POSTs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from apikeys import keys, scopes
from apikeys.querysets import ApiKeyQuerySet


class Provider(models.Model):
    """A channel manager or PMS known to the Integrations API (``{provider}`` in its paths)."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=120)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class ApiKey(models.Model):
    """A key issued by staff to a partner. The secret itself is never stored, only its digest.

    ``owner`` is whose data the key reaches (a host or partner account). A key bound to a
    ``space`` only reaches that space's data; one bound to a ``provider`` may only use
    that provider's integration paths.
    """

    class Prefix(models.TextChoices):
        LIVE = "sk_live_", "sk_live_ (coliving, live)"
        TEST = "sk_test_", "sk_test_ (coliving, sandbox)"
        COWORKIES_LIVE = "cwk_live_", "cwk_live_ (coworkies, read-write)"
        COWORKIES_RESTRICTED = "cwk_rstr_", "cwk_rstr_ (coworkies, read-only)"

    class Status(models.TextChoices):
        ACTIVE = "active"
        EXPIRED = "expired"
        REVOKED = "revoked"
        INACTIVE = "inactive"

    name = models.CharField(max_length=120)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    prefix = models.CharField(max_length=10, choices=Prefix.choices, default=Prefix.LIVE)
    key_id = models.CharField(max_length=keys.KEY_ID_LENGTH, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(default=list, blank=True)
    space = models.ForeignKey(
        "jobs.Space",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_keys",
        help_text="Bind the key to one space: other spaces' data is then forbidden.",
    )
    provider = models.ForeignKey(
        Provider,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_keys",
        help_text="Bind the key to one integration provider.",
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The add form's one-time token: a re-posted form (a reload of the "key created" page)
    # finds the key it already issued instead of issuing a second one.
    creation_nonce = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    rate_limit_per_minute = models.PositiveIntegerField(
        null=True, blank=True, help_text="Overrides the default per-minute limit for this key."
    )
    usage_count = models.BigIntegerField(default=0, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "API key"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "created_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.masked})"

    @property
    def masked(self) -> str:
        return f"{self.prefix}{self.key_id}…"

    @property
    def is_restricted(self) -> bool:
        return self.prefix == keys.RESTRICTED_PREFIX

    @property
    def is_sandbox(self) -> bool:
        return self.prefix == keys.SANDBOX_PREFIX

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if not self.is_active or not self.owner.is_active:
            return self.Status.INACTIVE
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.ACTIVE

    def has_scope(self, scope: str) -> bool:
        if self.is_restricted and scope in scopes.WRITE_SCOPES:
            return False
        return scope in scopes.expand(set(self.scopes) & scopes.PREFIX_SCOPES.get(self.prefix, frozenset()))


class ApiKeyDailyUsage(models.Model):
    """Requests made with a key per day per client IP (written in batches, see ``usage.py``)."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="daily_usage")
    date = models.DateField()
    ip = models.GenericIPAddressField()
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["api_key", "date", "ip"], name="apikeys_daily_usage_unique")]
        ordering = ["-date", "-count"]
        verbose_name_plural = "daily usage"

    def __str__(self) -> str:
        return f"{self.date} {self.ip}: {self.count}"


class IdempotencyRecord(models.Model):
    """The outcome of a POST sent with an ``Idempotency-Key``, replayed to retries for 24 h.

    A record is ``in_progress`` while its first request runs and becomes ``completed`` in
    the same transaction that writes the created object; failures delete it.
    """

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress"
        COMPLETED = "completed"

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="idempotency_records")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    state = models.CharField(max_length=20, choices=State.choices, default=State.IN_PROGRESS)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.BinaryField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True, help_text="Headers replayed with the body.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        # One claim per API key and operation (reference notes: "per API key and operation").
        constraints = [
            models.UniqueConstraint(fields=["api_key", "method", "path", "key"], name="apikeys_idempotency_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.state})"

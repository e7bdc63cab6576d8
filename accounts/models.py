"""The platform's user (one model for hosts, partners, guests and staff, logging in by email),
the free-form meta attributes partners attach to users, and the outbox of user events
waiting to be delivered to the tracking endpoint."""

from __future__ import annotations

import contextlib
import math
import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.timezone import now

from accounts import validators
from accounts.countries import country_name
from accounts.querysets import UserQuerySet


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def get_by_natural_key(self, username: str) -> User:
        # Sandbox users (created through /v2/sandbox/users) never log in; their address may
        # also be a live user's.
        return self.get(email__iexact=username, is_sandbox=False)

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person or organisation account; hosts and partners own API keys, guests book stays.

    Email is the login and is unique regardless of case among live users. A sandbox user
    (``is_sandbox``, created through ``/v2/sandbox/users`` or by the sandbox seed) belongs to
    its creator's sandbox only: its address is unique within that sandbox, may be a live
    user's too, and never logs in. The profile fields are optional
    and stored in their standard form: ``phone`` in E.164, ``country`` as an ISO 3166-1
    alpha-2 code, ``timezone`` as an IANA name, ``language`` as an ISO 639-1 code. A user
    created through the partner API records the partner (``created_by``, the key's owner)
    and the key; that partner's keys are the only ones that can read the user back.
    """

    class Gender(models.TextChoices):
        MALE = "male", "Male"
        FEMALE = "female", "Female"
        NON_BINARY = "non_binary", "Non-binary"
        OTHER = "other", "Other"
        PREFER_NOT_TO_SAY = "prefer_not_to_say", "Prefer not to say"

    # Unique among live users and within each partner's sandbox (Meta.constraints), so not
    # ``unique=True``: the auth check this trips (auth.W004) is silenced in settings, and
    # logins read live users only (``UserManager.get_by_natural_key``).
    email = models.EmailField("email address", max_length=254)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(default=False, help_text="Can log into the admin site.")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=now)

    phone = models.CharField(
        max_length=16, blank=True, validators=[validators.validate_phone], help_text="E.164, e.g. +1234567890."
    )
    date_of_birth = models.DateField(null=True, blank=True, validators=[validators.validate_date_of_birth])
    gender = models.CharField(max_length=20, blank=True, choices=Gender.choices)
    country = models.CharField(
        max_length=2,
        blank=True,
        validators=[validators.validate_country_code],
        help_text="ISO 3166-1 alpha-2 code, e.g. US.",
    )
    city = models.CharField(max_length=100, blank=True)
    timezone = models.CharField(
        max_length=64, blank=True, validators=[validators.validate_timezone], help_text="IANA name, e.g. Europe/Paris."
    )
    language = models.CharField(
        max_length=2, blank=True, validators=[validators.validate_language], help_text="ISO 639-1 code, e.g. en."
    )
    created_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_users",
        editable=False,
        help_text="The partner whose API key created this user.",
    )
    is_sandbox = models.BooleanField(default=False, editable=False)
    created_by_api_key = models.ForeignKey(
        "apikeys.ApiKey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_users",
        editable=False,
        verbose_name="created by API key",
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=models.Q(is_sandbox=False),
                name="accounts_user_email_ci_unique",
                violation_error_message="A user with this email address already exists.",
            ),
            models.UniqueConstraint(
                Lower("email"),
                "created_by",
                condition=models.Q(is_sandbox=True),
                name="accounts_user_sandbox_email_ci_unique",
                violation_error_message="A user with this email address already exists in this sandbox.",
            ),
        ]
        ordering = ["id"]

    def __str__(self) -> str:
        return self.email

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @property
    def country_name(self) -> str | None:
        return country_name(self.country)

    @property
    def meta(self) -> dict[str, str | int | float | bool]:
        """Meta attributes as a dict (uses ``prefetch_related("meta_attributes")`` when present)."""
        return {attribute.key: attribute.value for attribute in self.meta_attributes.all()}

    def validate_constraints(self, exclude=None) -> None:
        # The email constraints depend on is_sandbox and created_by, which no form edits: a
        # form leaves them out, and Django would then skip the constraints. Their values are
        # the instance's own, so always check with them.
        if exclude:
            exclude = set(exclude) - {"is_sandbox", "created_by"}
        super().validate_constraints(exclude=exclude)

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()
        # Stored in canonical E.164 (ASCII digits, no trunk prefix) whichever path wrote it:
        # the API, a service, the admin. A number that does not parse was already reported
        # by the field's validator.
        if self.phone:
            with contextlib.suppress(ValidationError):
                self.phone = validators.normalise_phone(self.phone)


# A meta number's magnitude is at most 2^53 - 1: every integer in that range is exact in a
# double (JavaScript clients), inside the renderer's 64-bit range, and comes back from jsonb
# as it went in. Beyond it, orjson reads 1e20 or 123456789012345678901234567890 as a float,
# jsonb returns it as an integer of 21+ digits, and rendering that fails.
META_MAX_NUMBER = 2**53 - 1


def meta_value_error(value: object) -> tuple[str, str] | None:
    """Why a meta number (``int``/``float``, not ``bool``) cannot be stored, as ``(message, code)``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value) or abs(value) > META_MAX_NUMBER:
        return f"Must be a number between -{META_MAX_NUMBER} and {META_MAX_NUMBER}.", "out_of_range"
    return None


class UserMetaAttribute(models.Model):
    """One free-form attribute a partner attached to a user (``meta`` in ``POST /v2/users``).

    ``value`` is a JSON scalar (string, boolean, or number within ``±META_MAX_NUMBER``)
    and keeps its type.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="meta_attributes")
    key = models.CharField(max_length=64)
    value = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="accounts_user_meta_key_unique")]
        ordering = ["key"]
        verbose_name = "meta attribute"

    def __str__(self) -> str:
        return f"{self.key}={self.value!r}"


class OutboxEvent(models.Model):
    """A domain event (``UserCreated``…) written in the same transaction as the change it
    describes, then delivered to the tracking endpoint by a background task.

    ``delivered_at`` is set once the endpoint answered 2xx; until then ``attempts`` counts
    the tries, ``last_error`` keeps the latest failure and ``next_attempt_at`` when the
    next automatic try is due (``None``: none scheduled). ``uuid`` is sent with every try
    so that the receiver can drop duplicates.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100, db_index=True)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=now, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(delivered_at__isnull=True),
                name="accounts_outbox_undelivered",
            )
        ]
        verbose_name = "outbox event"

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"

    @property
    def is_delivered(self) -> bool:
        return self.delivered_at is not None

    def message(self) -> dict:
        """The JSON body sent to the tracking endpoint."""
        return {
            "event": self.name,
            "event_id": str(self.uuid),
            "occurred_at": self.created_at.isoformat(),
            "data": self.payload,
        }

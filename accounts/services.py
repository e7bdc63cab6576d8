"""Writes on users: creation through the same pipeline as web sign-up.

``user_create`` is what ``POST /v2/users`` calls (``shared/spec/coliving-partner-api.txt``,
"Create User": name formatting, meta attributes, a ``UserCreated`` event, tag-manager
tracking) and what any other sign-up path should call.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from accounts import events
from accounts.models import User, UserMetaAttribute, meta_value_error
from accounts.names import format_name
from accounts.signals import user_created
from coliving.api.errors import Conflict, FieldError, InvalidInput

if TYPE_CHECKING:
    from apikeys.models import ApiKey

MetaValue = str | int | float | bool

EMAIL_TAKEN = "A user with this email already exists"


def _email_taken() -> Conflict:
    return Conflict(EMAIL_TAKEN, code="email_taken")


def _field_errors(exc: ValidationError, field: str = NON_FIELD_ERRORS) -> list[FieldError]:
    """Django's ``ValidationError`` as domain errors: a list belongs to ``field``, a dict names its fields."""
    by_field = exc.error_dict.items() if hasattr(exc, "error_dict") else [(field, exc.error_list)]
    return [
        FieldError(() if name == NON_FIELD_ERRORS else (name,), message, error.code or "invalid")
        for name, errors in by_field
        for error in errors
        for message in error  # one message, its parameters filled in
    ]


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    phone: str = "",
    date_of_birth: date | None = None,
    gender: str = "",
    country: str = "",
    city: str = "",
    timezone: str = "",
    language: str = "",
    meta: Mapping[str, MetaValue] | None = None,
    created_by: User | None = None,
    api_key: ApiKey | None = None,
    source: str = "api",
    sandbox: bool = False,
) -> User:
    """Create an active user with a formatted name, meta attributes and a ``UserCreated`` event.

    Raises ``Conflict`` (409, ``email_taken``) when the email is in use in any case, and
    ``InvalidInput`` listing every password rule and profile value refused, each under its
    field's name (``("password",)``, ``("phone",)``…). Profile values are expected in
    stored form (country as an alpha-2 code); the phone number is stored in canonical
    E.164.

    ``sandbox``: a user of ``created_by``'s sandbox (``/v2/sandbox/users``): its email is
    unique within that sandbox only, and it sends no event (nothing leaves the platform
    for sandbox data).
    """
    email = User.objects.normalize_email(email.strip()).lower()
    same_email = User.objects.filter(email__iexact=email, is_sandbox=sandbox)
    if sandbox:
        same_email = same_email.filter(created_by=created_by)
    if same_email.exists():
        raise _email_taken()

    user = User(
        email=email,
        first_name=format_name(first_name),
        last_name=format_name(last_name, last_name=True),
        phone=phone,
        date_of_birth=date_of_birth,
        gender=gender,
        country=country,
        city=" ".join(city.split()),
        timezone=timezone,
        language=language,
        is_active=True,
        created_by=created_by,
        created_by_api_key=api_key,
        is_sandbox=sandbox,
    )
    errors: list[FieldError] = []
    try:
        validate_password(password, user)
    except ValidationError as exc:
        errors += _field_errors(exc, "password")
    try:
        # The foreign keys come from the authenticated request: no need to query them again.
        user.full_clean(
            exclude=["password", "created_by", "created_by_api_key"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        errors += _field_errors(exc)
    for key, value in (meta or {}).items():
        # The API's serializer refuses these first; any other path gets the same rule.
        if (error := meta_value_error(value)) is not None:
            errors.append(FieldError(("meta", key), *error))
    if errors:
        raise InvalidInput(errors)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # A concurrent request took the address between our check and our insert.
        if same_email.exists():
            raise _email_taken() from None
        raise

    if meta:
        UserMetaAttribute.objects.bulk_create(
            UserMetaAttribute(user=user, key=key, value=value) for key, value in meta.items()
        )

    if sandbox:
        return user
    events.outbox_event_create(
        name=events.USER_CREATED,
        payload=events.user_created_payload(user=user, api_key=api_key, source=source),
    )
    user_created.send(sender=User, user=user, created_by=created_by, api_key=api_key, source=source)
    return user

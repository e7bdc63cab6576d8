"""Input and output of ``POST /v2/users`` and ``GET /v2/users/{id}``
(``shared/spec/coliving-partner-api.txt``, "Create User").

The wire form differs from the stored form in four places: ``country`` is a full English
name on the wire and an ISO 3166-1 alpha-2 code in the database, ``timezone`` and
``language`` are accepted in any case and stored canonically, ``phone`` is stored in
canonical E.164 (``accounts.validators.normalise_phone``), and optional values that were
not given are ``null`` in responses.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import password_validation
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from accounts import validators
from accounts.countries import country_code, country_name, country_names
from accounts.languages import language_codes
from accounts.models import META_MAX_NUMBER, User, meta_value_error
from coliving.api.fields import StrictCharField
from coliving.api.timestamps import TimestampField

# Not only digits (NumericPasswordValidator), no NUL.
PASSWORD_PATTERN = r"^[^\x00]*[^\d\x00][^\x00]*$"

META_MAX_KEYS = 50
META_KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
META_MAX_STRING = 1000

META_VALUE_SCHEMA = {
    "oneOf": [
        {"type": "string", "maxLength": META_MAX_STRING},
        {"type": "number", "minimum": -META_MAX_NUMBER, "maximum": META_MAX_NUMBER},
        {"type": "boolean"},
    ],
    "description": f"A string of at most {META_MAX_STRING} characters, a boolean, or a number between "
    f"-{META_MAX_NUMBER} and {META_MAX_NUMBER} (2^53 - 1: every client reads it exactly).",
}


class BlankAsNullCharField(serializers.CharField):
    """A profile text that was never given is stored as "" and returned as null."""

    def to_representation(self, value):
        return value or None


@extend_schema_field(
    {
        "type": "string",
        "description": 'A country\'s full English name (ISO 3166-1 short name, e.g. "United States"); a few '
        'common forms such as "USA", "UK", "South Korea" are also accepted. Stored as the ISO 3166-1 '
        "alpha-2 code; returned as the name.",
        "examples": ["United States"],
    }
)
class CountryField(StrictCharField):
    default_error_messages = {
        "unknown": 'Unknown country "{value}": send its full English name, e.g. "United States".',
    }

    def to_internal_value(self, data) -> str:
        name = super().to_internal_value(data)
        code = country_code(name)
        if code is None:
            self.fail("unknown", value=name[:100])
        return code

    def to_representation(self, value):
        return country_name(value)

    def schema_rules(self) -> dict:
        return {"enum": country_names()}


class TimezoneField(StrictCharField):
    """An IANA zone name in any case, stored as spelled in the database (``america/new_york`` →
    ``America/New_York``); the schema lists the names."""

    def to_internal_value(self, data) -> str:
        value = super().to_internal_value(data)
        return validators.timezones().get(value.casefold(), value)

    def schema_rules(self) -> dict:
        return {"enum": sorted(validators.timezones().values())}


class LanguageField(StrictCharField):
    """An ISO 639-1 code in any case, stored lower-case; the schema lists the codes."""

    def to_internal_value(self, data) -> str:
        return super().to_internal_value(data).lower()

    def schema_rules(self) -> dict:
        return {"enum": sorted(language_codes())}


class PhoneField(StrictCharField):
    def schema_rules(self) -> dict:
        return {"pattern": validators.phone_pattern()}


class PasswordField(StrictCharField):
    """Checked by Django's password validators (``AUTH_PASSWORD_VALIDATORS``, in the service); the
    schema says what a schema can: their minimum length, not only digits. Similarity to the
    user's name or email and the list of common passwords are checked too."""

    def schema_rules(self) -> dict:
        rules = {"pattern": PASSWORD_PATTERN}
        for validator in password_validation.get_default_password_validators():
            if isinstance(validator, password_validation.MinimumLengthValidator):
                rules["minLength"] = validator.min_length
        return rules


@extend_schema_field(META_VALUE_SCHEMA)
class MetaValueField(serializers.Field):
    default_error_messages = {
        "not_scalar": "Must be a string, a number or a boolean.",
        "too_long": f"Must be at most {META_MAX_STRING} characters.",
    }

    def to_internal_value(self, data):
        if isinstance(data, str):
            if len(data) > META_MAX_STRING:
                self.fail("too_long")
            return data
        if not isinstance(data, bool | int | float):
            self.fail("not_scalar")
        error = meta_value_error(data)
        if error is not None:
            raise serializers.ValidationError(error[0], code=error[1])
        return data

    def to_representation(self, value):
        # A number stored before the range was enforced may be beyond what the renderer
        # (or a client) reads exactly: returned as its decimal text rather than failing.
        if isinstance(value, int | float) and not isinstance(value, bool) and meta_value_error(value) is not None:
            return str(value)
        return value


class MetaField(serializers.DictField):
    default_error_messages = {
        "too_many": f"At most {META_MAX_KEYS} attributes.",
        "bad_key": "Keys are 1 to 64 letters, digits, or _ . : - characters.",
    }

    def __init__(self, **kwargs):
        super().__init__(child=MetaValueField(), **kwargs)

    def schema_rules(self) -> dict:
        return {"maxProperties": META_MAX_KEYS, "propertyNames": {"pattern": META_KEY_PATTERN.pattern}}

    def to_internal_value(self, data) -> dict[str, Any]:
        value = super().to_internal_value(data)
        if len(value) > META_MAX_KEYS:
            self.fail("too_many")
        bad = [key for key in value if not META_KEY_PATTERN.fullmatch(key)]
        if bad:
            raise serializers.ValidationError({key[:64]: [self.error_messages["bad_key"]] for key in bad})
        return value


OPTIONAL = {"required": False, "allow_null": True}


@extend_schema_serializer(component_name="User")  # request "UserRequest", response "User": one gender enum
class UserCreateSerializer(serializers.Serializer):
    """The spec's body, field for field, plus ``meta``. Only the first four fields are required."""

    email = serializers.EmailField(max_length=254)
    password = PasswordField(
        write_only=True,
        max_length=128,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text="Checked by the password validators (length, common passwords, similarity to the user's "
        "name and email, not only digits).",
    )
    first_name = StrictCharField(
        max_length=150, help_text='Stored formatted: trimmed, spaces collapsed, capitalised ("jOHN" → "John").'
    )
    last_name = StrictCharField(
        max_length=150,
        help_text='Stored formatted; lower-case particles are kept ("van beethoven" → "van Beethoven").',
    )
    phone = PhoneField(
        max_length=16,
        validators=[validators.validate_phone],
        help_text="E.164, e.g. +1234567890: + and a country calling code that exists, then digits only. Stored "
        "in canonical form (a national trunk 0 after the country code is dropped: +4402079460958 → +442079460958).",
        **OPTIONAL,
    )
    date_of_birth = serializers.DateField(
        input_formats=["%Y-%m-%d"],
        validators=[validators.validate_date_of_birth],
        help_text=f"YYYY-MM-DD, in the past; the user must be at least {validators.MIN_AGE}.",
        **OPTIONAL,
    )
    gender = serializers.ChoiceField(choices=User.Gender.choices, **OPTIONAL)
    country = CountryField(max_length=100, **OPTIONAL)
    city = StrictCharField(max_length=100, **OPTIONAL)
    timezone = TimezoneField(
        max_length=64,
        validators=[validators.validate_timezone],
        help_text="IANA time zone name, e.g. America/New_York.",
        **OPTIONAL,
    )
    language = LanguageField(
        max_length=2,
        validators=[validators.validate_language],
        help_text="ISO 639-1 two-letter code, e.g. en.",
        **OPTIONAL,
    )
    meta = MetaField(
        required=False,
        help_text=f"Free-form attributes: up to {META_MAX_KEYS} keys (1-64 of A-Z a-z 0-9 _ . : -), each a "
        f"string (at most {META_MAX_STRING} characters), a boolean, or a number between -{META_MAX_NUMBER} and "
        f"{META_MAX_NUMBER}; anything else is a 400 naming `meta.<key>`. Returned as sent.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Optional values left out or sent as null are stored empty.
        for name in ("phone", "gender", "country", "city", "timezone", "language"):
            attrs[name] = attrs.get(name) or ""
        attrs.setdefault("date_of_birth", None)
        attrs["meta"] = attrs.get("meta") or {}
        return attrs


class UserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    phone = BlankAsNullCharField(allow_null=True)
    date_of_birth = serializers.DateField(allow_null=True)
    gender = serializers.ChoiceField(choices=User.Gender.choices, allow_null=True)
    country = CountryField(allow_null=True)
    city = BlankAsNullCharField(allow_null=True)
    timezone = BlankAsNullCharField(allow_null=True)
    language = BlankAsNullCharField(allow_null=True)
    is_active = serializers.BooleanField()
    created_at = TimestampField(source="date_joined", help_text="UTC, whole seconds: 2024-01-01T08:00:00Z.")
    meta = serializers.DictField(child=MetaValueField())

    def to_representation(self, instance: User) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["gender"] = data["gender"] or None
        return data


class UserResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField(help_text="Always true.")
    data = UserSerializer()

"""Validators for a user's profile fields, shared by the model, the API serializers and services.

Each takes the stored form of a value (alpha-2 country code, IANA zone name, ISO 639-1
code) and raises Django's ``ValidationError``; DRF fields accept them as they are.
"""

from __future__ import annotations

import functools
import zoneinfo
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone

from accounts.countries import countries
from accounts.languages import is_language_code

MIN_AGE = 16
MAX_AGE = 120  # beyond this a date of birth is a typo, not a person

E164 = r"^\+[1-9]\d{6,14}$"
validate_phone = RegexValidator(
    E164, message="Enter a phone number in E.164 format: + and country code, digits only, e.g. +1234567890."
)


def age_on(born: date, day: date) -> int:
    """Whole years between ``born`` and ``day`` (someone born on 29 February ages on 1 March)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def validate_date_of_birth(value: date) -> None:
    today = timezone.localdate()
    if value >= today:
        raise ValidationError("Date of birth must be in the past.", code="future_date")
    age = age_on(value, today)
    if age < MIN_AGE:
        raise ValidationError(f"Users must be at least {MIN_AGE} years old.", code="too_young")
    if age > MAX_AGE:
        raise ValidationError("Enter a real date of birth.", code="implausible_date")


@functools.cache
def timezones() -> dict[str, str]:
    """Every IANA zone name this system knows, keyed by its case-folded form."""
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


def validate_timezone(value: str) -> None:
    if timezones().get(value.casefold()) != value:
        raise ValidationError("Enter an IANA time zone name, e.g. America/New_York.", code="invalid_timezone")


def validate_language(value: str) -> None:
    if not is_language_code(value):
        raise ValidationError("Enter an ISO 639-1 language code, e.g. en.", code="invalid_language")


def validate_country_code(value: str) -> None:
    if value not in countries():
        raise ValidationError("Enter an ISO 3166-1 alpha-2 country code, e.g. US.", code="invalid_country")

"""Validators for a user's profile fields, shared by the model, the API serializers and services.

Each takes the stored form of a value (E.164 phone number, alpha-2 country code, IANA zone
name, ISO 639-1 code) and raises Django's ``ValidationError``; DRF fields accept them as
they are.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from datetime import date

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.countries import countries
from accounts.languages import is_language_code

MIN_AGE = 16
MAX_AGE = 120  # beyond this a date of birth is a typo, not a person

# E.164: "+", the country calling code, the subscriber number; 15 digits at most. Fewer
# than 7 digits is no one's number. ``\d`` takes any script's digits: phonenumbers turns
# them into ASCII ones.
E164_SHAPE = re.compile(r"\+\d{7,15}")


@functools.cache
def phone_pattern() -> str:
    """What ``normalise_phone`` accepts (in ASCII digits), for the OpenAPI document: ``+``, a
    country calling code that exists, and the rest up to 7 to 15 digits in all."""
    by_length: dict[int, list[str]] = {}
    for code in sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE):
        by_length.setdefault(len(str(code)), []).append(str(code))
    branches = [
        f"(?:{'|'.join(codes)})[0-9]{{{7 - length},{15 - length}}}" for length, codes in sorted(by_length.items())
    ]
    return rf"^\+(?:{'|'.join(branches)})$"


def normalise_phone(value: str) -> str:
    """``value`` in its stored E.164 form, or ``ValidationError`` when it is not an E.164 number.

    On top of the shape (``+`` and 7 to 15 digits, nothing else), phonenumbers checks that
    the country calling code exists (``+999…``, ``+0…`` are refused) and gives the
    canonical form: ASCII digits, and no national trunk prefix, which people often keep
    after the country code (``+44 0 20…`` typed as ``+4402079460958`` is
    ``+442079460958``).

    Whether the rest is a number in use in that country (its length, its ranges) is *not*
    checked: the spec's own example, ``+1234567890``, is not a possible North American
    number and must be accepted.
    """
    if not E164_SHAPE.fullmatch(value):
        raise ValidationError(
            "Enter a phone number in E.164 format: + and country code, digits only, e.g. +1234567890.",
            code="invalid_phone",
        )
    try:
        number = phonenumbers.parse(value)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            "Unknown country calling code: start with + and the country's code, e.g. +44 for the United Kingdom.",
            code="unknown_calling_code",
        ) from None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_phone(value: str) -> None:
    normalise_phone(value)


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

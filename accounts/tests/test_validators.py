"""Phone numbers: E.164 as the spec writes it, checked and made canonical with phonenumbers."""

from __future__ import annotations

import phonenumbers
import pytest
from django.core.exceptions import ValidationError

from accounts.validators import normalise_phone, validate_phone

SHAPE = "Enter a phone number in E.164 format: + and country code, digits only, e.g. +1234567890."
UNKNOWN_CODE = "Unknown country calling code: start with + and the country's code, e.g. +44 for the United Kingdom."


@pytest.mark.parametrize(
    "value, e164",
    [
        ("+1234567890", "+1234567890"),  # the spec's example: not a real North American number, still accepted
        ("+12025550123", "+12025550123"),
        ("+34600000000", "+34600000000"),
        ("+4915123456789", "+4915123456789"),
        ("+390612345678", "+390612345678"),  # Italy keeps its leading 0
        ("+4402079460958", "+442079460958"),  # the UK trunk 0 typed after +44 is dropped
        ("+80012345678", "+80012345678"),  # international freephone: a code without a country
        ("+1234567", "+1234567"),  # 7 digits, the shortest accepted
        ("+123456789012345", "+123456789012345"),  # 15 digits, E.164's longest
        ("+\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff10", "+1234567890"),  # full-width digits
    ],
)
def test_it_accepts_e164_numbers_and_gives_their_canonical_form(value, e164):
    assert normalise_phone(value) == e164
    validate_phone(value)


@pytest.mark.parametrize(
    "value",
    [
        "1234567890",  # no +
        "+1 234 567 890",  # spaces
        "+1-234-567-890",
        "+1 (234) 567890",
        "+1-800-FLOWERS",  # letters (phonenumbers would read them as digits)
        "+1234567890 ext. 5",
        "+1234567890\n",
        "+12345",  # too short
        "+1234567890123456",  # 16 digits
        "++1234567890",
        "",
    ],
)
def test_it_refuses_anything_but_plus_and_digits(value):
    with pytest.raises(ValidationError) as excinfo:
        normalise_phone(value)

    assert excinfo.value.messages == [SHAPE]
    assert excinfo.value.code == "invalid_phone"


@pytest.mark.parametrize("value", ["+0123456789", "+99912345678", "+28012345678", "+8091234567"])
def test_it_refuses_a_country_calling_code_that_does_not_exist(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_phone(value)

    assert excinfo.value.messages == [UNKNOWN_CODE]
    assert excinfo.value.code == "unknown_calling_code"


def test_every_countrys_example_numbers_are_already_canonical():
    # phonenumbers' own example fixed-line and mobile number of every region, in E.164:
    # the canonical form of a canonical number is itself.
    for region in phonenumbers.SUPPORTED_REGIONS:
        for kind in (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None:
                e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
                assert normalise_phone(e164) == e164, region

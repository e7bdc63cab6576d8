"""Country names ↔ ISO 3166-1 alpha-2 codes, and the other reference tables
(languages, time zones, the currencies room types are priced in)."""

import pycountry
import pytest

from accounts.countries import ALIASES, countries, country_code, country_name
from accounts.languages import is_language_code, language_codes
from accounts.validators import timezones
from listings.currencies import normalise_currency


def test_every_assigned_country_has_a_name_that_leads_back_to_its_code():
    assert len(countries()) == 249
    for code, name in countries().items():
        assert len(code) == 2 and code.isupper()
        assert country_code(name) == code, name


def test_every_iso_name_of_a_country_is_accepted():
    for country in pycountry.countries:
        for name in (country.name, getattr(country, "official_name", None)):
            if name:
                assert country_code(name) == country.alpha_2, name


def test_aliases_point_at_assigned_codes_and_are_only_names_iso_does_not_know():
    iso_names = {
        name.casefold()
        for country in pycountry.countries
        for name in (country.name, getattr(country, "official_name", None), getattr(country, "common_name", None))
        if name
    }
    for name, code in ALIASES.items():
        assert code in countries(), name
        assert country_code(name) == code, name
        assert name.casefold() not in iso_names, f"{name} is an ISO name: drop the alias"


@pytest.mark.parametrize(
    "name, code",
    [
        ("United States", "US"),
        ("united   states", "US"),
        ("  United States ", "US"),
        ("United States of America", "US"),
        ("USA", "US"),
        ("UK", "GB"),
        ("United Kingdom of Great Britain and Northern Ireland", "GB"),
        ("Viet Nam", "VN"),
        ("Vietnam", "VN"),
        ("Korea, Republic of", "KR"),
        ("South Korea", "KR"),
        ("Côte d'Ivoire", "CI"),
        ("Cote d\u2019Ivoire", "CI"),
        ("Ivory Coast", "CI"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("Czechia", "CZ"),
        ("Czech Republic", "CZ"),
        ("Congo", "CG"),
        ("Republic of the Congo", "CG"),
        ("DR Congo", "CD"),
        ("Holland", "NL"),
        ("Åland Islands", "AX"),
        ("aland islands", "AX"),
        ("US", None),
        ("us", None),
        ("USA ", "US"),
        ("Atlantis", None),
        ("", None),
    ],
)
def test_country_code(name, code):
    assert country_code(name) == code


def test_country_name():
    assert (country_name("US"), country_name("KR"), country_name("VN"), country_name("GB")) == (
        "United States",
        "South Korea",
        "Vietnam",
        "United Kingdom",
    )
    assert (country_name(""), country_name(None), country_name("XX"), country_name("us")) == (None, None, None, None)


def test_languages_are_the_iso_639_1_codes():
    assert len(language_codes()) >= 184
    assert all(len(code) == 2 and code.islower() for code in language_codes())
    assert {"en", "fr", "de", "zh", "he", "bh"} <= language_codes()


@pytest.mark.parametrize("value, accepted", [("en", True), ("he", True), ("bh", True), ("EN", False), ("eng", False)])
def test_a_language_is_a_lower_case_iso_639_1_code(value, accepted):
    assert is_language_code(value) is accepted


@pytest.mark.parametrize("value", ["xx", "en-US", "en_US", "", "e"])
def test_anything_else_is_not_a_language(value):
    assert not is_language_code(value)


def test_time_zones_come_from_the_system_database():
    assert timezones()["america/new_york"] == "America/New_York"
    assert "UTC" in timezones().values()


@pytest.mark.parametrize(
    "value, code",
    [
        ("EUR", "EUR"),
        ("eur", "EUR"),
        (" usd ", "USD"),
        ("XCG", "XCG"),  # Caribbean guilder, replaced ANG in 2025
        ("XOF", "XOF"),  # a currency union's code is money
        ("ANG", None),  # withdrawn
        ("HRK", None),  # withdrawn: Croatia uses EUR
        ("XAU", None),  # gold
        ("XDR", None),  # IMF special drawing rights: an accounting unit
        ("CHE", None),  # WIR euro: a fund
        ("XTS", None),  # the test code
        ("XXX", None),  # "no currency"
        ("XYZ", None),
        ("EURO", None),
        ("", None),
    ],
)
def test_prices_take_iso_4217_codes_of_currencies_in_circulation(value, code):
    assert normalise_currency(value) == code

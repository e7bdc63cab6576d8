"""Country names ↔ ISO 3166-1 alpha-2 codes, and the other reference tables."""

import pytest

from accounts.countries import ALIASES, COUNTRIES, OFFICIAL_NAMES, country_code, country_name
from accounts.languages import LANGUAGES
from accounts.validators import timezones


def test_every_country_name_leads_back_to_its_code():
    assert len(COUNTRIES) == 249
    for code, name in COUNTRIES.items():
        assert country_code(name) == code, name


def test_aliases_and_official_names_point_at_assigned_codes():
    for table in (ALIASES, OFFICIAL_NAMES):
        for name, code in table.items():
            assert code in COUNTRIES, name
            assert country_code(name) == code


@pytest.mark.parametrize(
    "name, code",
    [
        ("United States", "US"),
        ("united   states", "US"),
        ("United States of America", "US"),
        ("USA", "US"),
        ("UK", "GB"),
        ("Viet Nam", "VN"),
        ("Vietnam", "VN"),
        ("Korea, Republic of", "KR"),
        ("South Korea", "KR"),
        ("Côte d'Ivoire", "CI"),
        ("Cote d\u2019Ivoire", "CI"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("US", None),
        ("Atlantis", None),
        ("", None),
    ],
)
def test_country_code(name, code):
    assert country_code(name) == code


def test_country_name():
    assert (country_name("US"), country_name("KR"), country_name(""), country_name(None)) == (
        "United States",
        "South Korea",
        None,
        None,
    )


def test_languages_are_the_iso_639_1_codes():
    assert len(LANGUAGES) == 184
    assert all(len(code) == 2 and code.islower() for code in LANGUAGES)
    assert {"en", "fr", "de", "zh", "he"} <= LANGUAGES.keys()


def test_time_zones_come_from_the_system_database():
    assert timezones()["america/new_york"] == "America/New_York"
    assert "UTC" in timezones().values()

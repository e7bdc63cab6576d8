"""``format_name``: the one rule for how names are stored, as a table."""

import pytest

from accounts.names import format_name


@pytest.mark.parametrize(
    "raw, last_name, expected",
    [
        ("John", False, "John"),
        ("john", False, "John"),
        ("JOHN", False, "John"),
        ("jOHN", False, "John"),
        ("  john  ", False, "John"),
        ("jOHN  o'neil", False, "John O'Neil"),
        ("o'neil", True, "O'Neil"),
        ("o\u2019neil", True, "O\u2019Neil"),
        ("mary-jane", False, "Mary-Jane"),
        ("mary - jane", False, "Mary - Jane"),
        ("anne\tmarie\n", False, "Anne Marie"),
        ("jean-luc  picard", False, "Jean-Luc Picard"),
        ("élodie", False, "Élodie"),
        ("ÉLODIE", False, "Élodie"),
        # particles: lower case kept when they do not begin the full name
        ("van beethoven", True, "van Beethoven"),
        ("ludwig van beethoven", False, "Ludwig van Beethoven"),
        ("van der berg", True, "van der Berg"),
        ("de la cruz", True, "de la Cruz"),
        ("maria del carmen", False, "Maria del Carmen"),
        ("ter horst", True, "ter Horst"),
        ("von", True, "Von"),  # nothing follows: not a particle
        ("de la", True, "De La"),
        ("de gaulle", False, "De Gaulle"),  # a first name's first word begins the full name
        ("Van Damme", True, "Van Damme"),  # typed with a capital: kept (Flemish usage)
        ("VAN BEETHOVEN", True, "Van Beethoven"),
        ("mcdonald", True, "Mcdonald"),  # documented trade-off
        ("", False, ""),
        ("   ", False, ""),
    ],
)
def test_it_formats_names(raw, last_name, expected):
    assert format_name(raw, last_name=last_name) == expected

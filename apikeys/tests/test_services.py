"""``api_key_create``: a key's scopes belong to its prefix's family, whichever path issues it."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from apikeys.models import ApiKey
from apikeys.services import api_key_create
from apikeys.tests.factories import make_key
from coliving.api.errors import InvalidInput

pytestmark = pytest.mark.django_db

Prefix = ApiKey.Prefix


COWORKIES, COLIVING = "coworkies", "coliving and resource-booking"


@pytest.mark.parametrize(
    "prefix, scopes, family, foreign",
    [
        (Prefix.COWORKIES_LIVE, ["jobs:read", "users.read", "bookings.write"], COWORKIES, "users.read, bookings.write"),
        (Prefix.COWORKIES_RESTRICTED, ["read", "listings.create"], COWORKIES, "listings.write"),
        (Prefix.COWORKIES_LIVE, ["read_bookings"], COWORKIES, "read_bookings"),
        (Prefix.LIVE, ["users.read", "write"], COLIVING, "write"),
        (Prefix.TEST, ["jobs:read"], COLIVING, "jobs:read"),
    ],
)
def test_it_refuses_scopes_outside_the_prefixs_family(prefix, scopes, family, foreign):
    with pytest.raises(InvalidInput) as excinfo:
        api_key_create(owner=UserFactory(), name="K", scopes=scopes, prefix=prefix)

    [error] = excinfo.value.errors
    assert (error.path, error.code) == (("scopes",), "scope_family")
    assert error.message == f"A {prefix.value} key carries only {family} scopes; not: {foreign}."
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize(
    "prefix, scopes",
    [
        (Prefix.LIVE, ["users.read", "bookings.write", "listings.write", "read_bookings", "write_bookings"]),
        (Prefix.TEST, ["listings.read", "read_resources"]),
        (Prefix.COWORKIES_LIVE, ["read", "write", "jobs:read", "jobs:write", "spaces:read", "events:read"]),
        (Prefix.COWORKIES_RESTRICTED, ["read"]),
    ],
)
def test_it_issues_keys_within_their_family(prefix, scopes):
    key, raw = api_key_create(owner=UserFactory(), name="K", scopes=scopes, prefix=prefix)
    assert raw.startswith(prefix) and set(key.scopes) == set(scopes)


def test_an_unknown_scope_is_invalid_input():
    with pytest.raises(InvalidInput) as excinfo:
        api_key_create(owner=UserFactory(), name="K", scopes=["users.delete"])
    assert excinfo.value.errors[0].code == "unknown_scope"


def test_a_foreign_scope_a_key_was_issued_with_before_the_rule_grants_nothing(key_client):
    client = key_client(["jobs:read"])
    ApiKey.objects.filter(pk=client.api_key.pk).update(scopes=["jobs:read", "users.read"])
    client.api_key.refresh_from_db()

    assert client.api_key.has_scope("jobs:read")
    assert not client.api_key.has_scope("users.read")


def test_the_test_factory_picks_the_prefix_from_the_scopes_family():
    assert make_key(scopes=["jobs:read"])[0].prefix == Prefix.COWORKIES_LIVE
    assert make_key(scopes=["users.read"])[0].prefix == Prefix.LIVE
    assert make_key()[0].prefix == Prefix.LIVE


def test_a_prefix_that_is_not_ours_issues_no_key():
    """A caller's typo in the prefix: no family, so every scope is foreign to it; and without
    scopes, the key string itself cannot be made, and the error names the prefix."""
    with pytest.raises(InvalidInput) as excinfo:
        api_key_create(owner=UserFactory(), name="K", scopes=["users.read"], prefix="sk_lvie_")
    assert excinfo.value.errors[0].code == "scope_family"
    with pytest.raises(ValueError, match=r"^Unknown key prefix 'sk_lvie_'$"):
        api_key_create(owner=UserFactory(), name="K", scopes=[], prefix="sk_lvie_")
    assert not ApiKey.objects.exists()

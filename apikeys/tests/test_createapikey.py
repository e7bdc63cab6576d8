"""``manage.py createapikey``: prints a working key once, refuses bad input before it writes
anything, and stores scopes in their canonical names."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from apikeys import keys
from apikeys.models import ApiKey, Provider
from jobs.tests.factories import SpaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return UserFactory(password=None, email="host@example.com")


def createapikey(*args: str) -> str:
    out = StringIO()
    call_command("createapikey", *args, stdout=out)
    return out.getvalue()


def test_it_prints_a_key_that_works(owner):
    output = createapikey("--owner", "host@example.com", "--name", "PMS", "--scopes", "users.read,bookings.read")

    raw = output.strip()
    assert output == f"{raw}\n"  # the key and nothing else, so scripts can capture it
    key = ApiKey.objects.get()
    assert (key.owner, key.name, key.scopes) == (owner, "PMS", ["users.read", "bookings.read"])
    assert raw.startswith("sk_live_") and key.key_id in raw
    assert keys.matches(raw, key.digest)
    response = Client().get("/v2/me", HTTP_X_API_KEY=raw)
    assert response.status_code == 200
    assert response.json()["data"]["email"] == "host@example.com"


def test_it_finds_the_owner_whatever_the_case_of_the_email(owner):
    createapikey("--owner", "  Host@Example.COM ", "--name", "PMS")
    assert ApiKey.objects.get().owner == owner


def test_it_stores_legacy_create_scopes_as_write(owner):
    createapikey("--owner", owner.email, "--name", "Legacy", "--scopes", "users.create, listings.create,users.write")
    assert ApiKey.objects.get().scopes == ["users.write", "listings.write"]


def test_it_binds_the_key_to_a_space_a_provider_an_expiry_and_a_rate_limit(owner):
    space = SpaceFactory()
    provider = Provider.objects.create(slug="channex", name="Channex")
    expiry = (timezone.now() + timedelta(days=10)).replace(microsecond=0)

    raw = createapikey(
        "--owner", owner.email, "--name", "Space key", "--scopes", "read",
        "--prefix", "cwk_rstr_", "--space", space.slug, "--provider", "channex",
        "--expires", expiry.isoformat(), "--rate-limit", "30",
    ).strip()  # fmt: skip

    key = ApiKey.objects.get()
    assert raw.startswith("cwk_rstr_")
    assert (key.prefix, key.space, key.provider) == ("cwk_rstr_", space, provider)
    assert key.expires_at == expiry
    assert key.rate_limit_per_minute == 30


def test_it_finds_a_space_by_its_id(owner):
    space = SpaceFactory()
    createapikey("--owner", owner.email, "--name", "By id", "--space", str(space.pk))
    assert ApiKey.objects.get().space == space


def test_an_expiry_date_lasts_to_the_end_of_that_day(owner):
    day = timezone.now().date() + timedelta(days=3)
    createapikey("--owner", owner.email, "--name", "Until", "--expires", day.isoformat())
    expires_at = ApiKey.objects.get().expires_at
    assert expires_at.date() == day
    assert (expires_at.hour, expires_at.minute) == (23, 59)


def test_it_creates_a_missing_owner_when_asked():
    createapikey("--owner", "New.Partner@Example.com", "--name", "First key", "--create-owner")
    assert ApiKey.objects.get().owner == User.objects.get(email="new.partner@example.com")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--owner", "nobody@example.com"], "No user with email nobody@example.com"),
        (["--scopes", "users.read,users.delete"], "Unknown scope(s): users.delete"),
        (["--space", "no-such-space"], "No space 'no-such-space'"),
        (["--space", "999999"], "No space '999999'"),
        (["--provider", "nope"], "No provider 'nope'"),
        (["--expires", "2001-01-01"], "--expires must be in the future"),
        (["--expires", "next tuesday"], "is not an ISO date or datetime"),
        (["--expires", "2030-02-30"], "is not an ISO date or datetime"),
        (["--rate-limit", "0"], "--rate-limit must be at least 1"),
        (["--rate-limit", "-5"], "--rate-limit must be at least 1"),
        (["--name", "   "], "--name must be 1 to 120 characters"),
        (["--name", "x" * 121], "--name must be 1 to 120 characters"),
        (["--prefix", "pk_live_"], "invalid choice"),
        (["--prefix", "cwk_live_", "--scopes", "jobs:read,users.read"], "A cwk_live_ key carries only coworkies"),
        (["--prefix", "cwk_rstr_", "--scopes", "read_bookings"], "A cwk_rstr_ key carries only coworkies"),
        (["--scopes", "users.read,write"], "A sk_live_ key carries only coliving and resource-booking scopes"),
    ],
    ids=[
        "unknown owner",
        "unknown scope",
        "unknown space slug",
        "unknown space id",
        "unknown provider",
        "past expiry",
        "unreadable expiry",
        "impossible expiry date",
        "zero rate limit",
        "negative rate limit",
        "blank name",
        "long name",
        "unknown prefix",
        "coliving scope on a coworkies key",
        "resource-booking scope on a restricted key",
        "coworkies scope on a coliving key",
    ],
)
def test_it_rejects_bad_input_and_writes_nothing(owner, arguments, message):
    base = {"--owner": owner.email, "--name": "Key"}
    for flag, value in zip(arguments[::2], arguments[1::2], strict=True):
        base[flag] = value
    argv = [part for pair in base.items() for part in pair]

    with pytest.raises(CommandError, match=re.escape(message)):
        createapikey(*argv)

    assert not ApiKey.objects.exists()


def test_a_refused_command_does_not_leave_a_new_owner_behind():
    with pytest.raises(CommandError, match="Unknown scope"):
        createapikey("--owner", "partner@example.com", "--name", "K", "--scopes", "bogus", "--create-owner")
    assert not User.objects.filter(email="partner@example.com").exists()


def test_it_refuses_to_create_an_owner_without_a_valid_email():
    with pytest.raises(CommandError, match="is not an email address"):
        createapikey("--owner", "not-an-email", "--name", "K", "--create-owner")
    assert not User.objects.exists()

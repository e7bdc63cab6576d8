"""``user_create``: the sign-up pipeline every path goes through."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection
from django_tasks import default_task_backend

from accounts import events
from accounts.models import OutboxEvent, User, UserMetaAttribute
from accounts.services import user_create
from accounts.signals import user_created
from apikeys.tests.factories import make_key
from coliving.api.errors import Conflict, FieldError, InvalidInput
from conftest import requires_postgres

pytestmark = pytest.mark.django_db

PASSWORD = "securepassword123"


@pytest.fixture
def key():
    key, _raw = make_key(scopes=["users.write"])
    return key


def create(key, **overrides):
    values = {
        "email": "user@example.com",
        "password": PASSWORD,
        "first_name": "John",
        "last_name": "Doe",
        "phone": "+1234567890",
        "date_of_birth": date(1990, 1, 1),
        "gender": "male",
        "country": "US",
        "city": "New York",
        "timezone": "America/New_York",
        "language": "en",
        "created_by": key.owner,
        "api_key": key,
        **overrides,
    }
    return user_create(**values)


def test_it_creates_an_active_user_with_formatted_names_and_its_origin(key):
    user = create(key, email="  User@Example.COM ", first_name="jOHN  o'neil", last_name="van  beethoven")

    user.refresh_from_db()
    assert user.email == "user@example.com"
    assert (user.first_name, user.last_name) == ("John O'Neil", "van Beethoven")
    assert user.is_active
    assert user.check_password(PASSWORD)
    assert (user.created_by, user.created_by_api_key) == (key.owner, key)
    assert (user.country, user.country_name, user.timezone, user.language) == (
        "US",
        "United States",
        "America/New_York",
        "en",
    )


def test_it_stores_meta_attributes_with_their_types(key):
    user = create(key, meta={"source": "partner", "newsletter": True, "visits": 3, "score": 4.5})

    assert User.objects.get(pk=user.pk).meta == {"newsletter": True, "score": 4.5, "source": "partner", "visits": 3}
    assert UserMetaAttribute.objects.filter(user=user).count() == 4


def test_it_records_a_user_created_event_without_secrets_or_contact_details(key):
    user = create(key)

    event = OutboxEvent.objects.get()
    assert event.name == events.USER_CREATED
    assert event.payload == {
        "user_id": user.pk,
        "source": "api",
        "created_by_id": key.owner.pk,
        "api_key_id": key.pk,
        "country": "US",
        "language": "en",
        "timezone": "America/New_York",
        "created_at": user.date_joined.isoformat(),
    }
    text = str(event.message())
    for secret in (PASSWORD, user.password, "password", user.email, user.phone, "1990"):
        assert secret not in text


def test_it_sends_the_user_created_signal(key):
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    user_created.connect(receiver)
    try:
        user = create(key)
    finally:
        user_created.disconnect(receiver)

    assert len(received) == 1
    assert received[0]["user"] == user
    assert (received[0]["created_by"], received[0]["api_key"], received[0]["source"]) == (key.owner, key, "api")


def test_the_user_and_its_event_commit_together(key):
    # A receiver that fails after the event was written rolls both back: one transaction.
    def failing_receiver(sender, **kwargs):
        assert OutboxEvent.objects.count() == 1
        raise RuntimeError("receiver failed")

    user_created.connect(failing_receiver)
    try:
        with pytest.raises(RuntimeError):
            create(key)
    finally:
        user_created.disconnect(failing_receiver)

    assert not User.objects.filter(email="user@example.com").exists()
    assert OutboxEvent.objects.count() == 0


def test_it_refuses_an_email_taken_in_another_case(key):
    create(key, email="Taken@Example.com")
    users = User.objects.count()

    with pytest.raises(Conflict) as excinfo:
        create(key, email="taken@EXAMPLE.com")

    assert (excinfo.value.code, excinfo.value.status) == ("email_taken", 409)
    assert excinfo.value.message == "A user with this email already exists"
    assert User.objects.count() == users
    assert OutboxEvent.objects.count() == 1


@pytest.mark.parametrize(
    "password, message, code",
    [
        ("password123", "This password is too common.", "password_too_common"),
        ("4815162342108", "This password is entirely numeric.", "password_entirely_numeric"),
        ("Xy7!", "This password is too short. It must contain at least 8 characters.", "password_too_short"),
        ("john.doe.example", "The password is too similar to the email address.", "password_too_similar"),
    ],
)
def test_it_checks_the_password_with_the_users_own_attributes(key, password, message, code):
    with pytest.raises(InvalidInput) as excinfo:
        create(key, email="john.doe@example.com", password=password)

    assert FieldError(("password",), message, code) in excinfo.value.errors
    assert (excinfo.value.status, excinfo.value.code) == (400, "validation_error")
    assert User.objects.filter(email="john.doe@example.com").count() == 0
    assert OutboxEvent.objects.count() == 0


@pytest.mark.parametrize(
    "field, value",
    [
        ("phone", "+0123"),
        ("phone", "+99912345678"),  # no country has the calling code 999
        ("phone", "+1234567890\n"),
        ("country", "XX"),
        ("country", "us"),
        ("timezone", "Mars/Olympus"),
        ("language", "xx"),
        ("gender", "robot"),
        ("date_of_birth", date(2999, 1, 1)),
    ],
)
def test_it_validates_the_profile_for_callers_other_than_the_api(key, field, value):
    with pytest.raises(InvalidInput) as excinfo:
        create(key, **{field: value})

    assert [error.path for error in excinfo.value.errors] == [(field,)]
    assert not User.objects.filter(email="user@example.com").exists()


@pytest.mark.parametrize("value", [2**53, -(2**63) - 1, 1e20, 1e308, float("nan")])
def test_it_refuses_a_meta_number_beyond_the_documented_range(key, value):
    with pytest.raises(InvalidInput) as excinfo:
        create(key, meta={"ok": 2**53 - 1, "n": value})

    assert [(error.path, error.code) for error in excinfo.value.errors] == [(("meta", "n"), "out_of_range")]
    assert not User.objects.filter(email="user@example.com").exists()


def test_it_reports_the_password_and_the_profile_together(key):
    with pytest.raises(InvalidInput) as excinfo:
        create(key, password="password123", phone="+0123", language="xx")

    assert {error.path for error in excinfo.value.errors} == {("password",), ("phone",), ("language",)}


@pytest.mark.parametrize(
    "phone, stored",
    [
        ("+1234567890", "+1234567890"),  # the spec's example
        ("+34600000000", "+34600000000"),
        ("+4402079460958", "+442079460958"),  # the national trunk 0 is not part of E.164
        ("+390612345678", "+390612345678"),  # Italy's leading 0 is
        ("+\u0664\u0664\u0662\u0660\u0667\u0669\u0664\u0666\u0660\u0669\u0665\u0668", "+442079460958"),
    ],
)
def test_it_stores_the_phone_number_in_canonical_e164(key, phone, stored):
    user = create(key, phone=phone)

    user.refresh_from_db()
    assert user.phone == stored


def test_it_enqueues_delivery_after_commit_when_tracking_is_on(key, settings, django_capture_on_commit_callbacks):
    settings.TRACKING_URL = "https://tags.example.com/collect"

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        create(key)
        assert default_task_backend.results == []  # nothing before the commit

    for callback in callbacks:
        callback()
    [result] = default_task_backend.results
    assert result.task.name == "deliver_outbox_event"
    assert result.args == [OutboxEvent.objects.get().pk]


def test_it_enqueues_nothing_when_tracking_is_off(key, settings, django_capture_on_commit_callbacks):
    settings.TRACKING_URL = None

    with django_capture_on_commit_callbacks(execute=True):
        create(key)

    assert OutboxEvent.objects.count() == 1  # still recorded
    assert default_task_backend.results == []


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_ups_with_one_email_create_one_user():
    owner_key, _raw = make_key(scopes=["users.write"])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def sign_up(email: str) -> None:
        try:
            barrier.wait()
            user_create(email=email, password=PASSWORD, first_name="Ann", last_name="Lee", created_by=owner_key.owner)
            outcomes.append("created")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(email,)) for email in ("race@example.com", "RACE@example.com")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["created", "email_taken"]
    assert User.objects.filter(email__iexact="race@example.com").count() == 1
    assert OutboxEvent.objects.count() == 1

"""``POST /v2/users`` and ``GET /v2/users/{id}`` (shared/spec/coliving-partner-api.txt, "Create User")."""

from __future__ import annotations

from datetime import UTC, date, timedelta

import pytest
from django.utils import timezone

from accounts.api.views import SPEC_EXAMPLE
from accounts.models import OutboxEvent, User, UserMetaAttribute
from coliving.api.renderers import JSONRenderer

pytestmark = pytest.mark.django_db

URL = "/v2/users"


@pytest.fixture
def partner(key_client):
    return key_client(["users.read", "users.write"])


def body(**overrides):
    data = {**SPEC_EXAMPLE, **overrides}
    return {k: v for k, v in data.items() if v is not ...}


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def sixteenth_birthday_tomorrow() -> str:
    return years_before(timezone.localdate() + timedelta(days=1), 16).isoformat()


def test_the_spec_example_creates_a_user(partner):
    response = partner.post(URL, SPEC_EXAMPLE, format="json")

    assert response.status_code == 201, response.content
    payload = response.json()
    assert payload["success"] is True
    data = payload["data"]
    user = User.objects.get(email="user@example.com")
    assert data == {
        "id": user.pk,
        "email": "user@example.com",
        "first_name": "John",
        "last_name": "Doe",
        "phone": "+1234567890",
        "date_of_birth": "1990-01-01",
        "gender": "male",
        "country": "United States",
        "city": "New York",
        "timezone": "America/New_York",
        "language": "en",
        "is_active": True,
        "created_at": data["created_at"],
        "meta": {},
    }
    assert data["created_at"] == user.date_joined.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert response["Location"] == f"/v2/users/{user.pk}"
    assert user.country == "US"
    assert user.check_password("securepassword123")
    assert (user.created_by, user.created_by_api_key) == (partner.owner, partner.api_key)
    assert OutboxEvent.objects.filter(name="UserCreated", payload__user_id=user.pk).count() == 1
    assert "password" not in response.content.decode()


def test_it_formats_names_and_round_trips_meta(partner):
    meta = {"source": "partner-site", "newsletter": True, "visits": 3, "score": 4.5}
    response = partner.post(
        URL, body(first_name="  jOHN  o'neil ", last_name="van beethoven", meta=meta), format="json"
    )

    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert (data["first_name"], data["last_name"]) == ("John O'Neil", "van Beethoven")
    assert data["meta"] == meta
    assert UserMetaAttribute.objects.filter(user_id=data["id"]).count() == 4


def test_optional_fields_may_be_left_out_or_null(partner):
    response = partner.post(
        URL,
        {
            "email": "min@example.com",
            "password": "securepassword123",
            "first_name": "Ann",
            "last_name": "Lee",
            "phone": None,
            "country": None,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    data = response.json()["data"]
    for field in ("phone", "date_of_birth", "gender", "country", "city", "timezone", "language"):
        assert data[field] is None, field


@pytest.mark.parametrize("meta_count", [0, 20])
def test_creating_a_user_makes_nine_queries(partner, django_assert_num_queries, meta_count):
    meta = {f"key{n}": f"value {n}" for n in range(meta_count)}
    # 1. the API key; in the transaction (2 and 8: SAVEPOINT and RELEASE): 3. is the email
    # taken?  4–6. the INSERT in a savepoint of its own (a race on the email is a 409, not a
    # 500)  7. the UserCreated outbox event, with the meta attributes in one bulk INSERT when
    # there are any; then 9. the meta attributes, read back for the answer
    with django_assert_num_queries(9 + (meta_count > 0)):
        response = partner.post(URL, body(meta=meta), format="json")

    assert response.status_code == 201, response.content
    assert len(response.json()["data"]["meta"]) == meta_count


def test_a_user_who_turns_sixteen_today_may_sign_up(partner):
    born = timezone.localdate()
    if (born.month, born.day) == (2, 29):
        pytest.skip("no such birthday sixteen years ago")

    dob = years_before(born, 16).isoformat()
    response = partner.post(URL, body(date_of_birth=dob), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["data"]["date_of_birth"] == dob
    assert User.objects.get(email=SPEC_EXAMPLE["email"]).date_of_birth.isoformat() == dob


def test_it_accepts_country_aliases_and_any_case_for_timezone_and_language(partner):
    response = partner.post(URL, body(country="usa", timezone="america/new_york", language="EN"), format="json")

    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert (data["country"], data["timezone"], data["language"]) == ("United States", "America/New_York", "en")


def test_it_stores_and_returns_the_phone_number_in_canonical_e164(partner):
    response = partner.post(URL, body(phone="+4402079460958"), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["data"]["phone"] == "+442079460958"
    assert User.objects.get(email="user@example.com").phone == "+442079460958"


def test_an_unknown_country_calling_code_says_so(partner):
    response = partner.post(URL, body(phone="+99912345678"), format="json")

    assert response.status_code == 400
    assert response.json()["details"] == {
        "phone": ["Unknown country calling code: start with + and the country's code, e.g. +44 for the United Kingdom."]
    }


def test_password_errors_are_listed_under_password(partner):
    response = partner.post(URL, body(password="31415926535"), format="json")

    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "error": "Validation Error",
        "code": "validation_error",
        "details": {"password": ["This password is entirely numeric."]},
    }


@pytest.mark.parametrize(
    "overrides, key",
    [
        ({"email": ...}, "email"),
        ({"email": "not-an-email"}, "email"),
        ({"password": ...}, "password"),
        ({"password": "password123"}, "password"),  # common
        ({"password": "31415926535"}, "password"),  # numeric
        ({"password": "s3cr!t"}, "password"),  # short
        ({"email": "john.doe@example.com", "password": "john.doe.example"}, "password"),  # like the email
        ({"first_name": ""}, "first_name"),
        ({"first_name": "   "}, "first_name"),
        ({"last_name": ...}, "last_name"),
        ({"first_name": "x" * 151}, "first_name"),
        ({"phone": "1234567890"}, "phone"),
        ({"phone": "+0123456789"}, "phone"),
        ({"phone": "+1 234 567 890"}, "phone"),
        ({"phone": "+12345"}, "phone"),
        ({"phone": 1234567890}, "phone"),
        ({"phone": "+99912345678"}, "phone"),  # no such country calling code
        ({"date_of_birth": "1990-02-30"}, "date_of_birth"),
        ({"date_of_birth": "01/01/1990"}, "date_of_birth"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"date_of_birth": "1850-01-01"}, "date_of_birth"),
        ({"date_of_birth": sixteenth_birthday_tomorrow()}, "date_of_birth"),
        ({"gender": "m"}, "gender"),
        ({"gender": "Male"}, "gender"),
        ({"country": "Atlantis"}, "country"),
        ({"country": "US"}, "country"),  # a code is not a name
        ({"country": 840}, "country"),
        ({"city": "c" * 101}, "city"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "UTC+02:00"}, "timezone"),
        ({"language": "eng"}, "language"),
        ({"language": "xx"}, "language"),
        ({"language": "en-US"}, "language"),
        ({"meta": ["a"]}, "meta"),
        ({"meta": {"nested": {"a": 1}}}, "meta.nested"),
        ({"meta": {"list": [1, 2]}}, "meta.list"),
        ({"meta": {"empty": None}}, "meta.empty"),
        ({"meta": {"bad key": "x"}}, "meta.bad key"),
        ({"meta": {"long": "x" * 1001}}, "meta.long"),
        ({"meta": {f"k{i}": i for i in range(51)}}, "meta"),
        ({"meta": {"big": 123456789012345678901234567890}}, "meta.big"),
        ({"meta": {"low": -9223372036854775809}}, "meta.low"),
        ({"meta": {"u64": 18446744073709551615}}, "meta.u64"),
        ({"meta": {"beyond_2_53": 2**53}}, "meta.beyond_2_53"),
        ({"meta": {"e20": 1e20}}, "meta.e20"),
        ({"meta": {"e308": 1e308}}, "meta.e308"),
    ],
)
def test_invalid_input_is_400_with_the_field_in_details_and_nothing_written(partner, overrides, key):
    users, events, attributes = User.objects.count(), OutboxEvent.objects.count(), UserMetaAttribute.objects.count()

    response = partner.post(URL, body(**overrides), format="json")

    assert response.status_code == 400, response.content
    payload = response.json()
    assert (payload["success"], payload["error"], payload["code"]) == (False, "Validation Error", "validation_error")
    assert key in payload["details"], payload["details"]
    assert User.objects.count() == users
    assert OutboxEvent.objects.count() == events
    assert UserMetaAttribute.objects.count() == attributes


@pytest.mark.parametrize("raw", [b"123456789012345678901234567890", b"-9223372036854775809", b"1e20", b"1e308"])
def test_a_meta_number_beyond_the_documented_range_is_400_naming_it(partner, raw):
    content = b'{"email": "big@example.com", "password": "securepassword123", "first_name": "A", "last_name": "B",'
    response = partner.generic("POST", URL, content + b' "meta": {"n": ' + raw + b"}}", "application/json")

    assert response.status_code == 400, response.content
    assert "meta.n" in response.json()["details"]
    assert not User.objects.filter(email="big@example.com").exists()


def test_meta_numbers_at_the_range_limits_round_trip_exactly(partner):
    meta = {"max": 2**53 - 1, "min": -(2**53 - 1), "pi": 3.141592653589793, "tiny": 1e-300, "float": 2.0}
    created = partner.post(URL, body(meta=meta), format="json")

    assert created.status_code == 201, created.content
    assert created.json()["data"]["meta"] == meta
    fetched = partner.get(f"{URL}/{created.json()['data']['id']}").json()["data"]["meta"]
    assert fetched == meta and isinstance(fetched["float"], float)


def test_a_number_stored_before_the_range_existed_is_returned_as_text(partner):
    user_id = partner.post(URL, SPEC_EXAMPLE, format="json").json()["data"]["id"]
    UserMetaAttribute.objects.create(user_id=user_id, key="legacy", value=123456789012345678901234567890)

    response = partner.get(f"{URL}/{user_id}")

    assert response.status_code == 200
    assert response.json()["data"]["meta"] == {"legacy": "123456789012345678901234567890"}


def test_all_field_errors_are_reported_at_once(partner):
    response = partner.post(URL, body(phone="123", gender="robot", country="Atlantis"), format="json")

    assert response.status_code == 400
    assert {"phone", "gender", "country"} <= response.json()["details"].keys()


def test_an_email_taken_in_another_case_is_409(partner):
    assert partner.post(URL, SPEC_EXAMPLE, format="json").status_code == 201
    users = User.objects.count()

    response = partner.post(URL, body(email="USER@Example.com"), format="json")

    assert response.status_code == 409
    assert response.json() == {
        "success": False,
        "error": "A user with this email already exists",
        "code": "email_taken",
    }
    assert User.objects.count() == users


def test_an_idempotent_retry_replays_the_first_response_and_creates_one_user(partner):
    headers = {"HTTP_IDEMPOTENCY_KEY": "signup-42"}
    first = partner.post(URL, SPEC_EXAMPLE, format="json", **headers)
    retry = partner.post(URL, SPEC_EXAMPLE, format="json", **headers)

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert User.objects.filter(email="user@example.com").count() == 1
    assert OutboxEvent.objects.count() == 1


def test_an_idempotency_key_reused_with_another_body_is_409(partner):
    headers = {"HTTP_IDEMPOTENCY_KEY": "signup-43"}
    assert partner.post(URL, SPEC_EXAMPLE, format="json", **headers).status_code == 201

    response = partner.post(URL, body(email="other@example.com"), format="json", **headers)

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_mismatch"
    assert not User.objects.filter(email="other@example.com").exists()


def test_a_failed_attempt_is_not_replayed(partner):
    headers = {"HTTP_IDEMPOTENCY_KEY": "signup-44"}
    first = partner.post(URL, body(phone="bad"), format="json", **headers)
    assert first.status_code == 400 and "phone" in first.json()["details"]

    again = partner.post(URL, body(phone="bad"), format="json", **headers)  # validated again, not replayed
    assert again.status_code == 400 and "Idempotent-Replayed" not in again
    assert not User.objects.filter(email=SPEC_EXAMPLE["email"]).exists()
    created = partner.post(URL, SPEC_EXAMPLE, format="json", HTTP_IDEMPOTENCY_KEY="signup-45")
    assert created.status_code == 201
    assert created.json()["data"]["id"] == User.objects.get(email=SPEC_EXAMPLE["email"]).pk


def test_creating_needs_users_write(key_client):
    client = key_client(["users.read"])

    response = client.post(URL, SPEC_EXAMPLE, format="json")

    assert response.status_code == 403
    assert response.json() == {"success": False, "error": "Missing required scope: users.write", "code": "forbidden"}
    assert not User.objects.filter(email="user@example.com").exists()


def test_a_legacy_users_create_key_can_create(key_client):
    client = key_client(["users.create"])
    assert client.api_key.scopes == ["users.write"]

    assert client.post(URL, SPEC_EXAMPLE, format="json").status_code == 201


def test_without_a_key_it_is_401(api_client):
    assert api_client.post(URL, SPEC_EXAMPLE, format="json").status_code == 401
    assert not User.objects.filter(email="user@example.com").exists()


def test_malformed_json_is_400(partner):
    users = User.objects.count()

    response = partner.post(URL, data='{"email": "a@example.com",', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
    assert User.objects.count() == users


def test_a_nul_character_is_400_and_nothing_is_written(partner):
    users = User.objects.count()

    response = partner.post(URL, body(city="New\u0000York"), format="json")

    assert response.status_code == 400
    assert response.json()["success"] is False
    assert User.objects.count() == users


# --- GET /v2/users/{id} -------------------------------------------------------------------


@pytest.mark.parametrize("meta_count", [1, 20])
def test_a_partner_reads_a_user_it_created(partner, django_assert_num_queries, meta_count):
    meta = {f"key{n}": f"value {n}" for n in range(meta_count)}
    created = partner.post(URL, body(meta=meta), format="json").json()["data"]

    # 1. the API key (with its owner)  2. the user  3. its meta attributes, however many
    with django_assert_num_queries(3):
        response = partner.get(f"{URL}/{created['id']}")

    assert response.status_code == 200
    assert response.json() == {"success": True, "data": created}
    assert len(response.json()["data"]["meta"]) == meta_count


def test_another_key_of_the_same_partner_reads_it_too(partner, key_client):
    created = partner.post(URL, SPEC_EXAMPLE, format="json").json()["data"]
    other_key = key_client(["users.read"], owner=partner.owner)

    response = other_key.get(f"{URL}/{created['id']}")

    assert response.status_code == 200
    assert response.json() == {"success": True, "data": created}


@pytest.mark.parametrize("path", ["{id}", "999999", "9223372036854775808", "0"])
def test_another_partners_user_or_an_unknown_id_is_404(partner, key_client, path):
    created = partner.post(URL, SPEC_EXAMPLE, format="json").json()["data"]
    other_tenant = key_client(["users.read", "users.write"])

    response = other_tenant.get(f"{URL}/{path.format(id=created['id'])}")

    assert response.status_code == 404
    assert response.json() == {"success": False, "error": "User not found or unauthorized", "code": "not_found"}


def test_the_key_owner_itself_is_not_readable(partner):
    # Only users created through the API by the partner are; the partner's own account is not.
    response = partner.get(f"{URL}/{partner.owner.pk}")
    assert response.status_code == 404
    assert response.json() == {"success": False, "error": "User not found or unauthorized", "code": "not_found"}


def test_reading_needs_users_read(key_client):
    writer = key_client(["users.write"])
    created = writer.post(URL, SPEC_EXAMPLE, format="json").json()["data"]

    response = writer.get(f"{URL}/{created['id']}")

    assert response.status_code == 403
    assert response.json()["error"] == "Missing required scope: users.read"


def test_a_form_body_is_415(partner):
    response = partner.post(URL, {"email": "form@example.com", "password": "securepassword123"}, format="multipart")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert not User.objects.filter(email="form@example.com").exists()


@pytest.mark.django_db(transaction=True)
def test_a_response_that_fails_to_render_leaves_no_user_behind(partner, monkeypatch):
    original, calls = JSONRenderer.render, []

    def render_fails_first(self, data, *args, **kwargs):
        calls.append(data)
        if len(calls) == 1:
            raise TypeError("Integer exceeds 64-bit range")
        return original(self, data, *args, **kwargs)

    monkeypatch.setattr(JSONRenderer, "render", render_fails_first)

    response = partner.post(URL, SPEC_EXAMPLE, format="json")

    assert response.status_code == 500
    assert calls[0]["data"]["email"] == "user@example.com"  # rendered after the user was created
    assert not User.objects.filter(email="user@example.com").exists() and not OutboxEvent.objects.exists()

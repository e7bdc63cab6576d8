"""Every way a key can be presented × every state a key can be in."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apikeys.models import ApiKey
from apikeys.services import api_key_revoke
from apikeys.tests.factories import make_key
from apikeys.usage import usage_buffer

pytestmark = [pytest.mark.django_db, pytest.mark.urls("coliving.tests.urls")]


def _client(form: str, raw: str) -> tuple[APIClient, str]:
    client = APIClient()
    if form == "header":
        client.credentials(HTTP_X_API_KEY=raw)
        return client, ""
    if form == "bearer":
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client, ""
    return client, f"?api_key={raw}"


def _key_in_state(state: str, scopes: list[str]) -> str:
    if state == "valid":
        return make_key(scopes=scopes)[1]
    if state == "unknown":
        _key, raw = make_key(scopes=scopes)
        ApiKey.objects.all().delete()
        return raw
    if state == "malformed":
        return "sk_live_not-a-key"
    if state == "wrong_secret":
        _key, raw = make_key(scopes=scopes)
        return raw[:-4] + ("AAAA" if not raw.endswith("AAAA") else "BBBB")
    if state == "expired":
        return make_key(scopes=scopes, expires_at=timezone.now() - timedelta(seconds=1))[1]
    if state == "inactive":
        key, raw = make_key(scopes=scopes)
        ApiKey.objects.filter(pk=key.pk).update(is_active=False)
        return raw
    if state == "revoked":
        key, raw = make_key(scopes=scopes)
        api_key_revoke(key=key)
        return raw
    raise AssertionError(state)


STATES = {
    "valid": (200, None),
    "unknown": (401, "invalid_api_key"),
    "malformed": (401, "invalid_api_key"),
    "wrong_secret": (401, "invalid_api_key"),
    "expired": (401, "api_key_expired"),
    "inactive": (401, "api_key_inactive"),
    "revoked": (401, "api_key_revoked"),
}


@pytest.mark.parametrize("form", ["header", "bearer"])
@pytest.mark.parametrize("state", STATES)
def test_coliving_key_forms_and_states(form, state):
    client, query = _client(form, _key_in_state(state, ["users.read"]))
    response = client.get("/v2/probe/coliving" + query)
    expected_status, expected_code = STATES[state]
    assert response.status_code == expected_status
    if expected_code:
        body = response.json()
        assert body["success"] is False
        assert body["code"] == expected_code
        assert body["error"].startswith("Invalid API Key")
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("form", ["header", "bearer", "query"])
@pytest.mark.parametrize("state", STATES)
def test_coworkies_key_forms_and_states(form, state):
    client, query = _client(form, _key_in_state(state, ["jobs:read"]))
    response = client.get("/v2/jobs/probe" + query)
    expected_status, expected_code = STATES[state]
    assert response.status_code == expected_status
    if expected_code:
        assert response.json() == {
            "success": False,
            "status": 401,
            "error": {"code": "unauthorized", "message": response.json()["error"]["message"]},
        }
        assert response.json()["error"]["message"].startswith("Invalid API Key")


def test_the_query_form_is_ignored_outside_the_coworkies_family():
    _key, raw = make_key(scopes=["users.read"])
    response = APIClient().get(f"/v2/probe/coliving?api_key={raw}")
    assert response.status_code == 401
    assert response.json()["code"] == "api_key_missing"


def test_a_missing_key_is_401_in_each_family(api_client):
    assert api_client.get("/v2/probe/coliving").json() == {
        "success": False,
        "error": "API key missing",
        "code": "api_key_missing",
    }
    assert api_client.get("/v2/jobs/probe").json()["error"]["code"] == "unauthorized"
    assert api_client.get("/spaces/acme/api/probe").json() == {"error": "API key missing"}


def test_two_different_keys_are_refused_not_resolved_by_precedence():
    _a, first = make_key(scopes=["users.read"])
    _b, second = make_key(scopes=["users.read"])
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=first, HTTP_AUTHORIZATION=f"Bearer {second}")
    response = client.get("/v2/probe/coliving")
    assert response.status_code == 401
    assert response.json()["code"] == "conflicting_api_keys"
    assert response.json()["error"] == "Invalid API Key: the request carries two different keys"


@pytest.mark.parametrize(
    "credentials", [{"HTTP_X_API_KEY": "   "}, {"HTTP_AUTHORIZATION": "Bearer  "}], ids=["header", "bearer"]
)
def test_a_blank_key_is_an_invalid_key_not_a_missing_one(credentials):
    client = APIClient()
    client.credentials(**credentials)
    response = client.get("/v2/probe/coliving")
    assert response.status_code == 401
    assert response.json() == {"success": False, "error": "Invalid API Key", "code": "invalid_api_key"}


def test_an_authenticated_request_counts_in_its_keys_usage_with_the_client_ip(key_client):
    client = key_client(["users.read"])
    assert client.get("/v2/probe/coliving", REMOTE_ADDR="10.1.2.3").status_code == 200
    usage_buffer.flush()
    key = ApiKey.objects.get(pk=client.api_key.pk)
    assert (key.usage_count, key.last_used_ip) == (1, "10.1.2.3")


def test_whitespace_around_a_presented_key_is_ignored():
    _key, raw = make_key(scopes=["users.read"])
    for credentials in ({"HTTP_X_API_KEY": f" {raw} "}, {"HTTP_AUTHORIZATION": f"Bearer  {raw} "}):
        client = APIClient()
        client.credentials(**credentials)
        assert client.get("/v2/probe/coliving").status_code == 200, credentials


def test_the_same_key_in_two_headers_is_fine():
    _a, raw = make_key(scopes=["users.read"])
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=raw, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/v2/probe/coliving").status_code == 200


def test_a_revoked_key_stops_working_on_the_very_next_request(key_client):
    client = key_client(["users.read"])
    assert client.get("/v2/probe/coliving").status_code == 200
    api_key_revoke(key=client.api_key)
    assert client.get("/v2/probe/coliving").status_code == 401


def test_a_key_of_a_deactivated_owner_is_refused(key_client):
    client = key_client(["users.read"])
    client.owner.is_active = False
    client.owner.save()
    assert client.get("/v2/probe/coliving").json()["code"] == "api_key_inactive"


def test_authentication_is_one_query(key_client, django_assert_num_queries):
    client = key_client(["users.read"])
    # 1. the API key joined with its owner
    with django_assert_num_queries(1):
        assert client.get("/v2/probe/coliving").status_code == 200


def test_the_status_shown_to_staff_matches_what_authentication_does(key_client):
    client = key_client(["users.read"])
    client.owner.is_active = False
    client.owner.save()
    key = ApiKey.objects.select_related("owner").get(pk=client.api_key.pk)
    assert key.status == ApiKey.Status.INACTIVE
    assert list(ApiKey.objects.with_status("inactive")) == [key]
    assert not ApiKey.objects.with_status("active").exists()

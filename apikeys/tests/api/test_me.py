def test_it_returns_the_key_owner(key_client):
    client = key_client(["listings.read"])
    response = client.get("/v2/me")
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["data"]["email"] == client.owner.email
    assert body["data"]["name"] == client.owner.name
    assert body["data"]["api_key_verified_at"].endswith("Z")
    assert response["X-RateLimit-Limit"] == "60"


def test_it_refuses_a_missing_key(api_client, db):
    response = api_client.get("/v2/me")
    assert response.status_code == 401
    assert response.json() == {"success": False, "error": "API key missing", "code": "api_key_missing"}


def test_a_sandbox_key_is_verified_on_the_sandbox_twin_only(key_client):
    from apikeys.models import ApiKey

    client = key_client([], prefix=ApiKey.Prefix.TEST)
    response = client.get("/v2/sandbox/me")
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert (body["data"]["email"], body["data"]["name"]) == (client.owner.email, client.owner.name)
    refused = client.get("/v2/me")
    assert refused.status_code == 403
    assert refused.json()["code"] == "sandbox_key_on_live_api"


def test_it_makes_one_query(key_client, django_assert_num_queries):
    client = key_client(["listings.read"])
    # 1. the API key with its owner; the profile is the owner already loaded
    with django_assert_num_queries(1):
        response = client.get("/v2/me")
    assert response.status_code == 200
    assert response.json()["data"]["email"] == client.owner.email


def test_timestamps_are_utc_seconds_except_the_verification_time_in_milliseconds(key_client):
    import re
    from datetime import UTC, datetime

    client = key_client(["listings.read"])
    client.owner.date_joined = datetime(2024, 1, 1, 8, 0, 0, 123456, tzinfo=UTC)
    client.owner.last_login = None
    client.owner.save()

    body = client.get("/v2/me").json()

    assert body["data"]["created_at"] == "2024-01-01T08:00:00Z"  # the spec's example
    assert body["data"]["last_login_at"] is None
    for verified_at in (body["api_key_verified_at"], body["data"]["api_key_verified_at"]):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", verified_at)

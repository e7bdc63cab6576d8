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


def test_a_sandbox_key_can_be_verified(key_client):
    from apikeys.models import ApiKey

    assert key_client([], prefix=ApiKey.Prefix.TEST).get("/v2/me").status_code == 200

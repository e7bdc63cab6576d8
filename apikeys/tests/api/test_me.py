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

"""An Idempotency-Key is kept per API key *and operation* (reference notes): the same key
sent to another endpoint, or to an endpoint's sandbox twin, is a new request, not a 409."""

import pytest

from accounts.api.views import SPEC_EXAMPLE
from accounts.models import User
from apikeys.models import IdempotencyRecord

pytestmark = pytest.mark.django_db


def test_the_same_key_on_a_live_endpoint_and_its_sandbox_twin_creates_on_each(key_client):
    client = key_client(["users.write"])
    live = client.post("/v2/users", SPEC_EXAMPLE, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    sandbox = client.post("/v2/sandbox/users", SPEC_EXAMPLE, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    replay = client.post("/v2/users", SPEC_EXAMPLE, format="json", HTTP_IDEMPOTENCY_KEY="op-1")

    assert (live.status_code, sandbox.status_code, replay.status_code) == (201, 201, 201)
    assert "Idempotent-Replayed" not in sandbox and replay["Idempotent-Replayed"] == "true"
    assert replay.json() == live.json() and sandbox.json()["data"]["id"] != live.json()["data"]["id"]
    assert User.objects.filter(email=SPEC_EXAMPLE["email"]).count() == 2  # one live, one sandbox
    assert IdempotencyRecord.objects.filter(key="op-1").count() == 2


def test_the_same_key_on_two_endpoints_is_two_operations(key_client):
    client = key_client(["users.write", "listings.write"])
    user = client.post("/v2/users", SPEC_EXAMPLE, format="json", HTTP_IDEMPOTENCY_KEY="op-2")
    # Another operation under the same key: judged on its own (here a 400 for its own body),
    # never "idempotency_key_mismatch".
    listing = client.post("/v2/listings", {"listings": []}, format="json", HTTP_IDEMPOTENCY_KEY="op-2")

    assert user.status_code == 201
    assert listing.status_code == 400 and listing.json().get("code") != "idempotency_key_mismatch"

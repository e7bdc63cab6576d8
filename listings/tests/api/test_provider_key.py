"""POST /v2/integrations/{provider}/provider-key (reference notes, Integrations API)."""

from __future__ import annotations

import hashlib
import threading

import pytest
from django.db import connection

from apikeys.models import Provider
from coliving.tests.locks import wait_for_lock_waiters
from conftest import requires_postgres
from listings.models import ProviderAccountLink

URL = "/v2/integrations/mangobeds/provider-key"
KEY = "mb_live_4f9a2c7e1d"


@pytest.fixture
def client(key_client, mangobeds):
    return key_client(["listings.write"])


def status_of(response) -> str:
    assert response.status_code == 200, response.content
    return response.json()["data"]["status"]


def links() -> list[tuple]:
    return list(ProviderAccountLink.objects.order_by("pk").values_list("provider__slug", "owner_id", "key_digest"))


def test_it_stores_the_provider_key_for_the_keys_owner(client, mangobeds):
    response = client.post(URL, {"provider_api_key": KEY}, format="json")

    assert response.status_code == 200
    assert response.json() == {"success": True, "data": {"status": "created"}}
    link = ProviderAccountLink.objects.get()
    assert (link.provider, link.owner, link.api_key) == (mangobeds, client.owner, client.api_key)
    assert link.key_digest == hashlib.sha256(KEY.encode()).hexdigest()
    assert link.key_last4 == "7e1d"


def test_linking_makes_nine_queries_and_a_repeat_five(client, django_assert_num_queries):
    # 1. the API key  2. the active providers (read once per process)  in the transaction (3
    # and the last: SAVEPOINT and RELEASE): 4. the key linked to another account?  5. this
    # account's link, FOR UPDATE  6–8. the INSERT in a savepoint of its own (a lost race on
    # the unique key is read again, not a 500)
    with django_assert_num_queries(9):
        assert status_of(client.post(URL, {"provider_api_key": KEY}, format="json")) == "created"
    # 1. the API key  2 and 5. SAVEPOINT and RELEASE  3. the other-account check  4. the link
    with django_assert_num_queries(5):
        assert status_of(client.post(URL, {"provider_api_key": KEY}, format="json")) == "unchanged"


def test_the_key_itself_is_not_stored_anywhere_in_the_row(client):
    client.post(URL, {"provider_api_key": KEY}, format="json")

    row = ProviderAccountLink.objects.values().get()
    assert not any(KEY in str(value) for value in row.values())


def test_sending_the_same_key_again_is_unchanged_and_another_key_is_updated(client):
    assert status_of(client.post(URL, {"provider_api_key": KEY}, format="json")) == "created"
    assert status_of(client.post(URL, {"provider_api_key": KEY}, format="json")) == "unchanged"
    assert status_of(client.post(URL, {"provider_api_key": f"  {KEY}\n"}, format="json")) == "unchanged"
    assert status_of(client.post(URL, {"provider_api_key": "mb_live_rotated_0042"}, format="json")) == "updated"

    link = ProviderAccountLink.objects.get()
    assert link.key_last4 == "0042"
    assert link.key_digest == hashlib.sha256(b"mb_live_rotated_0042").hexdigest()


def test_a_key_linked_to_another_account_is_409_and_leaves_it_alone(key_client, client):
    first = key_client(["listings.write"])
    first.post(URL, {"provider_api_key": KEY}, format="json")
    before = links()

    response = client.post(URL, {"provider_api_key": KEY}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "success": False,
        "error": "This provider API key is already linked to another account",
        "code": "provider_key_already_linked",
    }
    assert links() == before


def test_the_same_key_may_be_linked_at_another_provider(key_client, client, other_provider):
    key_client(["listings.write"]).post(URL, {"provider_api_key": KEY}, format="json")

    response = client.post(f"/v2/integrations/{other_provider.slug}/provider-key", {"provider_api_key": KEY})

    assert status_of(response) == "created"


def test_a_short_key_keeps_no_last_characters(client):
    client.post(URL, {"provider_api_key": "abc123"}, format="json")

    assert ProviderAccountLink.objects.get().key_last4 == ""


@pytest.mark.parametrize("encoding", ["multipart", "form"])
def test_a_form_body_is_415_and_links_nothing(client, encoding):
    # The coliving documents send JSON only (issue 12): one content type per operation.
    if encoding == "form":
        response = client.post(URL, f"provider_api_key={KEY}", content_type="application/x-www-form-urlencoded")
    else:
        response = client.post(URL, {"provider_api_key": KEY}, format="multipart")
    assert response.status_code == 415, response.content
    assert response.json()["code"] == "unsupported_media_type"
    assert not ProviderAccountLink.objects.exists()


@pytest.mark.parametrize(
    "body, message",
    [
        ({}, "This field is required."),
        ({"provider_api_key": ""}, "This field may not be blank."),
        ({"provider_api_key": "   "}, "This field may not be blank."),
        ({"provider_api_key": None}, "This field may not be null."),
        ({"provider_api_key": 12345678}, "Not a valid string."),
        ({"provider_api_key": ["a"]}, "Not a valid string."),
        ({"provider_api_key": "k" * 256}, "Ensure this field has no more than 255 characters."),
    ],
)
def test_a_missing_or_invalid_key_is_422(client, body, message):
    response = client.post(URL, body, format="json")

    assert response.status_code == 422
    assert response.json() == {
        "success": False,
        "error": "Validation Error",
        "code": "validation_error",
        "details": {"provider_api_key": [message]},
    }
    assert links() == []


def test_a_key_of_255_characters_is_accepted(client):
    assert status_of(client.post(URL, {"provider_api_key": "k" * 255}, format="json")) == "created"


def test_malformed_json_is_400(client):
    response = client.post(URL, '{"provider_api_key": ', content_type="application/json")

    assert response.status_code == 400
    assert links() == []


def test_a_nul_character_is_400(client):
    response = client.post(URL, {"provider_api_key": "abc\u0000def"}, format="json")

    assert response.status_code == 400
    assert links() == []


def test_it_needs_the_listings_write_scope(key_client, mangobeds):
    response = key_client(["listings.read"]).post(URL, {"provider_api_key": KEY}, format="json")

    assert response.status_code == 403
    assert links() == []


def test_it_needs_a_key(api_client, mangobeds):
    assert api_client.post(URL, {"provider_api_key": KEY}, format="json").status_code == 401


def test_an_unknown_provider_is_404(client):
    response = client.post("/v2/integrations/nobeds/provider-key", {"provider_api_key": KEY}, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "unsupported_provider"
    assert links() == []


def test_a_key_bound_to_another_provider_is_403(key_client, mangobeds, other_provider):
    client = key_client(["listings.write"], provider=other_provider)

    response = client.post(URL, {"provider_api_key": KEY}, format="json")

    assert response.status_code == 403
    assert links() == []


def test_each_owner_has_its_own_link(key_client, client):
    other = key_client(["listings.write"])

    assert status_of(client.post(URL, {"provider_api_key": KEY}, format="json")) == "created"
    assert status_of(other.post(URL, {"provider_api_key": "mb_live_other_host"}, format="json")) == "created"
    assert sorted(owner for _, owner, _ in links()) == sorted([client.owner.pk, other.owner.pk])


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_hosts_racing_to_link_one_key_one_wins_and_the_other_is_409(key_client):
    provider = Provider.objects.get_or_create(slug="mangobeds", defaults={"name": "Mango Beds"})[0]
    hosts = [key_client(["listings.write"]) for _ in range(2)]
    responses: dict[int, object] = {}
    errors: list[BaseException] = []
    answered = threading.Event()

    def link(index: int) -> None:
        try:
            responses[index] = hosts[index].post(URL, {"provider_api_key": KEY}, format="json")
            answered.set()
        except BaseException as exc:  # reported on the main thread
            errors.append(exc)
            answered.set()
        finally:
            connection.close()

    # A link's foreign key to the provider is checked at COMMIT (Django's are deferred), so a
    # third connection holding the provider's row FOR UPDATE keeps the first INSERT from
    # committing: the second request also finds the key unlinked and meets the unique
    # constraint, the race the service settles. Released once both requests are waiting.
    holder = connection.get_new_connection(connection.get_connection_params())
    threads = [threading.Thread(target=link, args=(index,)) for index in range(2)]
    try:
        holder.execute("SELECT 1 FROM apikeys_provider WHERE id = %s FOR UPDATE", [provider.pk])
        for thread in threads:
            thread.start()
        wait_for_lock_waiters(2, unless=answered, why="a request answered before both met the lock")
    finally:
        holder.rollback()
        holder.close()
        for thread in threads:
            thread.join(timeout=60)

    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)
    assert sorted(response.status_code for response in responses.values()) == [200, 409]
    winner = next(index for index, response in responses.items() if response.status_code == 200)
    loser = 1 - winner
    assert responses[winner].json() == {"success": True, "data": {"status": "created"}}
    assert responses[loser].json()["code"] == "provider_key_already_linked"
    assert links() == [("mangobeds", hosts[winner].owner.pk, hashlib.sha256(KEY.encode()).hexdigest())]

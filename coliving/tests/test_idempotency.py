"""Idempotency-Key: replay, mismatch, failures not stored, concurrent duplicates create one."""

import json
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import path
from django.utils import timezone
from django_tasks import default_task_backend
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate

from apikeys.models import ApiKey, IdempotencyRecord
from apikeys.services import idempotency_records_purge
from apikeys.tasks import idempotency_records_purge as purge_task
from coliving.api.idempotency import idempotent
from coliving.api.renderers import JSONRenderer
from coliving.tests.urls import CityCreate
from conftest import requires_postgres
from jobs.models import City

pytestmark = [pytest.mark.urls("coliving.tests.urls")]
URL = "/v2/probe/cities"


@pytest.fixture
def client(key_client):
    return key_client(["users.write"])


@pytest.mark.django_db
def test_a_retry_with_the_same_body_replays_the_first_response(client):
    first = client.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    second = client.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert second["Location"] == first["Location"]
    assert City.objects.count() == 1


@pytest.mark.django_db
def test_key_order_in_the_body_does_not_matter(client):
    client.post(URL, {"name": "berlin", "x": 1}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    replay = client.post(
        URL, '{"x": 1, "name": "berlin"}', content_type="application/json", HTTP_IDEMPOTENCY_KEY="op-1"
    )
    assert replay["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_409(client):
    client.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    response = client.post(URL, {"name": "lisbon"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_mismatch"
    assert response.json()["error"] == "Idempotency-Key was already used with a different request"
    assert City.objects.count() == 1


@pytest.mark.django_db
def test_keys_are_per_api_key(key_client):
    first, second = key_client(["users.write"]), key_client(["users.write"])
    first.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    response = second.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert City.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("name, status", [("fail", 400), ("raise", 500)])
def test_failures_are_not_stored_so_a_retry_runs_afresh(client, name, status):
    response = client.post(URL, {"name": name}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    assert response.status_code == status
    assert not IdempotencyRecord.objects.exists()
    retry = client.post(URL, {"name": name}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    assert retry.status_code == status
    assert "Idempotent-Replayed" not in retry


@pytest.mark.django_db
def test_without_the_header_every_request_creates(client):
    client.post(URL, {"name": "berlin"}, format="json")
    client.post(URL, {"name": "berlin"}, format="json")
    assert City.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["", " ", "k" * 256])
def test_an_invalid_key_is_400(client, value):
    response = client.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY=value)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
    assert response.json()["error"] == "Idempotency-Key must be 1 to 255 printable ASCII characters"
    assert City.objects.count() == 0


@pytest.mark.django_db
def test_a_request_still_in_flight_is_409_with_retry_after(client):
    client.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    IdempotencyRecord.objects.update(state=IdempotencyRecord.State.IN_PROGRESS)
    response = client.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_request_in_progress"
    assert response.json()["error"] == "A request with this Idempotency-Key is still in progress"
    assert response["Retry-After"] == "1"


@pytest.mark.django_db
def test_a_claim_abandoned_by_a_crashed_process_is_taken_over(client):
    client.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    IdempotencyRecord.objects.update(
        state=IdempotencyRecord.State.IN_PROGRESS, created_at=timezone.now() - timedelta(minutes=10)
    )
    response = client.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response


@pytest.mark.django_db
def test_records_expire_after_24_hours(client):
    client.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    response = client.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    assert "Idempotent-Replayed" not in response
    assert City.objects.count() == 2


@pytest.mark.django_db
def test_a_record_exactly_24_hours_old_is_still_replayed(client, monkeypatch):
    first = client.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    now = timezone.now() + timedelta(minutes=1)
    IdempotencyRecord.objects.update(created_at=now - timedelta(hours=24))
    monkeypatch.setattr(timezone, "now", lambda: now)

    retry = client.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert City.objects.count() == 1


@pytest.mark.django_db
def test_a_claim_exactly_5_minutes_old_is_still_in_progress(client, monkeypatch):
    client.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    now = timezone.now() + timedelta(minutes=1)
    IdempotencyRecord.objects.update(state=IdempotencyRecord.State.IN_PROGRESS, created_at=now - timedelta(minutes=5))
    monkeypatch.setattr(timezone, "now", lambda: now)

    response = client.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_request_in_progress"
    assert City.objects.count() == 1


@pytest.mark.django_db
def test_the_purge_deletes_only_expired_records(client):
    client.post(URL, {"name": "old"}, format="json", HTTP_IDEMPOTENCY_KEY="op-old")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    client.post(URL, {"name": "new"}, format="json", HTTP_IDEMPOTENCY_KEY="op-new")
    assert idempotency_records_purge() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["op-new"]


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_create_one_object(key_client):
    raw = key_client(["users.write"]).raw_key
    clients = 12
    barrier = threading.Barrier(clients)
    responses: list = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def send():
        client = APIClient()
        client.credentials(HTTP_X_API_KEY=raw)
        try:
            barrier.wait(timeout=30)
            response = client.post(URL, {"name": "race"}, format="json", HTTP_IDEMPOTENCY_KEY="same-op")
            with lock:
                responses.append(response)
        except BaseException as exc:  # reported on the main thread
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads), "a request never answered"
    assert not errors, errors
    assert len(responses) == clients  # every thread answered
    # One request creates; each other one either arrived while it ran (409, in progress) or
    # after it committed (the winner's 201, replayed).
    created = [r for r in responses if r.status_code == 201 and "Idempotent-Replayed" not in r]
    replayed = [r for r in responses if r.status_code == 201 and r.get("Idempotent-Replayed") == "true"]
    in_progress = [r for r in responses if r.status_code == 409]
    assert len(created) == 1
    assert len(created) + len(replayed) + len(in_progress) == clients
    assert all(r.json() == created[0].json() for r in replayed)
    assert {r.json()["code"] for r in in_progress} <= {"idempotency_request_in_progress"}
    assert all(r["Retry-After"] == "1" for r in in_progress)
    assert City.objects.filter(name="race").count() == 1
    assert created[0].json()["data"]["id"] == City.objects.get(name="race").pk
    assert IdempotencyRecord.objects.get().state == IdempotencyRecord.State.COMPLETED


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["k" * 255, " k", "~"])
def test_a_key_of_1_to_255_printable_characters_is_accepted(client, value):
    response = client.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY=value)
    assert response.status_code == 201
    assert IdempotencyRecord.objects.get().key == value


@pytest.mark.django_db
def test_any_2xx_response_is_replayed(client):
    City.objects.create(name="berlin", slug="berlin")
    first = client.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    City.objects.all().delete()
    retry = client.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    assert first.status_code == retry.status_code == 200
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()


@pytest.mark.django_db
def test_a_key_with_control_characters_is_400(client):
    response = client.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY="op\x00-1")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"


@pytest.mark.django_db
def test_the_fingerprint_is_keyed_so_a_stored_body_cannot_be_guessed_back(client):
    import hashlib

    client.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    plain = hashlib.sha256(b"POST\n" + URL.encode() + b'\n{"name":"berlin"}').hexdigest()
    assert IdempotencyRecord.objects.get().fingerprint != plain


@pytest.fixture
def render_fails_once(monkeypatch):
    """The renderer raises on its first call (the created object's body), then works (the 500's body)."""
    original = JSONRenderer.render
    calls = []

    def render(self, data, *args, **kwargs):
        calls.append(data)
        if len(calls) == 1:
            raise TypeError("Integer exceeds 64-bit range")
        return original(self, data, *args, **kwargs)

    monkeypatch.setattr(JSONRenderer, "render", render)
    return calls


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("headers", [{}, {"HTTP_IDEMPOTENCY_KEY": "op-1"}], ids=["without key", "with key"])
def test_a_body_that_fails_to_render_leaves_no_committed_write(client, render_fails_once, headers):
    response = client.post(URL, {"name": "berlin"}, format="json", **headers)

    assert response.status_code == 500
    assert render_fails_once[0]["data"]["name"] == "berlin"  # it failed after the create
    assert not City.objects.exists()
    assert not IdempotencyRecord.objects.exists()
    retry = client.post(URL, {"name": "berlin"}, format="json", **headers)
    assert retry.status_code == 201
    assert City.objects.count() == 1


@pytest.mark.django_db
def test_the_body_is_rendered_once_and_stored_as_sent(client, render_fails_once):
    render_fails_once.append("skip the injected failure")
    first = client.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")

    assert first.status_code == 201
    assert len(render_fails_once) == 2  # one render for the response, none again when Django sends it
    assert bytes(IdempotencyRecord.objects.get().response_body) == first.content


@pytest.mark.django_db
def test_a_retry_replays_its_own_operation_among_others_with_the_same_key(key_client):
    """A claim is per API key, method, path and Idempotency-Key: a retry finds its own record
    even when records made earlier share all but one of those with it."""
    client, other = key_client(["users.write"]), key_client(["users.write"])
    other.post(URL, {"name": "other-api-key"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    client.post("/v2/probe/towns", {"name": "other-path"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    client.post(URL, {"name": "other-idempotency-key"}, format="json", HTTP_IDEMPOTENCY_KEY="op-2")
    first = client.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")

    retry = client.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    assert retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert City.objects.count() == 4


@pytest.mark.django_db
def test_a_retry_replays_its_own_method_among_others_with_the_same_key(client):
    """The same path and Idempotency-Key under another method is another operation."""
    put = client.put(URL, {"name": "lisbon"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    first = client.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")

    retry = client.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    assert put.status_code == first.status_code == retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert City.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_key_deleted_while_its_request_runs_gets_409_after_three_claims(key_client):
    """The claim's INSERT fails on its key (gone since authentication) and no record is there
    to read: it claims again, three times in all, then answers 409 with ``Retry-After``."""
    key = key_client(["users.write"]).api_key
    request = APIRequestFactory().post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    force_authenticate(request, user=key.owner, token=key)
    ApiKey.objects.filter(pk=key.pk).delete()

    with CaptureQueriesContext(connection) as queries:
        response = CityCreate.as_view()(request)
    body = json.loads(response.render().content)

    assert response.status_code == 409
    assert response["Retry-After"] == "1"
    assert body["code"] == "idempotency_request_in_progress"
    assert body["error"] == "Could not claim the Idempotency-Key, retry"
    claims = [q for q in queries if q["sql"].startswith(f'INSERT INTO "{IdempotencyRecord._meta.db_table}"')]
    assert len(claims) == 3
    assert not City.objects.exists()


@pytest.mark.django_db
def test_taking_over_an_abandoned_claim_deletes_no_other_record(key_client):
    """Even one made at the very same instant (another key's, completed)."""
    crashed, other = key_client(["users.write"]), key_client(["users.write"])
    crashed.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    first = other.post(URL, {"name": "lisbon"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(minutes=10))
    IdempotencyRecord.objects.filter(api_key=crashed.api_key).update(state=IdempotencyRecord.State.IN_PROGRESS)

    assert crashed.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1").status_code == 201
    replay = other.post(URL, {"name": "lisbon"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()


@pytest.mark.django_db
def test_a_form_body_with_a_file_is_told_apart_by_every_value(key_client):
    client = key_client(["jobs:write"])

    def send(content: bytes, *tags: str):
        body = {"name": "berlin", "tag": list(tags), "photo": SimpleUploadedFile("photo.txt", content)}
        return client.post("/v2/jobs/cities", body, format="multipart", HTTP_IDEMPOTENCY_KEY="op-1")

    assert send(b"one", "a", "b").status_code == 201
    assert send(b"one", "a", "b")["Idempotent-Replayed"] == "true"
    assert send(b"two", "a", "b").status_code == 409
    assert send(b"one", "a").status_code == 409
    assert City.objects.count() == 1


@pytest.mark.django_db
def test_writing_records_enqueues_the_purge_at_most_once_an_hour(client, django_capture_on_commit_callbacks):
    def purges() -> int:
        return sum(result.task.module_path == purge_task.module_path for result in default_task_backend.results)

    before = purges()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"name": "berlin"}, format="json", HTTP_IDEMPOTENCY_KEY="op-1")
        client.post(URL, {"name": "lisbon"}, format="json", HTTP_IDEMPOTENCY_KEY="op-2")
    assert purges() - before == 1
    if settings.REDIS_URL:  # the hour is the marker's lifetime in the cache (locmem cannot tell it)
        assert 3590 <= cache.ttl("idempotency:purge-scheduled") <= 3600


def _post_operation(post) -> dict:
    view = type("Create", (CityCreate,), {"post": post})
    generator = SchemaGenerator(patterns=[path("v2/probe/cities", view.as_view())])
    return generator.get_schema(request=None, public=True)["paths"]["/v2/probe/cities"]["post"]


def test_the_schema_documents_the_header_and_the_409_of_an_idempotent_operation():
    handler = CityCreate.post.__wrapped__
    # Decorated here rather than at import, so that mutation testing ties the decorator to this test.
    operation = _post_operation(idempotent(handler))
    assert [parameter["name"] for parameter in operation["parameters"]] == ["Idempotency-Key"]
    assert "409" in operation["responses"]
    plain = _post_operation(handler)  # the same operation without it documents neither
    assert "Idempotency-Key" not in [parameter["name"] for parameter in plain.get("parameters", [])]
    assert "409" not in plain["responses"]

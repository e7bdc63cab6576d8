"""Usage tracking: counted per request, written in batches, never a write per request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apikeys.models import ApiKey, ApiKeyDailyUsage
from apikeys.usage import usage_buffer

pytestmark = pytest.mark.django_db


def test_requests_are_counted_per_key_and_per_day_and_ip(key_client):
    client = key_client(["users.read"])
    for _ in range(3):
        client.get("/v2/me", REMOTE_ADDR="10.0.0.1")
    client.get("/v2/me", REMOTE_ADDR="10.0.0.2")
    usage_buffer.flush()

    key = ApiKey.objects.get(pk=client.api_key.pk)
    assert key.usage_count == 4
    assert key.last_used_ip == "10.0.0.2"
    assert key.last_used_at is not None
    daily = dict(ApiKeyDailyUsage.objects.filter(api_key=key).values_list("ip", "count"))
    assert daily == {"10.0.0.1": 3, "10.0.0.2": 1}
    assert ApiKeyDailyUsage.objects.get(api_key=key, ip="10.0.0.1").date == timezone.now().date()


def test_flushes_add_to_what_is_stored(key_client):
    client = key_client(["users.read"])
    client.get("/v2/me")
    usage_buffer.flush()
    client.get("/v2/me")
    client.get("/v2/me")
    usage_buffer.flush()
    assert ApiKey.objects.get(pk=client.api_key.pk).usage_count == 3
    assert ApiKeyDailyUsage.objects.get(api_key=client.api_key).count == 3


def test_requests_between_flushes_write_nothing(key_client):
    client = key_client(["users.read"])
    with CaptureQueriesContext(connection) as queries:
        for _ in range(20):
            client.get("/v2/me")
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []


def test_one_flush_is_one_update_per_key_and_one_upsert(key_client):
    first, second = key_client(["users.read"]), key_client(["users.read"])
    for client in (first, second):
        for ip in ("10.0.0.1", "10.0.0.2"):
            client.get("/v2/me", REMOTE_ADDR=ip)
    with CaptureQueriesContext(connection) as queries:
        usage_buffer.flush()
    statements = [q["sql"].split()[0].upper() for q in queries if q["sql"].split()[0].upper() in {"UPDATE", "INSERT"}]
    assert sorted(statements) == ["INSERT", "UPDATE", "UPDATE"]


def test_a_flush_is_due_after_the_interval(key_client, settings):
    client = key_client(["users.read"])
    settings.APIKEY_USAGE_FLUSH_SECONDS = 0  # every request is past the interval
    client.get("/v2/me")
    assert ApiKey.objects.get(pk=client.api_key.pk).usage_count == 1


def test_usage_of_a_deleted_key_is_dropped_quietly(key_client):
    client = key_client(["users.read"])
    client.get("/v2/me")
    ApiKey.objects.filter(pk=client.api_key.pk).delete()
    usage_buffer.flush()
    assert not ApiKeyDailyUsage.objects.exists()


def test_a_failing_flush_never_fails_the_request(key_client, settings, monkeypatch):
    from apikeys import usage

    client = key_client(["users.read"])
    settings.APIKEY_USAGE_FLUSH_SECONDS = 0

    def broken(*args):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(usage, "_write", broken)
    assert client.get("/v2/me").status_code == 200
    monkeypatch.undo()
    settings.APIKEY_USAGE_FLUSH_SECONDS = 10**9
    usage_buffer.flush()  # the counts were kept and are written now
    assert ApiKey.objects.get(pk=client.api_key.pk).usage_count == 1

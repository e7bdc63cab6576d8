"""Delivering outbox events to the tracking endpoint, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import socket
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import default_task_backend

from accounts import events, tracking
from accounts.events import outbox_event_deliver
from accounts.models import OutboxEvent
from accounts.services import user_create
from apikeys.tests.factories import make_key
from coliving.tests.receivers import recording_server

pytestmark = pytest.mark.django_db

PASSWORD = "securepassword123"


@pytest.fixture
def sink():
    """A tag-manager stand-in: records every request; answers ``statuses`` in turn, then 204
    (a 3xx redirects to the cloud metadata address, which the guard must refuse)."""
    with recording_server("/collect", redirect_to="http://169.254.169.254/latest/meta-data/") as server:
        yield server


@pytest.fixture
def tracking_on(settings, sink):
    settings.TRACKING_URL = sink.url
    settings.TRACKING_ALLOW_PRIVATE = True  # the sink listens on loopback
    return sink


def make_event(**fields) -> OutboxEvent:
    return OutboxEvent.objects.create(name=events.USER_CREATED, payload={"user_id": 1}, **fields)


def test_creating_a_user_posts_the_event_to_the_endpoint(tracking_on, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    key, _raw = make_key(scopes=["users.write"])

    with django_capture_on_commit_callbacks(execute=True):
        user = user_create(
            email="user@example.com", password=PASSWORD, first_name="John", last_name="Doe", created_by=key.owner
        )

    [request] = tracking_on.received
    event = OutboxEvent.objects.get()
    assert request["path"] == "/collect"
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["headers"]["X-Event-ID"] == str(event.uuid)
    body = json.loads(request["body"])
    assert body["event"] == "UserCreated"
    assert body["event_id"] == str(event.uuid)
    assert body["data"]["user_id"] == user.pk
    for secret in (PASSWORD, user.password, "password", "user@example.com"):
        assert secret.encode() not in request["body"]
    assert event.delivered_at is not None
    assert (event.attempts, event.last_error, event.next_attempt_at) == (1, "", None)


def test_a_delivered_event_is_not_sent_again(tracking_on):
    event = make_event()

    assert outbox_event_deliver(event_id=event.pk) == "delivered"
    assert outbox_event_deliver(event_id=event.pk) == "skipped"
    assert len(tracking_on.received) == 1


def test_a_server_error_is_recorded_and_a_retry_scheduled(tracking_on, django_capture_on_commit_callbacks):
    tracking_on.statuses = [500]
    event = make_event()
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_event_deliver(event_id=event.pk) == "failed"

    assert len(tracking_on.received) == 1
    event.refresh_from_db()
    assert event.delivered_at is None
    assert event.attempts == 1
    assert "HTTP 500" in event.last_error
    assert before + timedelta(seconds=30) <= event.next_attempt_at <= timezone.now() + timedelta(seconds=30)
    [retry] = default_task_backend.results
    assert retry.task.name == "deliver_outbox_event"
    assert retry.args == [event.pk]
    assert retry.task.run_after == event.next_attempt_at

    # The retry, when it runs, delivers (the sink answers 204 now).
    assert retry.task.call(*retry.args) == "delivered"
    event.refresh_from_db()
    assert (event.attempts, event.last_error, event.next_attempt_at) == (2, "", None)
    assert event.delivered_at is not None


def test_retries_back_off_and_stop_after_five_tries(tracking_on, django_capture_on_commit_callbacks):
    tracking_on.statuses = [503] * 5
    event = make_event()
    delays = []

    for _ in range(5):
        default_task_backend.clear()
        with django_capture_on_commit_callbacks(execute=True):
            started = timezone.now()
            assert outbox_event_deliver(event_id=event.pk) == "failed"
        event.refresh_from_db()
        if event.next_attempt_at:
            delays.append(round((event.next_attempt_at - started).total_seconds() / 30))

    assert delays == [1, 2, 4, 8]  # × 30 s
    assert event.attempts == events.MAX_ATTEMPTS
    assert event.next_attempt_at is None
    assert default_task_backend.results == []  # no sixth try
    assert len(tracking_on.received) == 5


def test_nothing_is_sent_when_tracking_is_off(settings, sink, django_capture_on_commit_callbacks):
    settings.TRACKING_URL = None
    settings.TRACKING_ALLOW_PRIVATE = True
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    key, _raw = make_key(scopes=["users.write"])

    with django_capture_on_commit_callbacks(execute=True):
        user_create(email="user@example.com", password=PASSWORD, first_name="A", last_name="B", created_by=key.owner)
    event = OutboxEvent.objects.get()

    assert outbox_event_deliver(event_id=event.pk) == "disabled"
    assert sink.received == []
    event.refresh_from_db()
    assert (event.delivered_at, event.attempts) == (None, 0)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_it_refuses_loopback_addresses_unless_allowed(settings, sink, host, django_capture_on_commit_callbacks):
    # "localhost" is a name: the check applies to the address it resolves to, at connect time.
    settings.TRACKING_URL = sink.url.replace("127.0.0.1", host)
    settings.TRACKING_ALLOW_PRIVATE = False
    event = make_event()

    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_event_deliver(event_id=event.pk) == "failed"

    assert sink.received == []
    event.refresh_from_db()
    assert "non-public address" in event.last_error
    assert event.next_attempt_at is not None  # the setting may be fixed before the retry


@pytest.mark.parametrize("url", ["ftp://tags.example.com/collect", "file:///etc/passwd", "gopher://x/"])
def test_it_refuses_schemes_other_than_http_and_https(settings, url):
    settings.TRACKING_URL = url
    event = make_event()

    assert outbox_event_deliver(event_id=event.pk) == "failed"
    event.refresh_from_db()
    assert "is not http or https" in event.last_error


def test_it_does_not_follow_redirects(tracking_on):
    tracking_on.statuses = [302]
    event = make_event()

    assert outbox_event_deliver(event_id=event.pk) == "failed"
    event.refresh_from_db()
    assert "HTTP 302" in event.last_error
    assert len(tracking_on.received) == 1


def test_a_closed_port_is_a_recorded_failure(settings):
    with socket.socket() as probe:  # a port nothing listens on any more
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.TRACKING_URL = f"http://127.0.0.1:{port}/collect"
    settings.TRACKING_ALLOW_PRIVATE = True
    event = make_event()

    assert outbox_event_deliver(event_id=event.pk) == "failed"
    event.refresh_from_db()
    assert event.last_error.startswith("ConnectError")


@pytest.mark.parametrize(
    "address, public",
    [
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),  # multicast
        ("::1", False),
        ("fc00::1", False),
        ("fe80::1%eth0", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped loopback
        ("::ffff:8.8.8.8", True),
    ],
)
def test_is_public_address(address, public):
    assert tracking.is_public_address(address) is public


def test_the_backoff_doubles_from_thirty_seconds():
    assert [events.retry_delay(n).total_seconds() for n in range(1, 5)] == [30, 60, 120, 240]

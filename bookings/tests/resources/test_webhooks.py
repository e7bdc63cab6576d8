"""Booking webhooks delivered to a real HTTP server on 127.0.0.1: signed, retried with backoff
on non-2xx, the subscription deactivated on 410, private addresses refused unless allowed."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import default_task_backend

from bookings.models import WebhookDelivery
from bookings.resources import webhooks
from bookings.resources.webhooks import webhook_delivery_deliver
from bookings.tests.resources.factories import WebhookSubscriptionFactory, body, next_hour
from coliving.tests.receivers import recording_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    """A webhook receiver: records every request; answers ``statuses`` in turn, then 204."""
    with recording_server("/hooks/cobot") as server:
        yield server


@pytest.fixture
def subscription(settings, receiver, space):
    settings.WEBHOOKS_ALLOW_PRIVATE = True  # the receiver listens on loopback
    return WebhookSubscriptionFactory(space=space, url=receiver.url)


def verify(request: dict, secret: str, *, tolerance: int = 300) -> bool:
    """What a receiver does with ``X-Webhook-Signature: t=<unix>,v1=<hex>`` (README)."""
    parts = dict(item.split("=", 1) for item in request["headers"]["X-Webhook-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + request["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"]) and abs(time.time() - int(parts["t"])) <= tolerance


def test_a_new_booking_is_posted_signed_to_the_subscription(
    member, room, subscription, receiver, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

    with django_capture_on_commit_callbacks(execute=True):
        created = member.post(f"{member.base}/resources/{room.pk}/bookings", body(next_hour(days=2)), format="json")

    assert created.status_code == 201
    [request] = receiver.received
    delivery = WebhookDelivery.objects.get()
    assert request["path"] == "/hooks/cobot"
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["headers"]["X-Webhook-Event"] == "created_booking"
    assert request["headers"]["X-Webhook-ID"] == str(delivery.uuid)
    assert verify(request, subscription.secret)
    assert not verify(request, "whsec_another")
    message = json.loads(request["body"])
    assert message["event"] == "created_booking" and message["id"] == str(delivery.uuid)
    assert message["url"] == f"http://127.0.0.1:8000/spaces/co-up/api/bookings/{created.json()['id']}"
    assert message["booking"]["id"] == created.json()["id"]
    assert message["booking"]["membership"] == {"id": str(member.membership.pk), "name": "John Doe"}
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None and (delivery.attempts, delivery.last_status) == (1, 204)


def test_a_tampered_body_fails_the_signature(subscription):
    raw = b'{"event":"created_booking"}'
    header = webhooks.signature_header(subscription.secret, raw, timestamp=int(time.time()))
    request = {"headers": {"X-Webhook-Signature": header}, "body": raw}
    assert verify(request, subscription.secret)
    assert not verify({**request, "body": raw.replace(b"created", b"deleted")}, subscription.secret)
    stale = webhooks.signature_header(subscription.secret, raw, timestamp=int(time.time()) - 3600)
    assert not verify({**request, "headers": {"X-Webhook-Signature": stale}}, subscription.secret)


def make_delivery(subscription, event="created_booking") -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        subscription=subscription, event=event, payload={"url": "https://x/api/bookings/1", "booking": {"id": "1"}}
    )


def test_a_non_2xx_answer_is_retried_with_backoff(subscription, receiver, django_capture_on_commit_callbacks):
    receiver.statuses = [500, 503, 429]
    delivery = make_delivery(subscription)
    delays = []

    for _ in range(3):
        default_task_backend.clear()
        with django_capture_on_commit_callbacks(execute=True):
            started = timezone.now()
            assert webhook_delivery_deliver(delivery_id=delivery.pk) == "failed"
        delivery.refresh_from_db()
        delays.append(round((delivery.next_attempt_at - started).total_seconds() / 30))
        [retry] = default_task_backend.results
        assert retry.task.name == "deliver_webhook" and retry.args == [delivery.pk]
        assert retry.task.run_after == delivery.next_attempt_at

    assert delays == [1, 2, 4]  # × 30 s
    assert (delivery.attempts, delivery.last_status, delivery.last_error) == (3, 429, "HTTP 429")
    assert retry.task.call(*retry.args) == "delivered"  # the receiver answers 204 now
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None and delivery.attempts == 4
    assert webhook_delivery_deliver(delivery_id=delivery.pk) == "skipped"
    assert len(receiver.received) == 4
    assert len({r["headers"]["X-Webhook-ID"] for r in receiver.received}) == 1  # one id on every try


def test_tries_stop_after_the_last_attempt(subscription, receiver, django_capture_on_commit_callbacks):
    receiver.statuses = [500] * webhooks.MAX_ATTEMPTS
    delivery = make_delivery(subscription)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=webhooks.MAX_ATTEMPTS - 1)
    default_task_backend.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_delivery_deliver(delivery_id=delivery.pk) == "failed"

    delivery.refresh_from_db()
    assert delivery.next_attempt_at is None and default_task_backend.results == []


def test_410_gone_deactivates_the_subscription(
    subscription, receiver, member, room, django_capture_on_commit_callbacks
):
    receiver.statuses = [410]
    delivery = make_delivery(subscription)
    default_task_backend.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_delivery_deliver(delivery_id=delivery.pk) == "deactivated"

    subscription.refresh_from_db()
    assert subscription.is_active is False and subscription.deactivated_at is not None
    assert "410" in subscription.deactivation_reason
    assert default_task_backend.results == []  # not retried
    # Nothing more is written for it, nor sent.
    member.post(f"{member.base}/resources/{room.pk}/bookings", body(next_hour(days=2)), format="json")
    assert WebhookDelivery.objects.count() == 1
    assert webhook_delivery_deliver(delivery_id=delivery.pk) == "skipped"


def test_private_addresses_are_refused_unless_allowed(subscription, receiver, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    delivery = make_delivery(subscription)

    assert webhook_delivery_deliver(delivery_id=delivery.pk) == "failed"

    assert receiver.received == []
    delivery.refresh_from_db()
    assert "non-public address" in delivery.last_error and delivery.last_status is None


def test_redirects_are_not_followed(subscription, receiver):
    receiver.statuses = [302]
    delivery = make_delivery(subscription)

    assert webhook_delivery_deliver(delivery_id=delivery.pk) == "failed"
    assert len(receiver.received) == 1


def test_the_admin_can_send_undelivered_ones_again(subscription, django_capture_on_commit_callbacks):
    waiting = make_delivery(subscription)
    done = make_delivery(subscription)
    WebhookDelivery.objects.filter(pk=done.pk).update(delivered_at=timezone.now() - timedelta(minutes=1))
    default_task_backend.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert webhooks.webhook_deliveries_retry(deliveries=WebhookDelivery.objects.all()) == 1

    assert [result.args for result in default_task_backend.results] == [[waiting.pk]]

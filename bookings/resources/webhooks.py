"""Booking webhooks (``created_booking``, ``updated_booking``, ``deleted_booking``): an outbox
written with the change, delivered by a task, signed.

A booking service calls ``booking_event_record`` inside its transaction: one
``WebhookDelivery`` row per active subscription of the space that asked for the event, so a
delivery exists exactly when the change committed. After the commit each is enqueued
(``tasks.deliver_webhook``), which POSTs it through the SSRF guard (``coliving/http.py``;
``WEBHOOKS_ALLOW_PRIVATE`` lets it reach private addresses, for development and tests):

- 2xx: delivered;
- 410 Gone: the receiver wants no more — the subscription is deactivated, nothing retried;
- anything else, or no answer: tried again with exponential backoff (30 s, 1 min, 2 min …),
  ``MAX_ATTEMPTS`` tries in all; the admin can send undelivered ones again.

The body is JSON: ``{"event", "id", "occurred_at", "url", "booking"}`` — ``url`` is the
booking's API URL, as Cobot's own webhooks send it (a receiver may GET it; after a
deletion it is 404), ``booking`` the booking as an admin of the space reads it, ``id`` the
delivery's id (the same on every try: drop duplicates by it).

Every try is signed, which Cobot's webhooks are not. Headers:

- ``X-Webhook-Event``: the event name;
- ``X-Webhook-ID``: the delivery id;
- ``X-Webhook-Signature: t=<unix seconds>,v1=<hex>`` where ``<hex>`` is
  HMAC-SHA256 with the subscription's secret as the key over ``"<t>." + <raw body>``.

A receiver recomputes the HMAC over the raw body it got, compares in constant time, and
refuses a ``t`` more than a few minutes old (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from datetime import timedelta
from typing import Any

import httpx
import orjson
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bookings.resources.models import ResourceBooking, WebhookDelivery, WebhookSubscription
from coliving.http import DeliveryError, check_url, guarded_client

logger = logging.getLogger(__name__)

USER_AGENT = "coliving-webhooks/1.0"
SIGNATURE_HEADER = "X-Webhook-Signature"
MAX_ATTEMPTS = 8
RETRY_BASE_DELAY = timedelta(seconds=30)
TIMEOUT = 5.0


def retry_delay(attempts: int) -> timedelta:
    """Wait before try ``attempts + 1``: 30 s, 1 min, 2 min, … (about an hour in all)."""
    return RETRY_BASE_DELAY * 2 ** (attempts - 1)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """``t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>``."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


def booking_event_record(*, booking: ResourceBooking, event: str, booking_data: dict[str, Any]) -> int:
    """Write the deliveries of ``event`` for ``booking``'s space in the current transaction;
    enqueue them once it commits. Returns how many were written."""
    subscriptions = WebhookSubscription.objects.filter(space_id=booking.resource.space_id, is_active=True)
    deliveries = [
        WebhookDelivery(
            subscription=subscription,
            event=event,
            payload={"url": booking_data["url"], "booking": booking_data},
        )
        for subscription in subscriptions
        if event in (subscription.events or [])
    ]
    if not deliveries:
        return 0
    WebhookDelivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        _enqueue_after_commit(delivery.pk)
    return len(deliveries)


def _task():
    from bookings.resources.tasks import deliver_webhook  # tasks imports this module

    return deliver_webhook


def _enqueue(delivery_id: int, *, run_after=None) -> None:
    task = _task()
    if run_after is not None:
        task = task.using(run_after=run_after)
    task.enqueue(delivery_id)


def _enqueue_after_commit(delivery_id: int, *, run_after=None) -> None:
    # robust: a queue that is down must not turn a committed booking into a 500; the
    # delivery stays undelivered and can be sent again from the admin.
    transaction.on_commit(lambda: _enqueue(delivery_id, run_after=run_after), robust=True)


def webhook_deliveries_retry(*, deliveries) -> int:
    """Enqueue one more try of each undelivered delivery of an active subscription; return how many."""
    ids = list(deliveries.filter(delivered_at__isnull=True, subscription__is_active=True).values_list("pk", flat=True))
    for delivery_id in ids:
        _enqueue_after_commit(delivery_id)
    return len(ids)


def message(delivery: WebhookDelivery) -> dict[str, Any]:
    """The JSON body of a delivery."""
    return {
        "event": delivery.event,
        "id": str(delivery.uuid),
        "occurred_at": delivery.created_at.isoformat(),
        **delivery.payload,
    }


def post_signed(url: str, body: bytes, *, secret: str, headers: dict[str, str]) -> int:
    """POST ``body`` to ``url`` through the guard, signed; return the status (any), or raise
    ``DeliveryError`` when no answer came (refused address, network error, timeout)."""
    target = check_url(url)
    request_headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature_header(secret, body),
        **headers,
    }
    allow_private = settings.WEBHOOKS_ALLOW_PRIVATE
    try:
        with guarded_client(allow_private=allow_private, timeout=TIMEOUT, user_agent=USER_AGENT) as client:
            with client.stream("POST", target, content=body, headers=request_headers) as response:
                return response.status_code  # the body is never read
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from None


def webhook_delivery_deliver(*, delivery_id: int) -> str:
    """One try. Returns what happened: delivered, failed, deactivated, skipped."""
    with transaction.atomic():
        # The row stays locked while the POST runs (at most a few seconds): a second worker
        # holding the same delivery skips it instead of sending it twice.
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("subscription")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.delivered_at is not None or not delivery.subscription.is_active:
            return "skipped"
        subscription = delivery.subscription
        delivery.attempts += 1
        delivery.next_attempt_at = None
        fields = ["attempts", "last_status", "last_error", "next_attempt_at"]
        try:
            status = post_signed(
                subscription.url,
                orjson.dumps(message(delivery)),
                secret=subscription.secret,
                headers={"X-Webhook-Event": delivery.event, "X-Webhook-ID": str(delivery.uuid)},
            )
        except DeliveryError as exc:
            status, delivery.last_error = None, str(exc)[:2000]
        delivery.last_status = status
        if status is not None and 200 <= status < 300:
            delivery.delivered_at = timezone.now()
            delivery.last_error = ""
            delivery.save(update_fields=[*fields, "delivered_at"])
            return "delivered"
        if status == 410:
            delivery.last_error = "410 Gone: the subscription was deactivated"
            delivery.save(update_fields=fields)
            subscription.is_active = False
            subscription.deactivated_at = timezone.now()
            subscription.deactivation_reason = f"The endpoint answered 410 Gone to delivery {delivery.uuid}"
            subscription.save(update_fields=["is_active", "deactivated_at", "deactivation_reason"])
            logger.warning("Webhook subscription %s deactivated: 410 Gone", subscription.pk)
            return "deactivated"
        if status is not None:
            delivery.last_error = f"HTTP {status}"
        if delivery.attempts < MAX_ATTEMPTS:
            if _task().get_backend().supports_defer:
                delivery.next_attempt_at = timezone.now() + retry_delay(delivery.attempts)
                _enqueue_after_commit(delivery.pk, run_after=delivery.next_attempt_at)
            else:
                logger.warning("The task backend cannot defer: webhook delivery %s is not retried", delivery.pk)
        delivery.save(update_fields=fields)
        logger.warning("Webhook delivery %s: try %s failed: %s", delivery.pk, delivery.attempts, delivery.last_error)
        return "failed"

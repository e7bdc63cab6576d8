"""The outbox of user events and their delivery to the tracking sink.

A service that changes something writes an ``OutboxEvent`` row in its own transaction
(``outbox_event_create``), so an event exists exactly when the change committed. After
the commit, ``deliver_outbox_event`` is enqueued; it POSTs the event to ``TRACKING_URL``
(``accounts/tracking.py``), marks it delivered, and on failure records the error and
schedules another try with exponential backoff, ``MAX_ATTEMPTS`` tries in all. Events
that ran out of tries stay undelivered; the admin's "Retry delivery" action sends them
again.

With tracking off (``TRACKING_URL`` unset) events are still written — they are the
record of what happened — but nothing is enqueued or sent.

Payloads carry identifiers and coarse attributes only: no password or hash, no email,
name, phone or date of birth. A tag manager does not need them, and what it does not
receive it cannot leak.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from accounts import tracking
from accounts.models import OutboxEvent

if TYPE_CHECKING:
    from accounts.models import User
    from apikeys.models import ApiKey

logger = logging.getLogger(__name__)

USER_CREATED = "UserCreated"
MAX_ATTEMPTS = 5
RETRY_BASE_DELAY = timedelta(seconds=30)


def retry_delay(attempts: int) -> timedelta:
    """Wait before try ``attempts + 1``: 30 s, 1 min, 2 min, 4 min."""
    return RETRY_BASE_DELAY * 2 ** (attempts - 1)


def user_created_payload(*, user: User, api_key: ApiKey | None, source: str) -> dict[str, Any]:
    return {
        "user_id": user.pk,
        "source": source,
        "created_by_id": user.created_by_id,
        "api_key_id": api_key.pk if api_key is not None else None,
        "country": user.country or None,
        "language": user.language or None,
        "timezone": user.timezone or None,
        "created_at": user.date_joined.isoformat(),
    }


def outbox_event_create(*, name: str, payload: dict[str, Any]) -> OutboxEvent:
    """Record an event in the current transaction; enqueue its delivery once that commits."""
    event = OutboxEvent.objects.create(name=name, payload=payload)
    if tracking.tracking_url():
        _enqueue_after_commit(event.pk)
    return event


def _deliver_task():
    from accounts.tasks import deliver_outbox_event  # tasks imports this module

    return deliver_outbox_event


def _enqueue(event_id: int, *, run_after=None) -> None:
    task = _deliver_task()
    if run_after is not None:
        task = task.using(run_after=run_after)
    task.enqueue(event_id)


def _enqueue_after_commit(event_id: int, *, run_after=None) -> None:
    # robust: a queue that is down must not turn a committed sign-up into a 500; the
    # event stays undelivered and can be retried from the admin.
    transaction.on_commit(lambda: _enqueue(event_id, run_after=run_after), robust=True)


def outbox_events_retry(*, events) -> int:
    """Enqueue one more try for each undelivered event of ``events``; return how many."""
    ids = list(events.filter(delivered_at__isnull=True).values_list("pk", flat=True))
    for event_id in ids:
        _enqueue_after_commit(event_id)
    return len(ids)


def outbox_event_deliver(*, event_id: int) -> str:
    """One delivery try. Returns what happened: delivered, failed, disabled, skipped."""
    url = tracking.tracking_url()
    if not url:
        return "disabled"
    with transaction.atomic():
        # The row stays locked while the POST runs (at most a few seconds): a second
        # worker holding the same event skips it instead of sending it twice.
        event = OutboxEvent.objects.select_for_update(skip_locked=True).filter(pk=event_id).first()
        if event is None or event.delivered_at is not None:
            return "skipped"
        event.attempts += 1
        try:
            tracking.post_json(url, event.message(), headers={"X-Event-ID": str(event.uuid)})
        except tracking.DeliveryError as exc:
            event.last_error = str(exc)[:2000]
            event.next_attempt_at = None
            if event.attempts < MAX_ATTEMPTS:
                if _deliver_task().get_backend().supports_defer:
                    event.next_attempt_at = timezone.now() + retry_delay(event.attempts)
                    _enqueue_after_commit(event.pk, run_after=event.next_attempt_at)
                else:
                    logger.warning("The task backend cannot defer: outbox event %s is not retried", event.pk)
            event.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            logger.warning("Outbox event %s: try %s failed: %s", event.pk, event.attempts, event.last_error)
            return "failed"
        event.delivered_at = timezone.now()
        event.last_error = ""
        event.next_attempt_at = None
        event.save(update_fields=["attempts", "delivered_at", "last_error", "next_attempt_at"])
        return "delivered"

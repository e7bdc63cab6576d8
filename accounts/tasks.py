"""Background tasks of the accounts app (thin: they call a service)."""

from __future__ import annotations

from django_tasks import task

from accounts.events import outbox_event_deliver


@task()
def deliver_outbox_event(event_id: int) -> str:
    return outbox_event_deliver(event_id=event_id)

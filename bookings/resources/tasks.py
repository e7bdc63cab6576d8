"""Background tasks of resource bookings (thin: they call a service)."""

from __future__ import annotations

from django_tasks import task

from bookings.resources.webhooks import webhook_delivery_deliver


@task()
def deliver_webhook(delivery_id: int) -> str:
    return webhook_delivery_deliver(delivery_id=delivery_id)

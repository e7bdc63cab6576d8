"""Background tasks of the apikeys app (thin: they call a service)."""

from __future__ import annotations

from django_tasks import task

from apikeys.services import idempotency_records_purge as purge


@task()
def idempotency_records_purge() -> int:
    return purge()

"""The periodic trigger: one table of jobs, and a tick that enqueues each job's current slot once.

``manage.py run_scheduler`` (its own service in ``docker-compose.yml``; ``make scheduler``)
calls ``tick()`` every ``SCHEDULER_TICK_SECONDS``. A job runs ``every`` interval, on slots
aligned to the Unix epoch plus ``offset`` (``jobs_expire``: daily at 03:00 UTC). The tasks
themselves are django-tasks jobs, run by the workers (``manage.py run_worker``).

- **Never twice.** A slot is enqueued by inserting its ``ScheduledRun(job, slot)`` row —
  unique on ``(job, slot)`` — and enqueuing the task in the same transaction. Two
  schedulers racing for a slot both try the insert; PostgreSQL makes the second wait for
  the first and then refuses it (unique violation), so its transaction, with nothing
  enqueued, rolls back. With the database task backend the task row commits with the
  ledger row or not at all; with Redis workers (``TASKS_BACKEND=rq``) the push is not
  transactional, so a tick whose commit fails after it may leave a run that another tick
  enqueues again — harmless, since tasks are idempotent (below).
- **A missed run is caught up once.** A tick only ever looks at each job's *latest* slot
  (the one containing now): after downtime spanning many slots, the first tick finds that
  one slot missing and enqueues it — one run, not one per missed slot.
- **Tasks are idempotent** (``listings/tasks.py``), so even a run enqueued and then
  delivered twice by the queue leaves one effect.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import DatabaseError, IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from coliving.task_recovery import tasks_requeue_stale
from listings.models import ScheduledRun

logger = logging.getLogger(__name__)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Job:
    name: str
    task: str  # import path of a django-tasks Task
    every: timedelta
    offset: timedelta = timedelta(0)

    def slot(self, now: datetime) -> datetime:
        """The start of the latest slot at or before ``now``."""
        start = EPOCH + self.offset
        return start + ((now - start) // self.every) * self.every


SCHEDULE: tuple[Job, ...] = (
    # Due feeds (each has its own interval) are claimed every 5 minutes.
    Job("host_feeds_dispatch", "listings.tasks.host_feeds_dispatch", every=timedelta(minutes=5)),
    # Due room calendars (every ICAL_SYNC_MINUTES each) are claimed every 5 minutes.
    Job("room_calendars_dispatch", "listings.tasks.room_calendars_dispatch", every=timedelta(minutes=5)),
    # Expired jobs are hidden once a day, at 03:00 UTC.
    Job("jobs_expire", "jobs.tasks.jobs_expire", every=timedelta(days=1), offset=timedelta(hours=3)),
    # Idempotency records past their TTL are purged hourly.
    Job("idempotency_records_purge", "apikeys.tasks.idempotency_records_purge", every=timedelta(hours=1)),
)


def tick(*, now: datetime | None = None, schedule: tuple[Job, ...] = SCHEDULE) -> list[str]:
    """Enqueue every job whose latest slot has not been enqueued yet; return their names."""
    now = now or timezone.now()
    tasks_requeue_stale(now=now)  # tasks a dead worker left RUNNING run again
    enqueued = []
    for job in schedule:
        slot = job.slot(now)
        if ScheduledRun.objects.filter(job=job.name, slot=slot).exists():
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=job.name, slot=slot)
                result = import_string(job.task).enqueue()
                ScheduledRun.objects.filter(pk=run.pk).update(task_id=str(result.id)[:64])
        except IntegrityError:
            continue  # another scheduler took this slot
        logger.info("Scheduler: enqueued %s for %s", job.name, slot.isoformat())
        enqueued.append(job.name)
    return enqueued


def run_forever(*, stop: threading.Event, tick_seconds: float, schedule: tuple[Job, ...] = SCHEDULE) -> int:
    """Tick until ``stop`` is set, sleeping ``tick_seconds`` in between; return the ticks made.
    A database outage is logged and retried at the next tick, never fatal."""
    ticks = 0
    while not stop.is_set():
        try:
            if not connection.in_atomic_block:  # a long-lived process drops dead or stale connections
                close_old_connections()
            tick(schedule=schedule)
        except DatabaseError:
            logger.exception("Scheduler: tick failed; retrying in %s s", tick_seconds)
        ticks += 1
        stop.wait(tick_seconds)
    return ticks

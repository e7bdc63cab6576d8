"""Tasks whose worker died: put back in the queue, so that another worker runs them again.

django-tasks-db marks a task RUNNING when a worker claims it and never looks at it again:
a worker killed in the middle (OOM, a deploy's SIGKILL, a lost machine) leaves it RUNNING
forever. The scheduler's tick (``listings/scheduler.py``) calls ``tasks_requeue_stale``,
which returns every task RUNNING for longer than ``TASKS_RUNNING_TIMEOUT`` seconds (15
minutes; longer than any of our tasks takes, whose outbound fetches are bounded by
``FETCH_TIMEOUT``) to READY. Our tasks are idempotent — a delivery locks its outbox row and
skips one already delivered, a purge deletes what is past its TTL, a feed import writes
what the feed says — so running one again ends in the state one run would have left.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


def tasks_requeue_stale(*, now: datetime | None = None, running_for: timedelta | None = None) -> list[str]:
    """Return the tasks RUNNING since before ``now - running_for`` to the queue; their ids."""
    from django_tasks_db.models import DBTaskResult, TaskResultStatus

    now = now or timezone.now()
    if running_for is None:
        running_for = timedelta(seconds=settings.TASKS_RUNNING_TIMEOUT)
    with transaction.atomic():
        stale = list(
            DBTaskResult.objects.select_for_update(skip_locked=True)
            .filter(status=TaskResultStatus.RUNNING, started_at__lt=now - running_for)
            .values_list("id", "task_path", "worker_ids")
        )
        if stale:
            DBTaskResult.objects.filter(id__in=[task_id for task_id, _path, _workers in stale]).update(
                status=TaskResultStatus.READY, started_at=None
            )
    for task_id, task_path, worker_ids in stale:
        logger.warning(
            "Task %s (%s) was still running after %s on worker %s: queued again",
            task_id,
            task_path,
            running_for,
            (worker_ids or ["?"])[-1],
        )
    return [str(task_id) for task_id, _path, _workers in stale]

"""``manage.py run_worker [--burst]``: the task worker of whichever queue ``TASKS_BACKEND`` selects.

- ``db`` (the default): django-tasks-db's ``db_worker`` — tasks are rows in PostgreSQL,
  claimed with ``SELECT … FOR UPDATE SKIP LOCKED``; no extra service.
- ``rq``: django-rq's ``rqworker`` on the ``default`` queue in Redis, with RQ's scheduler
  so retries enqueued for later (``run_after``) are moved to the queue when due. Run as
  many as the load needs, on any machine that reaches PostgreSQL and Redis.

``make worker`` and the compose ``worker`` service run this, so switching backends is one
environment variable. See docs/instances.md.
"""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

DB_BACKEND = "django_tasks_db.backend.DatabaseBackend"
RQ_BACKEND = "django_tasks_rq.backend.RQBackend"


class Command(BaseCommand):
    help = "Run the task worker for the configured TASKS_BACKEND (db_worker or rqworker)."

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="Run the tasks waiting now, then exit.")

    def handle(self, *args, burst: bool, **options):
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        path = f"{type(backend).__module__}.{type(backend).__qualname__}"
        verbosity = options["verbosity"]
        if path == DB_BACKEND:
            call_command("db_worker", batch=burst, reload=False, startup_delay=not burst, verbosity=verbosity)
        elif path == RQ_BACKEND:
            queues = sorted(backend.queues)
            call_command(
                "rqworker",
                *queues,
                job_class="django_tasks_rq.Job",
                with_scheduler=True,
                burst=burst,
                verbosity=verbosity,
            )
        else:
            raise CommandError(f"{path} has no worker to run; set TASKS_BACKEND=db or TASKS_BACKEND=rq.")

"""``manage.py expire_jobs``: the daily sweep that marks jobs past their date expired.

Run it from cron or the scheduler once a day (``--enqueue`` queues it for the task worker
instead of running it here). Listing never shows a job past its date either way.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from jobs.services import jobs_expire_due
from jobs.tasks import jobs_expire


class Command(BaseCommand):
    help = "Mark active jobs past their expiration date expired."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="Queue the task for the worker instead.")

    def handle(self, *args, enqueue: bool = False, **options):
        if enqueue:
            jobs_expire.enqueue()
            self.stdout.write("Queued.")
            return
        self.stdout.write(f"{jobs_expire_due()} job(s) expired.")

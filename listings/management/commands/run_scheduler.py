"""``manage.py run_scheduler [--once] [--tick SECONDS]``: the periodic trigger (``listings/scheduler.py``).

Runs as its own service (``docker-compose.yml``'s ``scheduler``, ``make scheduler``); it
only enqueues django-tasks jobs, the workers run them. Stops cleanly on SIGTERM or SIGINT
(the current tick finishes, the sleep is cut short). Several may run at once: each slot is
still enqueued once.
"""

from __future__ import annotations

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from listings.scheduler import SCHEDULE, run_forever, tick


class Command(BaseCommand):
    help = "Enqueue the periodic jobs (feed pulls, iCal fetches, expiries, purges) on their schedule."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Tick once and exit (e.g. from cron).")
        parser.add_argument("--tick", type=float, default=None, help="Seconds between ticks (SCHEDULER_TICK_SECONDS).")

    def handle(self, *args, once: bool, tick: float | None, **options):
        if once:
            for name in tick_once():
                self.stdout.write(f"enqueued {name}")
            return
        seconds = tick if tick is not None else settings.SCHEDULER_TICK_SECONDS
        stop = threading.Event()
        previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
        jobs = ", ".join(f"{job.name} every {job.every}" for job in SCHEDULE)
        self.stdout.write(f"Scheduler running, ticking every {seconds:g} s: {jobs}")
        try:
            ticks = run_forever(stop=stop, tick_seconds=seconds)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write(f"Scheduler stopped after {ticks} tick(s).")


def tick_once() -> list[str]:
    return tick()

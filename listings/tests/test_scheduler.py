"""The scheduler: a slot is enqueued once (also with two schedulers racing on PostgreSQL), a
missed run is caught up once, the loop stops on SIGTERM, every job names a real task."""

from __future__ import annotations

import os
import signal
import threading
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils.module_loading import import_string
from django_tasks import default_task_backend
from django_tasks.base import Task

from conftest import requires_postgres
from listings.models import ScheduledRun
from listings.scheduler import SCHEDULE, Job, tick

pytestmark = pytest.mark.django_db
NOW = datetime(2024, 4, 15, 10, 2, tzinfo=UTC)
JOBS = (
    Job("host_feeds_dispatch", "listings.tasks.host_feeds_dispatch", every=timedelta(minutes=5)),
    Job("jobs_expire", "jobs.tasks.jobs_expire", every=timedelta(days=1), offset=timedelta(hours=3)),
)


def test_every_job_names_a_task():
    for job in SCHEDULE:
        assert isinstance(import_string(job.task), Task), job.task
    assert {"host_feeds_dispatch", "jobs_expire"} <= {job.name for job in SCHEDULE}


def test_slots_are_aligned_to_the_interval_and_offset():
    feeds, expire = JOBS
    assert feeds.slot(NOW) == datetime(2024, 4, 15, 10, 0, tzinfo=UTC)
    assert expire.slot(NOW) == datetime(2024, 4, 15, 3, 0, tzinfo=UTC)
    assert expire.slot(datetime(2024, 4, 15, 2, 59, tzinfo=UTC)) == datetime(2024, 4, 14, 3, 0, tzinfo=UTC)


def test_a_slot_is_enqueued_once():
    assert tick(now=NOW, schedule=JOBS) == ["host_feeds_dispatch", "jobs_expire"]
    assert tick(now=NOW + timedelta(minutes=2), schedule=JOBS) == []  # same slots

    assert [r.task.name for r in default_task_backend.results] == ["host_feeds_dispatch", "jobs_expire"]
    runs = ScheduledRun.objects.order_by("job")
    assert [(r.job, r.slot) for r in runs] == [
        ("host_feeds_dispatch", datetime(2024, 4, 15, 10, 0, tzinfo=UTC)),
        ("jobs_expire", datetime(2024, 4, 15, 3, 0, tzinfo=UTC)),
    ]
    assert all(run.task_id for run in runs)
    # The next slot of the 5-minute job comes at 10:05.
    assert tick(now=NOW + timedelta(minutes=3), schedule=JOBS) == ["host_feeds_dispatch"]


def test_a_missed_run_is_caught_up_once():
    tick(now=NOW, schedule=JOBS)
    default_task_backend.clear()

    # Down for three days: 864 five-minute slots and three daily ones were missed.
    later = NOW + timedelta(days=3, minutes=1)
    assert tick(now=later, schedule=JOBS) == ["host_feeds_dispatch", "jobs_expire"]
    assert tick(now=later + timedelta(seconds=30), schedule=JOBS) == []

    assert len(default_task_backend.results) == 2
    assert ScheduledRun.objects.count() == 4


def test_the_command_ticks_once():
    out = StringIO()
    call_command("run_scheduler", "--once", stdout=out)

    assert {f"enqueued {job.name}" for job in SCHEDULE} == set(out.getvalue().split("\n")) - {""}
    assert ScheduledRun.objects.count() == len(SCHEDULE)


def test_the_loop_stops_cleanly_on_sigterm():
    out = StringIO()
    timer = threading.Timer(0.3, os.kill, args=(os.getpid(), signal.SIGTERM))
    previous = signal.getsignal(signal.SIGTERM)
    timer.start()
    try:
        call_command("run_scheduler", "--tick", "0.05", stdout=out)
    finally:
        timer.cancel()

    assert "Scheduler stopped after" in out.getvalue()
    assert signal.getsignal(signal.SIGTERM) is previous
    assert ScheduledRun.objects.count() == len(SCHEDULE)  # ticked many times, enqueued each slot once


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_racing_enqueue_each_slot_once(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    slots = [NOW + timedelta(days=day, minutes=5 * n) for day in range(3) for n in range(4)]
    barrier = threading.Barrier(2)
    enqueued: list[list[str]] = [[], []]
    errors = []

    def scheduler(index: int):
        try:
            for now in slots:
                barrier.wait()
                enqueued[index] += tick(now=now, schedule=JOBS)
        except Exception as exc:  # surfaced below
            errors.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    expected = len(slots) + 3  # a 5-minute slot per tick, a daily slot per day
    assert len(enqueued[0]) + len(enqueued[1]) == expected
    assert ScheduledRun.objects.count() == expected
    assert DBTaskResult.objects.count() == expected
    assert set(ScheduledRun.objects.values_list("task_id", flat=True)) == {
        str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)
    }

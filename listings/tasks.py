"""Background tasks of the listings app (thin: they call a service).

The periodic ones (``host_feeds_dispatch``, ``room_calendars_dispatch``) are enqueued by
the scheduler (``manage.py run_scheduler``, ``listings/scheduler.py``); each fans out one
task per feed run or room. Every task is safe to run twice: a run executes only while it
is pending, a claim moves the due time on, a calendar applied twice leaves the same blocks.
"""

from __future__ import annotations

from django_tasks import task


@task()
def host_feeds_dispatch() -> int:
    from listings.feed.pull import host_feeds_dispatch as dispatch

    return len(dispatch())


@task()
def feed_run_execute(run_id: int) -> str:
    from listings.feed.pull import feed_run_execute as execute

    return execute(run_id=run_id)


@task()
def room_calendars_dispatch() -> int:
    from listings.ical.sync import room_calendars_dispatch as dispatch

    return len(dispatch())


@task()
def room_calendar_sync(room_id: int) -> str:
    from listings.ical.sync import room_calendar_sync as sync

    return sync(room_id=room_id)

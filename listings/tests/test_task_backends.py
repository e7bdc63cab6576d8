"""Every background task on both queues ``TASKS_BACKEND`` offers: the database queue
(django-tasks-db, the default) and Redis workers (django-tasks-rq, the scale-out path).

Tasks are enqueued through the configured backend and run by that backend's real worker:
django-tasks-db's ``Worker`` in batch mode, and RQ's ``SimpleWorker`` in burst mode on the
test Redis database (in this process, so it shares the test database). Each task is
delivered twice — a queue's at-least-once delivery, or two workers taking the same
scheduled run — and must leave one effect. The outside world (tracking endpoint, webhook
receiver, host feed, host calendar) is a real HTTP server on 127.0.0.1. ``manage.py
run_worker --burst`` itself is run as a subprocess once per backend.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import events
from accounts.models import OutboxEvent
from accounts.tasks import deliver_outbox_event
from apikeys.models import IdempotencyRecord
from apikeys.tasks import idempotency_records_purge
from apikeys.tests.factories import make_key
from bookings.resources.models import WebhookDelivery
from bookings.resources.tasks import deliver_webhook
from bookings.tests.resources.factories import WebhookSubscriptionFactory
from coliving.tests.receivers import recording_server
from coliving.tests.server import ROOT, database_url
from conftest import requires_postgres
from jobs.models import Job
from jobs.tasks import jobs_expire
from jobs.tests.factories import JobFactory
from listings.models import FeedRun, HostFeed, Listing, RoomCalendar, RoomNightBlock, ScheduledRun
from listings.scheduler import SCHEDULE, tick
from listings.tasks import host_feeds_dispatch, room_calendars_dispatch
from listings.tests.factories import RoomFactory, RoomTypeFactory
from listings.tests.test_feed_pull import listing, publish
from listings.tests.test_ical import days, event, ics

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]
BACKENDS = {"db": "django_tasks_db.DatabaseBackend", "rq": "django_tasks_rq.RQBackend"}


class Queue:
    """The configured backend's queue and a real worker for it."""

    def __init__(self, name: str) -> None:
        self.name = name

    def drain(self, worker_id: str = "worker-1") -> None:
        """Run every task waiting (and any they enqueue), then return."""
        if self.name == "db":
            from django_tasks_db.management.commands.db_worker import Worker

            Worker(
                queue_names=["default"],
                interval=0,
                batch=True,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id=worker_id,
                excluded_queue_names=[],
            ).run()
        else:
            from rq import SimpleWorker

            queue = self._rq_queue()
            SimpleWorker([queue], connection=queue.connection, job_class=queue.job_class, name=worker_id).work(
                burst=True
            )

    def waiting(self) -> int:
        if self.name == "db":
            from django_tasks_db.models import DBTaskResult

            return DBTaskResult.objects.ready().count()
        return self._rq_queue().count

    def failures(self) -> list[str]:
        if self.name == "db":
            from django_tasks_db.models import DBTaskResult

            return [str(r.task_path) for r in DBTaskResult.objects.filter(status="FAILED")]
        return list(self._rq_queue().failed_job_registry.get_job_ids())

    def reset(self) -> None:
        if self.name == "rq":
            queue = self._rq_queue()
            queue.empty()
            for job_id in queue.failed_job_registry.get_job_ids():
                queue.failed_job_registry.remove(job_id, delete_job=True)

    @staticmethod
    def _rq_queue():
        import django_rq
        from django_tasks_rq import Job

        return django_rq.get_queue("default", job_class=Job)


@pytest.fixture(params=list(BACKENDS))
def queue(request, settings):
    if request.param == "rq" and not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL: the RQ queue lives in Redis")
    settings.TASKS = {"default": {"BACKEND": BACKENDS[request.param], "QUEUES": ["default"]}}
    backend_queue = Queue(request.param)
    backend_queue.reset()
    yield backend_queue
    assert backend_queue.failures() == []
    backend_queue.reset()


def test_a_tracking_event_delivered_twice_is_posted_once(queue, settings):
    with recording_server("/collect") as sink:
        settings.TRACKING_URL, settings.TRACKING_ALLOW_PRIVATE = sink.url, True
        # Enqueued on commit by the service, and once more: the queue delivers it twice.
        event = events.outbox_event_create(name=events.USER_CREATED, payload={"user_id": 1})
        deliver_outbox_event.enqueue(event.pk)
        assert queue.waiting() == 2

        queue.drain("worker-1")
        queue.drain("worker-2")

        assert len(sink.received) == 1
    event = OutboxEvent.objects.get()
    assert event.delivered_at is not None and event.attempts == 1


def test_a_webhook_delivered_twice_is_posted_once(queue, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    with recording_server("/hooks/cobot") as receiver:
        subscription = WebhookSubscriptionFactory(url=receiver.url)
        delivery = WebhookDelivery.objects.create(
            subscription=subscription, event="created_booking", payload={"booking": {"id": "1"}}
        )
        deliver_webhook.enqueue(delivery.pk)
        deliver_webhook.enqueue(delivery.pk)

        queue.drain("worker-1")
        queue.drain("worker-2")

        assert len(receiver.received) == 1
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None and delivery.attempts == 1


def test_the_idempotency_purge_run_twice_deletes_the_expired_records_once(queue, settings):
    key, _raw = make_key()
    old = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS + 1)
    IdempotencyRecord.objects.create(api_key=key, key="old", fingerprint="x", method="POST", path="/", created_at=old)
    kept = IdempotencyRecord.objects.create(api_key=key, key="new", fingerprint="y", method="POST", path="/")
    idempotency_records_purge.enqueue()
    idempotency_records_purge.enqueue()

    queue.drain()

    assert list(IdempotencyRecord.objects.values_list("pk", flat=True)) == [kept.pk]


def test_the_job_expiry_run_twice_expires_each_job_once(queue):
    past = JobFactory(expiration_date=timezone.now() - timedelta(days=1))
    current = JobFactory()
    jobs_expire.enqueue()
    jobs_expire.enqueue()

    queue.drain()

    statuses = dict(Job.objects.values_list("pk", "status"))
    assert statuses == {past.pk: Job.Status.EXPIRED, current.pk: Job.Status.ACTIVE}


@pytest.mark.usefixtures("feed_catalogues")
def test_a_feed_dispatch_taken_by_two_workers_pulls_the_feed_once(queue, http_server):
    publish(http_server, [listing(1), listing(2)])
    feed = HostFeed.objects.create(host=make_key()[0].owner, url=http_server.url("/feed.json"))
    # The same scheduled run delivered twice; each dispatch fans out a run per claimed feed.
    host_feeds_dispatch.enqueue()
    host_feeds_dispatch.enqueue()

    queue.drain("worker-1")
    queue.drain("worker-2")

    [run] = FeedRun.objects.all()
    assert (run.status, run.listings, run.created) == ("succeeded", 2, 2)
    assert len(http_server.requests) == 1
    assert Listing.objects.filter(host_feed=feed).count() == 2


def test_a_calendar_dispatch_taken_by_two_workers_fetches_each_calendar_once(queue, http_server, today):
    room = RoomFactory(room_type=RoomTypeFactory(amount=2))
    room.ical_url = http_server.serve(
        "/room.ics", ics(event("x", "DTSTART;VALUE=DATE:20240510", "DTEND;VALUE=DATE:20240513"))
    )
    room.save()
    room_calendars_dispatch.enqueue()
    room_calendars_dispatch.enqueue()

    queue.drain("worker-1")
    queue.drain("worker-2")

    assert len(http_server.requests) == 1
    assert set(RoomNightBlock.objects.values_list("date", flat=True)) == days("2024-05-10", "2024-05-12")
    assert RoomCalendar.objects.get(room=room).blocked_nights == 3


def test_two_scheduler_ticks_enqueue_each_slot_once_on_either_queue(queue):
    assert sorted(tick()) == sorted(job.name for job in SCHEDULE)
    assert tick() == []

    assert queue.waiting() == len(SCHEDULE) == ScheduledRun.objects.count()


@pytest.mark.server
def test_manage_py_run_worker_runs_the_configured_backends_worker(queue, settings):
    key, _raw = make_key()
    old = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS + 1)
    IdempotencyRecord.objects.create(api_key=key, key="old", fingerprint="x", method="POST", path="/", created_at=old)
    idempotency_records_purge.enqueue()

    environment = {
        **os.environ,
        "TASKS_BACKEND": queue.name,
        "DATABASE_URL": database_url(),
        "SECRET_KEY": "test-worker-secret",
        "DEBUG": "0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "run_worker", "--burst"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert IdempotencyRecord.objects.count() == 0
    assert queue.waiting() == 0

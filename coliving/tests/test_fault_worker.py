"""A task worker killed in the middle of a task (real ``db_worker`` processes, SIGKILL):
the scheduler's recovery (``coliving/task_recovery.py``) queues the task again, another
worker runs it, and it ends in the state one run leaves."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, TaskResultStatus

from accounts.events import outbox_event_create
from accounts.models import OutboxEvent
from apikeys.models import IdempotencyRecord
from apikeys.tasks import idempotency_records_purge
from apikeys.tests.factories import make_key
from coliving.task_recovery import tasks_requeue_stale
from coliving.tests.server import ROOT, database_url
from conftest import requires_postgres

pytestmark = [pytest.mark.server, requires_postgres, pytest.mark.django_db(transaction=True)]

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def start_worker(name: str, *args: str, **env: str) -> subprocess.Popen:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    environment.update(DATABASE_URL=database_url(), TASKS_BACKEND="db", DEBUG="0", SECRET_KEY="worker", **env)
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"]
    return subprocess.Popen(
        [*command, "--worker-id", name, *args],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: SIGKILL reaches it and nothing else
    )


def kill(worker: subprocess.Popen) -> None:
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.1)


class Sink(BaseHTTPRequestHandler):
    """The tracking endpoint: its first request never gets an answer (the worker dies while
    waiting for it); later ones get 204."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.append(self.headers["X-Event-ID"])
        if len(self.server.received) == 1:
            self.server.release.wait(30)
            return
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def sink():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    server.daemon_threads = True
    server.received, server.release = [], threading.Event()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


def test_a_tracking_delivery_whose_worker_is_killed_is_delivered_once_it_runs_again(settings, sink):
    url = f"http://127.0.0.1:{sink.server_address[1]}/events"
    settings.TASKS, settings.TRACKING_URL, settings.TRACKING_ALLOW_PRIVATE = DB_TASKS, url, True
    event = outbox_event_create(name="UserCreated", payload={"email": "guest@example.com"})
    [task] = DBTaskResult.objects.all()
    env = {"TRACKING_URL": url, "TRACKING_ALLOW_PRIVATE": "1"}

    first = start_worker("first", **env)
    try:
        wait_for(lambda: len(sink.received) == 1)  # the worker is in the middle of the POST
        task.refresh_from_db()
        assert task.status == TaskResultStatus.RUNNING
    finally:
        kill(first)
    # Killed mid-task: the row stays RUNNING, and no worker will ever finish it.
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING

    assert tasks_requeue_stale(running_for=timedelta(0)) == [str(task.id)]
    second = start_worker("second", "--batch", **env)
    try:
        second.wait(timeout=60)
    finally:
        if second.poll() is None:
            kill(second)

    task.refresh_from_db()
    event.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert task.return_value == "delivered"
    assert task.worker_ids == ["first", "second"]
    # The state one delivery leaves: delivered, one attempt counted (the killed one rolled back).
    assert event.delivered_at is not None and event.attempts == 1 and event.last_error == ""
    # The receiver saw the same event id twice; it deduplicates on X-Event-ID.
    assert sink.received == [str(event.uuid)] * 2
    assert OutboxEvent.objects.count() == 1


def test_a_purge_whose_worker_died_after_claiming_it_runs_again_to_the_same_end(settings):
    settings.TASKS = DB_TASKS
    key, _raw = make_key(scopes=["users.read"])
    old = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS + 1)
    for name, created_at in (("old-1", old), ("old-2", old), ("fresh", timezone.now())):
        IdempotencyRecord.objects.create(
            api_key=key, key=name, fingerprint="0" * 64, method="POST", path="/v2/users", created_at=created_at
        )
    result = idempotency_records_purge.enqueue()
    # What a worker does before it runs a task; then it died (its one DELETE never committed).
    task = DBTaskResult.objects.get(id=result.id)
    task.claim("dead-worker")
    assert tasks_requeue_stale(now=timezone.now() + timedelta(hours=1)) == [str(task.id)]

    worker = start_worker("alive", "--batch")
    try:
        worker.wait(timeout=60)
    finally:
        if worker.poll() is None:
            kill(worker)

    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL and task.return_value == 2
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]


def test_a_task_still_within_its_timeout_is_left_alone(settings):
    settings.TASKS = DB_TASKS
    task = DBTaskResult.objects.get(id=idempotency_records_purge.enqueue().id)
    task.claim("busy-worker")
    assert tasks_requeue_stale() == []  # TASKS_RUNNING_TIMEOUT (15 min) has not passed
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING

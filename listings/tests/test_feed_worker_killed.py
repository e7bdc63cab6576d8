"""A feed run whose worker is killed in the middle of the fetch (real ``db_worker``
processes, SIGKILL) runs again once the scheduler's recovery queues its task, and ends as
one run would: succeeded, the feed's listings imported once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, TaskResultStatus

from accounts.tests.factories import UserFactory
from coliving.task_recovery import tasks_requeue_stale
from coliving.tests.test_fault_worker import kill, start_worker, wait_for
from conftest import requires_postgres
from listings.feed.pull import feed_run_request
from listings.models import FeedRun, HostFeed, Listing
from listings.tests.test_feed_pull import listing, publish

pytestmark = [
    pytest.mark.server,
    requires_postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("feed_catalogues"),
]


def test_a_feed_run_whose_worker_is_killed_mid_fetch_runs_again_to_the_same_end(settings, http_server):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    # The first worker finds the body dripping a byte every 50 ms: it is in the fetch when killed.
    publish(http_server, [listing(1), listing(2)], trickle_seconds=0.05)
    feed = HostFeed.objects.create(host=UserFactory(email="host@example.com"), url=http_server.url("/feed.json"))
    run = feed_run_request(feed=feed)
    [task] = DBTaskResult.objects.all()
    env = {"FETCH_ALLOWED_NETWORKS": "127.0.0.0/8", "FETCH_TIMEOUT": "120"}

    first = start_worker("first", **env)
    try:
        wait_for(lambda: len(http_server.requests) == 1)
        wait_for(lambda: FeedRun.objects.get(pk=run.pk).status == FeedRun.Status.RUNNING)
    finally:
        kill(first)
    assert FeedRun.objects.get(pk=run.pk).status == FeedRun.Status.RUNNING  # abandoned mid-fetch
    assert not Listing.objects.exists()

    # Past TASKS_RUNNING_TIMEOUT (as if 16 minutes went by): the task is queued again, and
    # the run it finds abandoned is taken over.
    later = timezone.now() + timedelta(seconds=settings.TASKS_RUNNING_TIMEOUT + 60)
    FeedRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - timedelta(seconds=960))
    assert tasks_requeue_stale(now=later) == [str(task.id)]
    publish(http_server, [listing(1), listing(2)])  # answering promptly now
    second = start_worker("second", "--batch", **env)
    try:
        second.wait(timeout=120)
    finally:
        if second.poll() is None:
            kill(second)

    task.refresh_from_db()
    run.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL and task.return_value == "succeeded"
    assert (run.status, run.listings, run.created, run.failed) == ("succeeded", 2, 2, 0)
    assert sorted(Listing.objects.values_list("original_id", flat=True)) == ["property-01", "property-02"]

"""Pulled host feeds against a real HTTP server on 127.0.0.1: the dispatch claims due feeds,
a run imports, records counts and per-listing errors, de-lists what the feed stopped
sending and lists it again when it comes back; conditional GET, failures, "run now"."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks import default_task_backend

from accounts.tests.factories import UserFactory
from listings.feed.pull import feed_run_execute, feed_run_request, host_feeds_dispatch
from listings.models import FeedRun, HostFeed, Listing
from listings.tests.feed_example import spec_example

pytestmark = pytest.mark.usefixtures("feed_catalogues")


def listing(number: int, **changes) -> dict:
    return spec_example() | {
        "original_id": f"property-{number:02}",
        "original_url": f"https://host.example.com/listings/{number}",
        "name": f"House {number}",
        **changes,
    }


@pytest.fixture
def immediate(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}


@pytest.fixture
def feed(http_server):
    return HostFeed.objects.create(host=UserFactory(email="host@example.com"), url=http_server.url("/feed.json"))


def publish(server, documents, **options) -> None:
    server.serve("/feed.json", json.dumps(documents), headers={"Content-Type": "application/json"}, **options)


def pull(feed: HostFeed, capture) -> FeedRun:
    """Run the feed now through the dispatch (it is made due first), tasks executed inline."""
    HostFeed.objects.filter(pk=feed.pk).update(next_run_at=None)
    with capture(execute=True):
        [run] = host_feeds_dispatch()
    run.refresh_from_db()
    return run


def test_the_dispatch_runs_a_due_feed_and_imports_it(http_server, feed, immediate, django_capture_on_commit_callbacks):
    publish(http_server, [listing(1), listing(2)])
    before = timezone.now()

    run = pull(feed, django_capture_on_commit_callbacks)

    assert (run.status, run.trigger, run.listings, run.created, run.failed) == ("succeeded", "schedule", 2, 2, 0)
    assert run.started_at and run.finished_at and run.bytes > 0
    listings = Listing.objects.filter(host=feed.host)
    assert sorted(listings.values_list("original_id", flat=True)) == ["property-01", "property-02"]
    assert set(listings.values_list("host_feed", flat=True)) == {feed.pk}
    feed.refresh_from_db()
    assert feed.next_run_at >= before + timedelta(minutes=feed.interval_minutes)
    # Not due again until then: a second dispatch claims nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert host_feeds_dispatch() == []
    # Inactive feeds are never claimed.
    HostFeed.objects.filter(pk=feed.pk).update(next_run_at=None, is_active=False)
    assert host_feeds_dispatch() == []


def test_a_single_listing_object_is_a_feed_too(http_server, feed, immediate, django_capture_on_commit_callbacks):
    publish(http_server, listing(1))

    run = pull(feed, django_capture_on_commit_callbacks)

    assert (run.status, run.created) == ("succeeded", 1)


def test_an_unchanged_feed_is_a_304_and_imports_nothing(
    http_server, feed, immediate, django_capture_on_commit_callbacks
):
    publish(http_server, [listing(1)], etag='"v1"')
    pull(feed, django_capture_on_commit_callbacks)

    run = pull(feed, django_capture_on_commit_callbacks)

    assert run.status == "not_modified"
    assert (run.created, run.updated, run.delisted) == (0, 0, 0)
    assert http_server.requests[-1]["headers"]["If-None-Match"] == '"v1"'
    assert Listing.objects.get().status == "active"


def test_listings_gone_from_the_feed_are_delisted_and_come_back(
    http_server, feed, immediate, django_capture_on_commit_callbacks
):
    publish(http_server, [listing(1), listing(2)])
    pull(feed, django_capture_on_commit_callbacks)
    by_hand = Listing.objects.create(host=feed.host, name="Pushed through the API", original_id="api-1")

    publish(http_server, [listing(1)])
    run = pull(feed, django_capture_on_commit_callbacks)

    assert (run.status, run.unchanged, run.delisted) == ("succeeded", 1, 1)
    statuses = dict(Listing.objects.values_list("original_id", "status"))
    # A listing the feed never sent (pushed by API) is not the feed's to de-list.
    assert statuses == {"property-01": "active", "property-02": "delisted", "api-1": "active"}

    publish(http_server, [listing(1), listing(2)])
    run = pull(feed, django_capture_on_commit_callbacks)

    assert (run.relisted, run.delisted) == (1, 0)
    assert Listing.objects.get(original_id="property-02").status == "active"
    assert Listing.objects.get(pk=by_hand.pk).status == "active"


def test_a_listing_that_fails_validation_stays_listed_and_its_errors_are_kept(
    http_server, feed, immediate, django_capture_on_commit_callbacks
):
    publish(http_server, [listing(1), listing(2)])
    pull(feed, django_capture_on_commit_callbacks)

    publish(http_server, [listing(1), listing(2, name="N/A")])
    run = pull(feed, django_capture_on_commit_callbacks)

    assert (run.failed, run.unchanged, run.delisted) == (1, 1, 0)
    [problem] = run.listing_errors
    assert problem["index"] == 1 and problem["original_id"] == "property-02" and problem["action"] == "failed"
    assert problem["errors"][0]["path"] == "name" and "placeholder" in problem["errors"][0]["message"]
    assert Listing.objects.get(original_id="property-02").name == "House 2"  # the previous version stays live
    assert Listing.objects.filter(status="delisted").count() == 0


def test_an_empty_feed_delists_nothing(http_server, feed, immediate, django_capture_on_commit_callbacks):
    publish(http_server, [listing(1)])
    pull(feed, django_capture_on_commit_callbacks)

    publish(http_server, [])
    run = pull(feed, django_capture_on_commit_callbacks)

    assert (run.status, run.delisted) == ("succeeded", 0)
    assert "nothing was de-listed" in run.error
    assert Listing.objects.get().status == "active"


@pytest.mark.parametrize(
    "route, message",
    [
        ({"status": 500}, "HTTP 500"),
        ({"status": 302, "headers": {"Location": "http://169.254.169.254/latest/meta-data/"}}, "non-public address"),
    ],
)
def test_a_feed_that_cannot_be_fetched_fails_and_changes_nothing(
    http_server, feed, immediate, django_capture_on_commit_callbacks, route, message
):
    publish(http_server, [listing(1)])
    pull(feed, django_capture_on_commit_callbacks)
    http_server.serve("/feed.json", "", **route)

    run = pull(feed, django_capture_on_commit_callbacks)

    assert run.status == "failed" and message in run.error
    assert Listing.objects.get().status == "active"


def test_a_feed_that_is_not_json_fails(http_server, feed, immediate, django_capture_on_commit_callbacks):
    http_server.serve("/feed.json", "<html>")

    run = pull(feed, django_capture_on_commit_callbacks)

    assert run.status == "failed" and "is not JSON" in run.error


def test_a_run_delivered_twice_runs_once(http_server, feed):
    publish(http_server, [listing(1)])
    run = feed_run_request(feed=feed)

    assert feed_run_execute(run_id=run.pk) == "succeeded"
    assert feed_run_execute(run_id=run.pk) == "skipped"
    assert len(http_server.requests) == 1
    assert Listing.objects.count() == 1


def test_run_now_in_the_admin_queues_a_manual_run(client, feed, django_capture_on_commit_callbacks):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    default_task_backend.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:listings_hostfeed_changelist"), {"action": "run_now", "_selected_action": [feed.pk]}
        )

    assert response.status_code == 302
    run = FeedRun.objects.get()
    assert (run.feed, run.trigger, run.status) == (feed, "manual", "pending")
    [queued] = default_task_backend.results
    assert (queued.task.name, queued.args) == ("feed_run_execute", [run.pk])


def test_the_feed_and_run_admin_pages_render(client, http_server, feed, immediate, django_capture_on_commit_callbacks):
    publish(http_server, [listing(1), listing(2, name="N/A")])
    run = pull(feed, django_capture_on_commit_callbacks)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    for url in (
        reverse("admin:listings_hostfeed_changelist"),
        reverse("admin:listings_hostfeed_change", args=[feed.pk]),
        reverse("admin:listings_feedrun_changelist"),
        reverse("admin:listings_feedrun_change", args=[run.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    assert b"placeholder" in client.get(reverse("admin:listings_feedrun_change", args=[run.pk])).content

"""Pulled host feeds: a ``HostFeed`` is fetched on its schedule, imported, and what it stopped
sending is de-listed (``shared/spec/reference-notes.md``: "new reference → create, known
reference → update, reference gone from the feed → de-list").

- ``host_feeds_dispatch`` (the scheduler's periodic task) claims every active feed that is
  due — moving its ``next_run_at`` on and creating a pending ``FeedRun`` in one transaction,
  rows locked ``SKIP LOCKED`` — and enqueues one ``feed_run_execute`` per run when it commits;
  two dispatches at once never claim the same feed twice.
- ``feed_run_request`` is the admin's "run now": a pending manual run, enqueued likewise.
- ``feed_run_execute`` runs a pending run once (it first moves it to ``running``, so a task
  delivered twice does nothing the second time): a conditional GET through the outbound
  guard (304: nothing to do), ``feed_import`` as the feed's host, then the feed's listings
  are reconciled — every listing the feed sends is linked to it (``Listing.host_feed``) and,
  if the feed had de-listed it, listed again; a listing it imported before and no longer
  sends is de-listed. A listing whose document failed validation is still *in* the feed and
  stays listed (its previous version stays live). An empty feed de-lists nothing: a host
  endpoint answering ``[]`` by mistake must not take a whole portfolio offline.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from listings.feed.source import FeedSourceError, feed_documents, feed_fetch
from listings.feed.sync import ImportReport, feed_import
from listings.models import FeedRun, HostFeed, Listing

logger = logging.getLogger(__name__)


def _enqueue(run: FeedRun) -> None:
    from listings.tasks import feed_run_execute

    transaction.on_commit(lambda: feed_run_execute.enqueue(run.pk))


@transaction.atomic
def host_feeds_dispatch(*, now=None) -> list[FeedRun]:
    """Claim the due feeds and create a pending scheduled run for each (enqueued on commit)."""
    now = now or timezone.now()
    due = (
        HostFeed.objects.select_for_update(skip_locked=True)
        .filter(is_active=True)
        .filter(Q(next_run_at__isnull=True) | Q(next_run_at__lte=now))
        .order_by("id")
    )
    runs = []
    for feed in due:
        HostFeed.objects.filter(pk=feed.pk).update(
            next_run_at=now + timedelta(minutes=feed.interval_minutes), updated_at=now
        )
        run = FeedRun.objects.create(feed=feed, trigger=FeedRun.Trigger.SCHEDULE)
        _enqueue(run)
        runs.append(run)
    return runs


@transaction.atomic
def feed_run_request(*, feed: HostFeed) -> FeedRun:
    """Staff's "run now": a pending manual run of ``feed``, enqueued on commit."""
    run = FeedRun.objects.create(feed=feed, trigger=FeedRun.Trigger.MANUAL)
    _enqueue(run)
    return run


def feed_run_execute(*, run_id: int) -> str:
    """Execute the pending run ``run_id``; return its final status (``skipped`` if it was not pending).

    A run left RUNNING for longer than ``TASKS_RUNNING_TIMEOUT`` was abandoned by a worker
    that died in it (the scheduler queues its task again, coliving/task_recovery.py): it is
    taken over and executed from the start, like a pending one.
    """
    now = timezone.now()
    abandoned = Q(status=FeedRun.Status.RUNNING, started_at__lt=now - timedelta(seconds=settings.TASKS_RUNNING_TIMEOUT))
    if (
        not FeedRun.objects.filter(pk=run_id)
        .filter(Q(status=FeedRun.Status.PENDING) | abandoned)
        .update(status=FeedRun.Status.RUNNING, started_at=now)
    ):
        return "skipped"
    run = FeedRun.objects.select_related("feed__host").get(pk=run_id)
    feed = run.feed
    try:
        fetched = feed_fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified)
        run.bytes = fetched.size
        if fetched.not_modified:
            return _finish(run, FeedRun.Status.NOT_MODIFIED)
        documents = feed_documents(fetched.document)
    except FeedSourceError as exc:
        run.error = exc.message
        return _finish(run, FeedRun.Status.FAILED)
    except Exception as exc:  # a run must end recorded, whatever broke
        logger.exception("Feed run %s of %s failed", run.pk, feed.url)
        run.error = f"Unexpected error: {type(exc).__name__}: {exc}"
        return _finish(run, FeedRun.Status.FAILED)

    report = feed_import(host=feed.host, documents=documents, source=Listing.SyncSource.FEED)
    run.listings = len(documents)
    counts = report.counts()
    run.created, run.updated, run.unchanged, run.failed = (
        counts["created"],
        counts["updated"],
        counts["unchanged"],
        counts["failed"],
    )
    run.listing_errors = listing_problems(report)
    run.relisted, run.delisted = feed_listings_reconcile(feed=feed, documents=documents, report=report)
    if not documents:
        run.error = "The feed sent no listings; nothing was de-listed."
    HostFeed.objects.filter(pk=feed.pk).update(etag=fetched.etag[:500], last_modified=fetched.last_modified[:100])
    return _finish(run, FeedRun.Status.SUCCEEDED)


def _finish(run: FeedRun, status: str) -> str:
    run.status = status
    run.finished_at = timezone.now()
    run.save()
    return status


def listing_problems(report: ImportReport) -> list[dict[str, Any]]:
    """The report's errors and warnings, per listing, as JSON for the run's record."""

    def rows(problems):
        return [{"path": ".".join(map(str, p.path)), "message": p.message, "code": p.code} for p in problems]

    return [
        {
            "index": result.index,
            "original_id": result.original_id,
            "listing_id": result.listing_id,
            "action": result.action,
            "errors": rows(result.errors),
            "warnings": rows(result.warnings),
        }
        for result in report.results
        if result.errors or result.warnings
    ]


@transaction.atomic
def feed_listings_reconcile(*, feed: HostFeed, documents: list[Any], report: ImportReport) -> tuple[int, int]:
    """Link the listings ``feed`` sent to it, list again those it had de-listed, de-list those
    it no longer sends; return ``(relisted, delisted)``."""
    sent = {result.listing_id for result in report.results if result.listing_id is not None}
    # Documents the import could not tie to one listing (invalid, ambiguous) still name
    # listings by their sync keys: those are in the feed too and are not de-listed.
    ids, urls = set(), set()
    for document in documents:
        if isinstance(document, dict):
            for key, bucket in (("original_id", ids), ("original_url", urls)):
                value = document.get(key)
                if isinstance(value, str) and value.strip():
                    bucket.add(value.strip())
    named = Listing.objects.filter(host=feed.host, is_sandbox=False)  # the host's sandbox copies are not its feed's
    named = named.filter(Q(original_id__in=ids) | Q(original_url__in=urls))
    present = sent | set(named.values_list("pk", flat=True))
    now = timezone.now()
    Listing.objects.filter(pk__in=sent, host=feed.host).exclude(host_feed=feed).update(host_feed=feed, updated_at=now)
    relisted = Listing.objects.filter(pk__in=present, host_feed=feed, status=Listing.Status.DELISTED).update(
        status=Listing.Status.ACTIVE, updated_at=now
    )
    delisted = 0
    if documents:
        gone = Listing.objects.filter(host_feed=feed, status=Listing.Status.ACTIVE).exclude(pk__in=present)
        delisted = gone.update(status=Listing.Status.DELISTED, updated_at=now)
    return relisted, delisted

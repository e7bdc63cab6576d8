"""``manage.py import_feed PATH_OR_URL --host EMAIL [--dry-run]``: import a host's JSON feed.

The feed is a file or an ``http(s)://`` URL, fetched through the outbound guard (public
addresses only, redirects re-checked, 10 MB, 30 s). A one-off import de-lists nothing:
de-listing what a feed stopped sending belongs to the pulled ``HostFeed``s.

The same service as ``POST /v2/listings`` (``listings.feed.sync.feed_import``), with a
progress bar and the same per-listing report. ``--dry-run`` validates and says what would
change without writing. Exits with status 1 when a listing failed.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from listings.feed.source import FeedSourceError, feed_documents, feed_read
from listings.feed.sync import ImportReport, feed_import
from listings.models import Listing


class Command(BaseCommand):
    help = "Import a host's listings from a JSON feed file or URL (the shape of /json/import)."

    def add_arguments(self, parser):
        parser.add_argument(
            "location",
            metavar="PATH_OR_URL",
            help="The feed, a file or an http(s) URL: one listing, a list, or {listings: [...]}.",
        )
        parser.add_argument("--host", required=True, help="Email of the host the listings belong to.")
        parser.add_argument("--dry-run", action="store_true", help="Validate and report; write nothing.")

    def handle(self, *args, location: str, host: str, dry_run: bool, **options):
        owner = get_user_model().objects.filter(email__iexact=host, is_sandbox=False).first()
        if owner is None:
            raise CommandError(f"No user has the email {host}.")
        try:
            documents = feed_documents(feed_read(location))
        except FeedSourceError as exc:
            raise CommandError(exc.message) from None

        console = Console(stderr=True)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
            task = progress.add_task("Checking" if dry_run else "Importing", total=len(documents))
            report = feed_import(
                host=owner,
                documents=documents,
                source=Listing.SyncSource.FEED,
                dry_run=dry_run,
                progress=lambda result: progress.advance(task),
            )
        self._print(report)
        failed = report.counts()["failed"]
        if failed:
            raise CommandError(f"{failed} listing(s) failed.", returncode=1)

    def _print(self, report: ImportReport) -> None:
        for result in report.results:
            listing = f"listing {result.listing_id}" if result.listing_id else "no listing"
            self.stdout.write(
                f"[{result.index}] {result.original_id or '(no original_id)'}: {result.action} ({listing})"
            )
            for label, problems in (("error", result.errors), ("warning", result.warnings)):
                for problem in problems:
                    path = ".".join(map(str, problem.path)) or "(listing)"
                    self.stdout.write(f"    {label}: {path}: {problem.message}")
        counts = report.counts()
        prefix = "Dry run, nothing written: would be " if report.dry_run else ""
        summary = ", ".join(f"{counts[action]} {action}" for action in ("created", "updated", "unchanged", "failed"))
        self.stdout.write(f"{prefix}{summary}.")

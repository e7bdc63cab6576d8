"""Where a feed's JSON comes from: ``feed_read(location)`` returns the parsed document,
``feed_documents(document)`` the listings in it.

A location is a file path or an ``http(s)://`` URL (``manage.py import_feed PATH_OR_URL``);
URLs go through the guarded fetch (``coliving.http.fetch``: public addresses only after DNS
resolution, redirects re-checked, 10 MB, 30 s). Pulled feeds call ``feed_fetch`` for the
conditional GET. Everything after it — the import service, the report — is the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from coliving.api.errors import ApplicationError
from coliving.http import FetchError, fetch

USER_AGENT = "coliving-feeds/1.0"

MAX_FEED_BYTES = 50 * 1024 * 1024  # a 5,000-listing feed is about 25 MB


class FeedSourceError(ApplicationError):
    """The feed could not be read or is not JSON in a shape the import knows."""

    status = 400
    code = "feed_unreadable"
    message = "The feed could not be read"


@dataclass(frozen=True)
class FetchedFeed:
    """A feed fetched over HTTP: its parsed ``document`` (None when ``not_modified``)."""

    document: Any
    not_modified: bool
    etag: str
    last_modified: str
    size: int


def feed_fetch(url: str, *, etag: str = "", last_modified: str = "") -> FetchedFeed:
    """GET the feed at ``url`` through the guard, with the last answer's validators."""
    try:
        fetched = fetch(url, etag=etag, last_modified=last_modified, accept="application/json", user_agent=USER_AGENT)
    except FetchError as exc:
        raise FeedSourceError(f"Cannot fetch {url}: {exc}") from None
    document = None
    if not fetched.not_modified:
        try:
            document = orjson.loads(fetched.content)
        except orjson.JSONDecodeError as exc:
            raise FeedSourceError(f"{url} is not JSON: {exc}.") from None
    return FetchedFeed(document, fetched.not_modified, fetched.etag, fetched.last_modified, len(fetched.content))


def feed_read(location: str) -> Any:
    """The parsed JSON document at ``location``: an ``http(s)://`` URL or a file path."""
    if "://" in location:
        return feed_fetch(location).document
    path = Path(location)
    try:
        if path.stat().st_size > MAX_FEED_BYTES:
            raise FeedSourceError(f"{location} is larger than {MAX_FEED_BYTES // (1024 * 1024)} MB.")
        raw = path.read_bytes()
    except OSError as exc:
        raise FeedSourceError(f"Cannot read {location}: {exc.strerror or exc}.") from None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise FeedSourceError(f"{location} is not JSON: {exc}.") from None


def feed_documents(document: Any) -> list[Any]:
    """The listings of a feed: a list of them, ``{"listings": [...]}``, or a single listing object."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        if "listings" in document:
            listings = document["listings"]
            if not isinstance(listings, list):
                raise FeedSourceError('"listings" must be a list of listings.')
            return listings
        return [document]
    raise FeedSourceError('A feed is a listing object, a list of them, or {"listings": [...]}.')

"""Where a feed's JSON comes from: ``feed_read(location)`` returns the parsed document,
``feed_documents(document)`` the listings in it.

Today a location is a file path (``manage.py import_feed PATH``). Pulled feeds extend
``feed_read`` for ``http(s)://`` locations through the guarded fetch (public addresses
only, size and time limits); everything after it — the import service, the report — is
the same for both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from coliving.api.errors import ApplicationError

MAX_FEED_BYTES = 50 * 1024 * 1024  # a 5,000-listing feed is about 25 MB


class FeedSourceError(ApplicationError):
    """The feed could not be read or is not JSON in a shape the import knows."""

    status = 400
    code = "feed_unreadable"
    message = "The feed could not be read"


def feed_read(location: str) -> Any:
    """The parsed JSON document at ``location`` (a file path)."""
    if "://" in location:
        raise FeedSourceError(f"Only file paths can be read here, not {location.split('://', 1)[0]}:// locations.")
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

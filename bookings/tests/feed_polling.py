"""A partner polling the integrations bookings feed, as the feed's race tests do it."""

from __future__ import annotations

from rest_framework.test import APIClient

from bookings import services
from coliving.tests.locks import race_writers_and_poller

FEED = "/v2/integrations/mangobeds/bookings"


def poll(raw_key: str, since: str | None) -> tuple[list[dict], str | None]:
    """One page of the feed after ``since``: its bookings and its ``next_since``."""
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=raw_key)
    # The largest page: a poller sending a plain time gets every change of that second again,
    # so a page must hold more than one second's changes (the race tests make many per second).
    response = client.get(FEED, {"since": since, "limit": 500} if since else {"limit": 500})
    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    return data["Bookings"], data["next_since"]


def follow(mode: str, items: list[dict], next_since: str | None, since: str | None) -> str | None:
    """The next ``since`` of a poller following the feed's cursor, or the latest version it holds."""
    if mode == "cursor":
        return next_since
    return max([since or "", *(item["version"] for item in items)]) or None


def confirmations_missed_while_polling(raw_key: str, mode: str, bookings, *, writers: int, max_hold: float) -> list:
    """Confirm ``bookings`` from ``writers`` racing threads (``race_writers_and_poller``) while a
    partner with ``raw_key`` polls the feed from now on in ``mode``; every booking must be
    confirmed. Returns the ids of the confirmations the partner never saw."""
    by_id = {booking.pk: booking for booking in bookings}
    items, next_since = poll(raw_key, None)
    since = follow(mode, items, next_since, None)

    def poll_confirmed() -> set[int]:
        nonlocal since
        items, next_since = poll(raw_key, since)
        since = follow(mode, items, next_since, since)
        return {item["booking_id"] for item in items if item["status"] == "confirmed"}

    committed, seen = race_writers_and_poller(
        list(by_id),
        write=lambda pk: services.booking_confirm(booking=by_id[pk]),
        poll=poll_confirmed,
        writers=writers,
        max_hold=max_hold,
    )
    assert sorted(committed) == sorted(by_id)
    return [pk for pk in committed if pk not in seen]

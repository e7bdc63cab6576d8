"""SQL queries per request, counted in this process with Django's test ``Client`` against
the bench database (the same settings as the server: PostgreSQL, Redis, the bench key).

Each path is requested twice and the second request is counted (the first may fill
per-process caches). Usage tracking writes nothing here: it flushes at most every 30 s.
"""

from __future__ import annotations

import json
from datetime import timedelta


def requests(context: dict) -> list[tuple[str, str, str, dict | None, int]]:
    """What is counted: the endpoints of the scenarios and their ``plain`` baselines. The
    booking lands on the room type of the feed's history (no scenario counts its nights)."""
    from listings.limits import today

    listing, room_type = context["history_room_type"]
    checkin = today() + timedelta(days=200)
    booking = {
        "user_id": context["guest_ids"][-1],
        "listing_id": listing,
        "room_type_id": room_type,
        "checkin_at": checkin.isoformat(),
        "checkout_at": (checkin + timedelta(days=2)).isoformat(),
        "guests": 1,
    }
    feed = "integrations/mangobeds/bookings?since={feed_since}"
    return [
        ("GET /v2/me", "GET", "/v2/me", None, 200),
        ("plain (/me)", "GET", "/bench/plain/me", None, 200),
        ("GET /v2/listings", "GET", "/v2/listings?per_page=100", None, 200),
        ("listings/plain", "GET", "/bench/plain/listings?per_page=100", None, 200),
        ("feed, nothing new", "GET", "/v2/" + feed, None, 200),
        ("feed/plain", "GET", "/bench/plain/" + feed, None, 200),
        ("POST /v2/bookings", "POST", "/v2/bookings", booking, 201),
    ]


def count(context: dict, requests: list[tuple[str, str, str, dict | None, int]]) -> list[dict]:
    """``requests``: (label, method, path, JSON body or None, expected status)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1", headers={"X-API-Key": context["api_key"]})
    rows = []
    for label, method, path, body, status in requests:
        path = path.format(**context)

        def send(sent=body, method=method, path=path):
            if method == "GET":
                return client.get(path)
            return client.post(path, data=json.dumps(sent), content_type="application/json")

        if method == "GET":
            send()
        with CaptureQueriesContext(connection) as queries:
            response = send()
        if response.status_code != status:
            raise RuntimeError(f"{method} {path} answered {response.status_code}: {response.content[:300]!r}")
        rows.append({"label": label, "path": path, "count": len(queries), "sql": [q["sql"] for q in queries]})
    return rows


def report(rows: list[dict], *, show_sql: tuple[str, ...] = ()) -> None:
    print()
    print("SQL queries per request (in process, Django test Client, the bench database):")
    width = max(len(r["label"]) for r in rows) + 2
    for row in rows:
        print(f"  {row['label']:<{width}}{row['count']:>3}  {row['path']}")
        if row["label"] in show_sql:
            for sql in row["sql"]:
                sql = " ".join(sql.split())
                print(f"  {'':<{width}}     {sql[:150]}{'…' if len(sql) > 150 else ''}")

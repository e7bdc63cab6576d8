"""PostgreSQL restarted under a booking load (a private cluster, real gunicorn).

Requests in flight or arriving while the database is down answer 503 in the family's
shape with ``Retry-After``; none is half-applied (every booking the database holds was
answered 201, and its nights are all taken); and the same gunicorn workers serve again
once the database is back, without a restart (``CONN_HEALTH_CHECKS``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date, timedelta

import httpx
import psycopg
import pytest

from coliving.tests.faults import private_postgres, requires_postgres_server
from coliving.tests.server import ROOT, gunicorn_process, worker_pids

pytestmark = [pytest.mark.server, requires_postgres_server]

SEED = """
import json
from apikeys.services import api_key_create
from bookings.tests.factories import guest_of
from listings.tests.factories import ListingFactory, RoomTypeFactory
from accounts.tests.factories import UserFactory

host = UserFactory()
_key, raw = api_key_create(owner=host, name="faults", scopes=["bookings.write"], rate_limit_per_minute=1000000)
listing = ListingFactory(host=host)
room_type = RoomTypeFactory(listing=listing, amount=1000)
print(json.dumps({"key": raw, "listing": listing.pk, "room_type": room_type.pk, "guest": guest_of(host).pk}))
"""


def manage(database_url: str, *args: str) -> str:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    environment.update(DATABASE_URL=database_url, DEBUG="0", SECRET_KEY="faults", TASKS_BACKEND="dummy")
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def book(base: str, seed: dict, stop: threading.Event, answers: list, index: list[int], lock: threading.Lock):
    first = date.today() + timedelta(days=3)
    with httpx.Client(base_url=base, headers={"X-API-Key": seed["key"]}, timeout=20) as client:
        while not stop.is_set():
            with lock:
                i = index[0] = index[0] + 1
            checkin = first + timedelta(days=i % 600)
            body = {
                "user_id": seed["guest"],
                "listing_id": seed["listing"],
                "room_type_id": seed["room_type"],
                "checkin_at": checkin.isoformat(),
                "checkout_at": (checkin + timedelta(days=2)).isoformat(),
                "guests": 1,
            }
            try:
                response = client.post("/v2/bookings", json=body)
            except httpx.TransportError as exc:  # not expected: recorded, and the test fails on it
                answers.append((0, repr(exc), {}))
                continue
            answers.append((response.status_code, response.json(), dict(response.headers)))


def test_a_postgresql_restart_mid_load_is_503_then_the_same_workers_serve_again(tmp_path):
    with private_postgres() as cluster:
        manage(cluster.url, "migrate", "--no-input", "-v", "0")
        seed = json.loads(manage(cluster.url, "shell", "-c", SEED).strip().splitlines()[-1])
        env = {"DATABASE_URL": cluster.url, "LOG_LEVEL": "WARNING", "RATELIMIT_PUBLIC_PER_MINUTE": "1000000"}
        with gunicorn_process(workers=2, env=env, output=tmp_path / "gunicorn.log") as (base, process):
            workers = worker_pids(process)
            stop, answers, index, lock = threading.Event(), [], [0], threading.Lock()
            load = [threading.Thread(target=book, args=(base, seed, stop, answers, index, lock)) for _ in range(4)]
            for thread in load:
                thread.start()
            time.sleep(2)
            cluster.stop("fast")  # in-flight queries are cut; new connections are refused
            time.sleep(2)
            cluster.start()
            restarted = len(answers)
            time.sleep(3)
            stop.set()
            for thread in load:
                thread.join(timeout=60)

            statuses = Counter(status for status, _body, _headers in answers)
            assert set(statuses) <= {201, 503}, statuses
            assert statuses[503] >= 1 and statuses[201] >= 1, statuses
            for status, body, headers in answers:
                if status == 503:
                    assert body == {
                        "success": False,
                        "error": "The database is unavailable, retry shortly",
                        "code": "service_unavailable",
                        "retry_after": 5,
                    }
                    assert headers["retry-after"] == "5"
            # Served again after the restart, by the very same worker processes.
            assert any(status == 201 for status, _body, _headers in answers[restarted:]), statuses
            assert worker_pids(process) == workers
            assert httpx.get(f"{base}/v2/health", timeout=10).status_code == 200

        created = sorted(body["data"]["id"] for status, body, _headers in answers if status == 201)
        with psycopg.connect(f"host=127.0.0.1 port={cluster.port} user=postgres dbname=faults") as connection:
            booked = sorted(row[0] for row in connection.execute("SELECT id FROM bookings_booking"))
            taken, held = connection.execute(
                """
                SELECT (SELECT COALESCE(SUM(rt.amount - n.available), 0) FROM listings_roomtypenight n
                          JOIN listings_roomtype rt ON rt.id = n.room_type_id),
                       (SELECT COALESCE(SUM(checkout - checkin), 0) FROM bookings_booking)
                """
            ).fetchone()
    # Nothing half-applied: the bookings in the database are exactly those answered 201,
    # and the nights they hold are exactly the units taken.
    assert booked == created
    assert taken == held == 2 * len(created)

"""Scale simulation for docs/scaling.md: what one Redis takes of the rate limiter, and what
one poll of the bookings feed costs PostgreSQL as the bookings table grows. Loopback only,
bounded (every load phase runs a fixed number of seconds), stops by itself.

    .venv/bin/python -m bench.scale          # about two minutes with the default sizes

1. **Limiter.** Starts a private ``redis-server`` on a free loopback port (nothing else
   shares its CPU counters), loads the limiter's own Lua script
   (``coliving.api.ratelimit._SLIDING_LOG``) and calls it from ``SCALE_CLIENTS`` processes
   for ``SCALE_SECONDS`` over a set of active keys (60/min each, the default limit), as
   the API's workers do: one round trip per request. Reported: Redis CPU per call (from
   ``INFO cpu``, the server's own user+system time over the calls) next to the same for a
   plain ``GET`` in the same run (the ratio is the measurement), the calls per second one
   Redis core could take (1 ÷ CPU per call), and memory per active key. Then the server
   is stopped.
2. **Feed.** Makes a fresh database (``SCALE_DATABASE``, default ``coliving_scale``;
   dropped and created, like ``make bench``'s), migrates it, and seeds ``SCALE_HOSTS`` hosts,
   one listing and room type each, then grows the bookings table in steps
   (``SCALE_SIZES``, default ``20000,200000``). Hosts are Zipf-active (host *i* gets
   bookings in proportion to 1/(*i*+1)) and each host's changes are numbered by its own
   counter, as ``bookings/versions.py`` numbers them. At each size it times the feed's own
   query (``selectors.booking_feed``'s SQL, "nothing new since the cursor") for the
   busiest and the quietest host from ``SCALE_CLIENTS`` threads, next to ``SELECT 1`` in
   the same run (the round trip alone), and reads the plan and the buffers one poll
   touches (``EXPLAIN (ANALYZE, BUFFERS)``: work, independent of the machine's load).
3. **Booking writes.** In the same database, 8 threads create bookings through
   ``bookings.services.booking_create`` for ``SCALE_SECONDS``: once on 8 hosts (a room
   type each), once on 8 room types of one host, alternating over 3 rounds. One host's
   changes share its change counter from the bump to the commit, as every booking of the
   platform shared the single counter row before; the ratio many ÷ one is what that
   serialisation costs on this machine.

Absolute numbers depend on the machine and on what else runs on it; the ratios and the
buffer counts are the result (DESIGN.md, "Performance").
"""

from __future__ import annotations

import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


SECONDS = max(1, env_int("SCALE_SECONDS", 3))
CLIENTS = max(1, env_int("SCALE_CLIENTS", 2))
HOSTS = max(2, env_int("SCALE_HOSTS", 1000))
SIZES = [int(s) for s in os.environ.get("SCALE_SIZES", "20000,200000").split(",") if s.strip()]
ACTIVE_KEYS = [int(s) for s in os.environ.get("SCALE_KEYS", "1000,100000").split(",") if s.strip()]
DATABASE = os.environ.get("SCALE_DATABASE") or "coliving_scale"


# --- 1. the limiter on a private Redis ----------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _redis_cpu(client) -> float:
    info = client.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def _limiter_client(port: int, sha: str, keys: int, seconds: float, command: str, seed: int, out) -> None:
    import redis

    client = redis.Redis(host=HOST, port=port)
    rng = random.Random(seed)
    calls = 0
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            n = rng.randrange(keys)
            if command == "limiter":
                client.evalsha(sha, 1, f"rl:key-minute:60:key:{n}", 0, 60, 60_000)
            else:
                client.get(f"plain:{n}")
            calls += 1
    finally:
        out.put(calls)


def _phase(port: int, sha: str, keys: int, command: str) -> dict:
    import redis

    client = redis.Redis(host=HOST, port=port)
    queue: multiprocessing.Queue = multiprocessing.Queue()
    cpu_before = _redis_cpu(client)
    started = time.monotonic()
    workers = [
        multiprocessing.Process(target=_limiter_client, args=(port, sha, keys, SECONDS, command, n, queue))
        for n in range(CLIENTS)
    ]
    for worker in workers:
        worker.start()
    calls = sum(queue.get(timeout=SECONDS + 30) for _ in workers)
    for worker in workers:
        worker.join(timeout=30)
    elapsed = time.monotonic() - started
    cpu = _redis_cpu(client) - cpu_before
    return {"calls": calls, "calls_per_s": calls / elapsed, "cpu_us_per_call": cpu / calls * 1e6}


def limiter() -> list[dict]:
    import redis

    from coliving.api.ratelimit import _SLIDING_LOG

    if shutil.which("redis-server") is None:
        raise SystemExit("redis-server is not installed")
    port = free_port()
    directory = tempfile.mkdtemp(prefix="scale-redis-")
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no", "--dir", directory],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    rows = []
    try:
        client = redis.Redis(host=HOST, port=port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        sha = client.script_load(_SLIDING_LOG)
        for keys in ACTIVE_KEYS:
            client.flushall()
            memory_before = client.info("memory")["used_memory"]
            measured = _phase(port, sha, keys, "limiter")
            live = client.dbsize()
            memory = client.info("memory")["used_memory"] - memory_before
            baseline = _phase(port, sha, keys, "get")
            rows.append(
                {
                    "active_keys": keys,
                    "limiter": measured,
                    "get": baseline,
                    "ratio_cpu": measured["cpu_us_per_call"] / baseline["cpu_us_per_call"],
                    "bytes_per_key": memory / max(1, live),
                    "entries_per_key": measured["calls"] / max(1, live),
                }
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(directory, ignore_errors=True)
    return rows


# --- 2. the feed query as the bookings table grows ---------------------------------------


def fresh_database() -> None:
    pg = ["-h", HOST, "-U", "postgres"]
    subprocess.run(["dropdb", *pg, "--if-exists", DATABASE], check=True)
    subprocess.run(["createdb", *pg, DATABASE], check=True)
    env = {**os.environ, "DATABASE_URL": f"postgres://postgres@{HOST}:5432/{DATABASE}"}
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)


def seed_hosts():
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from listings.models import Listing, RoomType

    unusable = make_password(None)
    hosts = User.objects.bulk_create(
        User(email=f"scale-host-{n:05d}@example.com", password=unusable) for n in range(HOSTS)
    )
    listings = Listing.objects.bulk_create(Listing(host=h, name=f"Scale {n}") for n, h in enumerate(hosts))
    room_types = RoomType.objects.bulk_create(
        RoomType(listing=listing, name="Room", amount=10**6, currency="EUR", base_price=750) for listing in listings
    )
    guests = User.objects.bulk_create(
        User(email=f"scale-guest-{n:05d}@example.com", password=unusable, created_by=h) for n, h in enumerate(hosts)
    )
    return hosts, listings, room_types, guests


def grow(target: int, state: dict) -> None:
    """Add bookings until the table holds ``target``: Zipf-chosen hosts, per-host change numbers."""
    from datetime import UTC, date, datetime, timedelta

    from bookings.models import Booking

    hosts, listings, room_types, guests = state["seeded"]
    weights = [1 / (n + 1) for n in range(len(hosts))]
    rng = random.Random(len(state["counters"]) + target)
    counters = state["counters"]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    while state["rows"] < target:
        batch = []
        for n in rng.choices(range(len(hosts)), weights=weights, k=min(10_000, target - state["rows"])):
            counters[n] = counters.get(n, 0) + 1
            state["rows"] += 1
            checkin = date(2026, 1, 1) + timedelta(days=state["rows"] % 700)
            batch.append(
                Booking(
                    guest=guests[n],
                    listing=listings[n],
                    room_type=room_types[n],
                    checkin=checkin,
                    checkout=checkin + timedelta(days=2),
                    currency="EUR",
                    total=1500,
                    change_seq=counters[n],
                    changed_at=start + timedelta(seconds=state["rows"]),
                )
            )
        Booking.objects.bulk_create(batch)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE bookings_booking")


def feed_sql(host, since: int):
    from bookings.models import Booking
    from bookings.selectors import FEED_FIELDS
    from coliving.api.tenancy import Tenant

    queryset = Booking.objects.for_tenant(Tenant(owner=host), "owner").filter(change_seq__gt=since)
    return queryset.in_change_order().values(*FEED_FIELDS)[:100].query.sql_with_params()


def hammer(sql: str, params, seconds: float) -> float:
    """Queries per second from ``CLIENTS`` threads, each on its own connection."""
    import psycopg

    counts = []

    def run():
        with psycopg.connect(f"host={HOST} user=postgres dbname={DATABASE}", autocommit=True) as conn:
            cursor = conn.cursor()
            cursor.execute(sql, params)
            cursor.fetchall()  # warm: plan cache, connection
            done = 0
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                cursor.execute(sql, params)
                cursor.fetchall()
                done += 1
            counts.append(done)

    threads = [threading.Thread(target=run) for _ in range(CLIENTS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    return sum(counts) / (time.monotonic() - started)


def explain(sql: str, params) -> tuple[int, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        import json

        plan = json.loads(plan)
    top = plan[0]["Plan"]
    buffers = top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)

    def nodes(node, depth=0):
        label = node["Node Type"] + (f" on {node['Index Name']}" if "Index Name" in node else "")
        yield label
        for child in node.get("Plans", []):
            yield from nodes(child, depth + 1)

    return buffers, " > ".join(nodes(top))


def feed() -> list[dict]:
    from django.db import connection

    state = {"seeded": seed_hosts(), "counters": {}, "rows": 0}
    hosts = state["seeded"][0]
    rows = []
    for size in SIZES:
        grow(size, state)
        connection.close()
        baseline = hammer("SELECT 1", None, SECONDS)
        for label, index in (("busiest", 0), ("quietest", len(hosts) - 1)):
            sql, params = feed_sql(hosts[index].pk, state["counters"].get(index, 0))
            buffers, plan = explain(sql, params)
            polls = hammer(sql, params, SECONDS)
            rows.append(
                {
                    "bookings": size,
                    "host": label,
                    "host_bookings": state["counters"].get(index, 0),
                    "polls_per_s": polls,
                    "select1_per_s": baseline,
                    "ratio": polls / baseline,
                    "buffers": buffers,
                    "plan": plan,
                }
            )
    connection.close()
    return rows


# --- 3. booking writes: many hosts against one --------------------------------------------

WRITERS = 8
ROUNDS = 3


def seed_writers():
    """``WRITERS`` hosts with one listing, ``WRITERS`` room types (10⁶ units) and a guest each."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from listings.models import Listing, RoomType

    unusable = make_password(None)
    made = []
    for n in range(WRITERS):
        host = User.objects.create(email=f"scale-writer-{n}@example.com", password=unusable)
        listing = Listing.objects.create(host=host, name=f"Writer {n}")
        room_types = RoomType.objects.bulk_create(
            RoomType(listing=listing, name=f"Room {m}", amount=10**6, currency="EUR", base_price=750)
            for m in range(WRITERS)
        )
        guest = User.objects.create(email=f"scale-writer-guest-{n}@example.com", password=unusable, created_by=host)
        made.append((host, listing, room_types, guest))
    return made


def write_phase(targets, seconds: float, offset: list[int]) -> float:
    """Bookings created per second by ``WRITERS`` threads, thread *t* booking ``targets[t]``
    ((host, listing, room type, guest)) again and again, a new 2-night stay each time."""
    from datetime import timedelta

    from django.db import connection

    from bookings import services
    from listings import limits

    counts = [0] * len(targets)
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(targets))

    def run(t: int):
        host, listing, room_type, guest = targets[t]
        tomorrow = limits.today() + timedelta(days=1)
        try:
            barrier.wait(timeout=30)
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                offset[t] += 1
                checkin = tomorrow + timedelta(days=offset[t] % 700)
                services.booking_create(
                    owner=host,
                    guest=guest,
                    listing=listing,
                    room_type=room_type,
                    checkin=checkin,
                    checkout=checkin + timedelta(days=2),
                    guests=1,
                )
                counts[t] += 1
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in range(len(targets))]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    if errors:
        raise errors[0]
    return sum(counts) / (time.monotonic() - started)


def writes() -> dict:
    import statistics

    made = seed_writers()
    many = [(host, listing, room_types[0], guest) for host, listing, room_types, guest in made]
    host, listing, room_types, guest = made[0]
    one = [(host, listing, room_type, guest) for room_type in room_types]
    offsets = {"many": [0] * WRITERS, "one": [0] * WRITERS}
    samples = {"many": [], "one": []}
    for r in range(ROUNDS):
        order = ["many", "one"] if r % 2 == 0 else ["one", "many"]
        for name in order:
            samples[name].append(write_phase(many if name == "many" else one, SECONDS, offsets[name]))
    ratios = [m / o for m, o in zip(samples["many"], samples["one"], strict=True)]
    return {
        "many_per_s": statistics.median(samples["many"]),
        "one_per_s": statistics.median(samples["one"]),
        "ratio": statistics.median(ratios),
    }


# --- the run ---------------------------------------------------------------------------------


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coliving.settings")
    os.environ.setdefault("SECRET_KEY", "scale")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def main() -> int:
    started = time.monotonic()
    print(f"bench.scale: {CLIENTS} client processes/threads, {SECONDS} s per phase; loopback only.")
    print("NOTE: absolute numbers depend on this machine and what else runs on it; ratios and buffers are the result.")
    fresh_database()
    os.environ["DATABASE_URL"] = f"postgres://postgres@{HOST}:5432/{DATABASE}"
    setup_django()
    print()
    print("1. Limiter (the API's sliding-log Lua script, one call per request, 60/min per key), private redis-server:")
    print(
        f"  {'active keys':>12}{'calls/s':>10}{'Redis µs/call':>15}{'GET µs/call':>13}{'ratio':>7}"
        f"{'calls/s/core':>14}{'bytes/key':>11}{'entries/key':>13}"
    )
    for row in limiter():
        cpu = row["limiter"]["cpu_us_per_call"]
        print(
            f"  {row['active_keys']:>12,}{row['limiter']['calls_per_s']:>10,.0f}{cpu:>15.1f}"
            f"{row['get']['cpu_us_per_call']:>13.1f}{row['ratio_cpu']:>7.2f}{1e6 / cpu:>14,.0f}"
            f"{row['bytes_per_key']:>11,.0f}{row['entries_per_key']:>13.1f}"
        )
    print("  calls/s: what these client processes reached (client-bound); calls/s/core: 1 ÷ Redis CPU per call,")
    print("  what one Redis core takes before it saturates. ratio: a limiter call's Redis CPU ÷ a GET's.")
    print()
    print(f"2. Feed, nothing new since the cursor ({HOSTS} hosts, Zipf activity, per-host change counters):")
    print(
        f"  {'bookings':>10}{'host':>10}{'its bkgs':>10}{'polls/s':>10}{'SELECT 1/s':>12}{'ratio':>7}"
        f"{'buffers':>9}  plan"
    )
    for row in feed():
        print(
            f"  {row['bookings']:>10,}{row['host']:>10}{row['host_bookings']:>10,}{row['polls_per_s']:>10,.0f}"
            f"{row['select1_per_s']:>12,.0f}{row['ratio']:>7.2f}{row['buffers']:>9}  {row['plan']}"
        )
    print("  ratio: polls/s ÷ SELECT 1/s on the same connections (1.00: the poll costs no more than a round trip);")
    print("  buffers: 8 KB pages one poll touches (EXPLAIN ANALYZE BUFFERS), the work regardless of the machine.")
    print()
    print(
        f"3. Booking writes through bookings.services.booking_create, {WRITERS} threads, {ROUNDS} rounds of "
        f"{SECONDS} s, alternating:"
    )
    result = writes()
    print(f"  {WRITERS} hosts, one room type each:        {result['many_per_s']:>8,.0f} bookings/s")
    print(f"  one host, {WRITERS} room types (one counter): {result['one_per_s']:>8,.0f} bookings/s")
    print(f"  ratio many ÷ one (median of the rounds' ratios): {result['ratio']:.2f}")
    print("  One host's changes share its counter row from the bump to the commit — what every booking in the")
    print("  platform shared before the counters were per tenant; unrelated hosts do not.")
    print(f"Wall time: {time.monotonic() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Redis stopped under load (a private redis-server, real gunicorn): the API keeps answering
with the limits failing open, each worker logs the outage once per interval rather than per
request, and the limits hold again once Redis is back — without restarting gunicorn."""

from __future__ import annotations

import threading
import time
from collections import Counter

import httpx
import pytest

from coliving.tests.faults import private_redis, requires_redis_server
from coliving.tests.server import gunicorn_process

pytestmark = [pytest.mark.server, requires_redis_server, pytest.mark.django_db(transaction=True)]

WORKERS = 2
LIMIT = 20


def keep_requesting(base: str, raw_key: str, stop: threading.Event, answers: list[tuple[float, int, bool]]) -> None:
    with httpx.Client(base_url=base, headers={"X-API-Key": raw_key}, timeout=10) as client:
        while not stop.is_set():
            response = client.get("/v2/me")
            answers.append((time.monotonic(), response.status_code, "X-RateLimit-Limit" in response.headers))


def test_a_redis_outage_fails_open_logs_once_per_interval_and_limits_resume(key_client, tmp_path):
    # The load's key has a limit it never reaches; the probe's key has the default (LIMIT).
    load_key = key_client(["users.read"], rate_limit_per_minute=1_000_000).raw_key
    probe_key = key_client(["users.read"]).raw_key
    log = tmp_path / "gunicorn.log"
    env = {"RATELIMIT_PER_MINUTE": str(LIMIT), "RATELIMIT_PUBLIC_PER_MINUTE": "1000000", "LOG_LEVEL": "WARNING"}

    with private_redis() as redis_server:
        env["REDIS_URL"] = redis_server.url
        with gunicorn_process(workers=WORKERS, env=env, output=log) as (base, _process):
            probe = httpx.Client(base_url=base, headers={"X-API-Key": probe_key}, timeout=10)
            assert probe.get("/v2/me").headers["X-RateLimit-Remaining"] == str(LIMIT - 1)

            stop, answers = threading.Event(), []
            load = [threading.Thread(target=keep_requesting, args=(base, load_key, stop, answers)) for _ in range(3)]
            for thread in load:
                thread.start()
            time.sleep(1)
            stopped_at = time.monotonic()
            redis_server.stop()
            time.sleep(4)
            # During the outage the probe, over its limit, still gets through: fail open.
            during = [probe.get("/v2/me") for _ in range(LIMIT + 5)]
            stop.set()
            for thread in load:
                thread.join(timeout=30)

            statuses = Counter(status for _at, status, _limited in answers)
            assert set(statuses) == {200}, statuses
            assert {response.status_code for response in during} == {200}
            assert not any("X-RateLimit-Limit" in response.headers for response in during)
            outage = [answer for answer in answers if answer[0] > stopped_at + 0.5]
            assert len(outage) >= 20  # the load kept going through the outage
            assert not any(limited for _at, _status, limited in outage)

            redis_server.start()  # empty again: no persistence
            time.sleep(0.5)
            after = [probe.get("/v2/me") for _ in range(LIMIT + 1)]
            assert [r.status_code for r in after] == [200] * LIMIT + [429]
            assert after[0].headers["X-RateLimit-Remaining"] == str(LIMIT - 1)
            probe.close()

    lines = log.read_text().splitlines()
    limiter = [line for line in lines if "Rate limiter: the cache failed" in line]
    cache = [line for line in lines if "Redis unreachable: cache calls are skipped" in line]
    # Well over a hundred requests met the outage; each worker said so once (per minute).
    assert 1 <= len(limiter) <= WORKERS, limiter
    assert len(cache) <= WORKERS, cache
    assert "Traceback" not in log.read_text()

"""The per-key limit holds across processes: gunicorn with 2 workers on Redis, 70 requests, 60 pass."""

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django.conf import settings

from coliving.tests.server import gunicorn

pytestmark = [
    pytest.mark.server,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL: the shared counter is the point"),
]


def test_exactly_60_of_70_requests_pass_with_two_workers(key_client, tmp_path):
    raw = key_client(["users.read"]).raw_key
    log = tmp_path / "access.log"
    # The per-IP limits (every request comes from 127.0.0.1) are lifted to isolate the per-key one.
    with gunicorn(workers=2, access_log=log, env={"RATELIMIT_PUBLIC_PER_MINUTE": "100000"}) as base:
        headers = {"X-API-Key": raw}
        with httpx.Client(base_url=base, headers=headers, timeout=10) as probe:
            # On Redis the limit is a sliding log (coliving/api/ratelimit.py), not fixed windows:
            # no boundary to avoid, 60 in any 60 s from this first request, which all 70 fall in.
            first = probe.get("/v2/me")
            assert first.status_code == 200 and first.headers["X-RateLimit-Remaining"] == "59"

        def send(_):
            with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
                return client.get("/v2/me").status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(send, range(69)))

    # 1 probe request (200) + 69 concurrent ones = 70; exactly 60 pass in all.
    assert statuses.count(200) == 59
    assert statuses.count(429) == 10
    pids = {line.split()[0] for line in log.read_text().splitlines() if line.strip()}
    assert len(pids) == 2, "both workers must have served requests"

"""Usage tracking for API keys, batched so it costs far less than a write per request.

Each process counts requests in memory (per key, and per key, day and client IP) and
writes the counts out at most every ``APIKEY_USAGE_FLUSH_SECONDS`` (30 s by default): on
the next request after the interval, or from a daemon timer thread when the process is
idle, so the admin's figures are never more than a minute stale. One flush is one
``UPDATE`` per key used plus one multi-row upsert of the daily counts, whatever the
traffic. The price of batching: a process killed hard loses at most one interval of
counts, which is acceptable for usage statistics (they are not billing data).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from datetime import date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

logger = logging.getLogger(__name__)


class UsageBuffer:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[int] = Counter()
        self._daily: Counter[tuple[int, date, str]] = Counter()
        self._last_seen: dict[int, tuple[datetime, str]] = {}
        self._last_flush = time.monotonic()
        self._timer_started = False

    def record(self, key_id: int, ip: str) -> None:
        now = timezone.now()
        with self._lock:
            self._counts[key_id] += 1
            self._daily[(key_id, now.date(), ip)] += 1
            self._last_seen[key_id] = (now, ip)
            due = time.monotonic() - self._last_flush >= settings.APIKEY_USAGE_FLUSH_SECONDS
            if not self._timer_started and settings.APIKEY_USAGE_FLUSH_SECONDS > 0:
                self._start_timer()
        if due:
            try:
                self.flush()
            except Exception:  # statistics must never fail the request; the counts were put back
                logger.exception("Flushing API key usage failed")

    def _start_timer(self) -> None:
        self._timer_started = True
        thread = threading.Thread(target=self._flush_periodically, name="apikey-usage-flush", daemon=True)
        thread.start()

    def _flush_periodically(self) -> None:
        while True:
            time.sleep(settings.APIKEY_USAGE_FLUSH_SECONDS or 30)
            try:
                self.flush()
            except Exception:  # never let the thread die; the next run retries
                logger.exception("Flushing API key usage failed")
            finally:
                connection.close()

    def _take(self):
        with self._lock:
            counts, daily, last_seen = self._counts, self._daily, self._last_seen
            self._counts, self._daily, self._last_seen = Counter(), Counter(), {}
            self._last_flush = time.monotonic()
        return counts, daily, last_seen

    def flush(self) -> None:
        counts, daily, last_seen = self._take()
        if not counts:
            return
        try:
            _write(counts, daily, last_seen)
        except Exception:
            # Put the counts back so they are not lost to a passing database error.
            with self._lock:
                self._counts.update(counts)
                self._daily.update(daily)
                for key_id, seen in last_seen.items():
                    self._last_seen.setdefault(key_id, seen)
            raise


def _write(counts, daily, last_seen) -> None:
    from apikeys.models import ApiKey, ApiKeyDailyUsage

    table = ApiKeyDailyUsage._meta.db_table
    with transaction.atomic():
        existing = set()
        for key_id, count in counts.items():
            used_at, ip = last_seen[key_id]
            if ApiKey.objects.filter(pk=key_id).update(
                usage_count=F("usage_count") + count, last_used_at=used_at, last_used_ip=ip
            ):
                existing.add(key_id)  # a key deleted meanwhile gets no daily rows
        rows = [(k, day.isoformat(), ip, n) for (k, day, ip), n in daily.items() if k in existing]
        if not rows:
            return
        placeholders = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
        params = [value for row in rows for value in row]
        with connection.cursor() as cursor:
            # Increment, not overwrite: other processes write the same rows.
            cursor.execute(
                f"INSERT INTO {table} (api_key_id, date, ip, count) VALUES {placeholders} "
                f"ON CONFLICT (api_key_id, date, ip) DO UPDATE SET count = {table}.count + excluded.count",
                params,
            )


usage_buffer = UsageBuffer()

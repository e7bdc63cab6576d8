"""Waiting for a PostgreSQL session to block on a lock, instead of sleeping and hoping.

A concurrency test that wants "B waits for A" proves it by seeing B's session wait for a
lock (``pg_stat_activity.wait_event_type = 'Lock'``) on this test database, and fails at
once, with a message, if B finishes instead.
"""

from __future__ import annotations

import threading
import time

from django.db import connection


def sessions_waiting_for_a_lock() -> int:
    """How many sessions connected to this (test) database are waiting for a lock now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def wait_for_lock_waiters(count: int, *, unless: threading.Event | None = None, why: str = "", timeout: float = 30):
    """Return once ``count`` sessions wait for a lock; fail if ``unless`` is set first."""
    deadline = time.monotonic() + timeout
    while sessions_waiting_for_a_lock() < count:
        if unless is not None and unless.is_set():
            raise AssertionError(why or "finished instead of waiting for a lock")
        if time.monotonic() > deadline:
            raise AssertionError(f"{count} session(s) never waited for a lock within {timeout} s")
        time.sleep(0.01)

"""Concurrency test scaffolding on PostgreSQL: waiting for a session to block on a lock, and
racing writers against a poller.

A concurrency test that wants "B waits for A" proves it by seeing B's session wait for a
lock (``pg_stat_activity.wait_event_type = 'Lock'``) on this test database, and fails at
once, with a message, if B finishes instead.

A test that wants "a poller never misses a change" runs ``race_writers_and_poller``: the
writers hold their transactions open a random while after each change, the poller polls
all along, and the test compares what was committed with what the poller saw.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Collection, Hashable, Sequence
from typing import TypeVar

from django.db import connection, transaction

Item = TypeVar("Item", bound=Hashable)


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


def race_writers_and_poller(
    items: Sequence[Item],
    *,
    write: Callable[[Item], object],
    poll: Callable[[], Collection[Item]],
    writers: int,
    max_hold: float,
) -> tuple[list[Item], set[Item]]:
    """Run ``write(item)`` for every item from ``writers`` threads (each its own connection,
    each item its own transaction, held open 0 to ``max_hold`` s after the change, so that
    other writers want to write meanwhile) while one more thread calls ``poll()`` (the items
    whose change it returned) until the writers are done and a poll brings nothing new.

    Returns the items committed, in commit order, and the items the poller saw; fails if a
    thread failed or is still running."""
    committed: list[Item] = []
    seen: set[Item] = set()
    lock = threading.Lock()
    writers_done = threading.Event()
    errors: list[BaseException] = []

    def writer(chunk: Sequence[Item], seed: int) -> None:
        rng = random.Random(seed)
        try:
            for item in chunk:
                with transaction.atomic():
                    write(item)
                    time.sleep(rng.uniform(0, max_hold))  # commit later, while others want to write
                with lock:
                    committed.append(item)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def poller() -> None:
        try:
            while True:
                finished = writers_done.is_set()
                new = set(poll()) - seen
                seen.update(new)
                if finished and not new:
                    return
                time.sleep(0.002)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(items[i::writers], i)) for i in range(writers)]
    run_writers_then_poller(threads, threading.Thread(target=poller), writers_done)
    assert not errors, errors
    return committed, seen


def run_writers_then_poller(writers: list[threading.Thread], poller: threading.Thread, writers_done: threading.Event):
    """Start the poller, then the writers; once every writer has ended, set ``writers_done``
    so the poller takes its last look and ends. Fails if any thread is still running."""
    poller.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=120)
    writers_done.set()
    poller.join(timeout=60)
    assert not any(thread.is_alive() for thread in [*writers, poller]), "a writer or the poller is still running"

"""The racing-writers harness of ``coliving/tests/locks.py`` reports what the poller missed
and every error of its threads: a harness that lost either would let a race test pass."""

from __future__ import annotations

import threading

import pytest

from coliving.tests.locks import race_writers_and_poller
from conftest import requires_postgres

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


def test_every_item_is_committed_and_what_the_poller_never_saw_is_reported():
    written: list[int] = []
    lock = threading.Lock()

    def write(item: int) -> None:
        with lock:
            written.append(item)

    def poll() -> set[int]:  # a poller that skips item 7
        with lock:
            return set(written) - {7}

    committed, seen = race_writers_and_poller(list(range(20)), write=write, poll=poll, writers=4, max_hold=0.005)

    assert sorted(committed) == list(range(20))
    assert [item for item in committed if item not in seen] == [7]


def test_an_error_in_a_writer_fails_the_race():
    def write(item: int) -> None:
        if item == 3:
            raise ValueError("writer 3 failed")

    with pytest.raises(AssertionError, match="writer 3 failed"):
        race_writers_and_poller(list(range(6)), write=write, poll=set, writers=2, max_hold=0)

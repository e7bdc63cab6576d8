"""pytest plugin for `make mutate` runs only (conftest.py loads it when mutmut is the caller).

mutmut runs the tests of each mutant in a process forked from one warmed-up server, and
``make mutate`` lets several run at once (``MUTATE_CHILDREN``). What makes that fast and safe:

- **A slot per child.** Each test process takes the first free slot (an ``flock`` it holds
  until it exits) and with it its own test database and cache key prefix, so the
  concurrency tests, the flushes of transactional tests and the rate-limit counters of two
  mutants never meet. The servers a test starts inherit the prefix through the environment.
- **The slot's database is built once.** pytest-django's ``--reuse-db`` still runs
  ``migrate`` and the post-migrate signals in every process (most of a second, per mutant);
  here the first process of a slot builds the database and leaves a stamp naming the
  migrations it applied, and the next ones only connect while the stamp still matches.
- **The module's own tests, fast ones first.** Of the tests mutmut picks for a mutant
  (those that call the mutated function), only the mutated module's own test files run
  (pyproject.toml, ``[tool.coliving.mutate.own_tests]``): the rate limiter's mutants are
  judged by the rate-limit tests, not by every API test that passes through it. They run
  in order of their measured duration (mutmut's statistics), so a mutant a quick test
  kills dies before the slow concurrency tests start (mutmut runs with ``-x``).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import tempfile
import time
import tomllib
from pathlib import Path

import pytest
from django.conf import settings
from django.test.utils import override_settings

SLOTS = max(1, int(os.environ.get("MUTATE_CHILDREN") or 1))
STATS = Path("mutmut-stats.json")  # in mutants/, the directory mutmut runs the tests from
# "bookings.resources.services.x_booking_move__mutmut_3" → "bookings.resources.services"
MUTANT_MODULE = re.compile(r"^(?P<module>[\w.]+?)\.x[_ǁ]")

# This process's slot, taken when its pytest session starts and given back when it ends: the
# fork server runs one session (its warm-up) before it forks the children, which must not
# inherit a slot it still holds.
SLOT = 0
_held: dict[str, object] = {}


def _take_slot() -> tuple[int, int]:
    """The first slot no other test process holds, and the open lock file that holds it."""
    checkout = hashlib.sha256(os.getcwd().encode()).hexdigest()[:12]
    while True:  # mutmut starts no more children than slots; one may still be exiting
        for slot in range(SLOTS):
            path = Path(tempfile.gettempdir()) / f"coliving-mutate-{checkout}-{slot}.lock"
            fd = os.open(path, os.O_RDWR | os.O_CREAT)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            return slot, fd
        time.sleep(0.05)


def pytest_configure(config):
    global SLOT
    SLOT, _held["lock"] = _take_slot()
    _held["prefix"] = os.environ.get("CACHE_KEY_PREFIX")
    prefix = f"{_held['prefix'] or 'coliving'}-mutant{SLOT}"
    os.environ["CACHE_KEY_PREFIX"] = prefix  # for the gunicorn and manage.py a test starts
    caches = {alias: {**options, "KEY_PREFIX": prefix} for alias, options in settings.CACHES.items()}
    _held["caches"] = override_settings(CACHES=caches)
    _held["caches"].enable()  # setting_changed drops the cache connections made so far


def pytest_unconfigure(config):
    _held.pop("caches").disable()
    if _held["prefix"] is None:
        os.environ.pop("CACHE_KEY_PREFIX", None)
    else:
        os.environ["CACHE_KEY_PREFIX"] = _held["prefix"]
    os.close(_held.pop("lock"))  # the last descriptor of the lock file: the slot is free


def _migrations_fingerprint() -> str:
    files = sorted(str(path) for path in Path().glob("*/migrations/0*.py"))
    return hashlib.sha256("\n".join(files).encode()).hexdigest()


@pytest.fixture(scope="session")
def django_db_modify_db_settings():
    for options in settings.DATABASES.values():
        options.setdefault("TEST", {})["NAME"] = f"test_{options['NAME']}_mutant{SLOT}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_modify_db_settings, django_db_blocker):
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    stamp = Path(f".db-slot-{SLOT}.json")
    wanted = {"databases": {alias: options["TEST"]["NAME"] for alias, options in settings.DATABASES.items()}}
    wanted["migrations"] = _migrations_fingerprint()
    if stamp.exists() and json.loads(stamp.read_text()) == wanted:
        originals = {alias: options["NAME"] for alias, options in settings.DATABASES.items()}
        for alias, name in wanted["databases"].items():
            connections[alias].close()
            settings.DATABASES[alias]["NAME"] = connections[alias].settings_dict["NAME"] = name
        yield
        for alias, name in originals.items():
            connections[alias].close()
            settings.DATABASES[alias]["NAME"] = connections[alias].settings_dict["NAME"] = name
        return
    try:
        with django_db_blocker.unblock():
            old_config = setup_databases(verbosity=0, interactive=False, keepdb=True)
    except Exception as error:  # not a kill: every mutant of the run would count as killed
        pytest.exit(f"the test database of mutation slot {SLOT} could not be set up: {error!r}", returncode=35)
    stamp.write_text(json.dumps(wanted))
    yield
    with django_db_blocker.unblock():
        teardown_databases(old_config, verbosity=0, keepdb=True)  # keeps it; restores the names


def own_tests(rootpath: Path, mutant: str) -> list[str] | None:
    """The test files of the module ``mutant`` mutates; None outside a mutant's run."""
    match = MUTANT_MODULE.match(mutant)
    if not match:  # mutmut's statistics, clean and forced-fail runs: every test
        return None
    table = tomllib.loads((rootpath / "pyproject.toml").read_text())["tool"]["coliving"]["mutate"]["own_tests"]
    return table[match["module"].replace(".", "/") + ".py"]


def pytest_collection_modifyitems(config, items):
    files = own_tests(config.rootpath, os.environ.get("MUTANT_UNDER_TEST", ""))
    if files is not None:
        others = [item for item in items if item.nodeid.split("::")[0] not in files]
        if others:
            config.hook.pytest_deselected(items=others)
            items[:] = [item for item in items if item.nodeid.split("::")[0] in files]
    if not STATS.exists():
        return
    durations = json.loads(STATS.read_text()).get("duration_by_test", {})
    items.sort(key=lambda item: durations.get(item.nodeid, 0.0))
